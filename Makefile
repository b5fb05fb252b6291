PYTHON ?= python3

# Every environment is made by uv, itself pinned by version and hash (.ci/uv.txt) and
# installed with pip into .venv-uv. uv.lock pins every tool and test dependency with hashes;
# only `make lock` moves it.
TOOLS := .venv-uv
UV := $(TOOLS)/bin/uv
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1

VENV := .venv
BIN := $(VENV)/bin
NEWEST := .venv-newest
LOWEST := .venv-lowest
# the runtime dependencies and every extra, with the test group (pytest and the rest)
RUNTIME := --extra cli --extra otel --extra redis --group test

.PHONY: venv lock check test test-locked test-newest test-lowest lint typecheck pytest \
	pytest-fast demo bench clean redis-server chromium docs docs-serve

$(UV): .ci/uv.txt
	test -d $(TOOLS) || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q --disable-pip-version-check --require-hashes -r .ci/uv.txt
	touch $(UV)

# The locked development environment (fails if uv.lock does not match pyproject.toml).
venv: $(UV)
	$(UV) sync -q --locked --all-extras

# Refresh uv.lock to the newest versions pyproject.toml allows (on purpose, then commit it).
lock: $(UV)
	$(UV) lock --upgrade

lint: venv
	$(BIN)/ruff check plane_async tests benchmarks examples docs/hooks
	$(BIN)/ruff format --check plane_async tests benchmarks examples docs/hooks
	$(BIN)/lint-imports --no-cache

typecheck: venv
	$(BIN)/mypy plane_async examples tests/typing docs/hooks

# The RedisLimiter tests start a real redis-server (Debian's package) on a free port.
redis-server:
	@command -v redis-server >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }

# The site's browser test opens the built pages in Debian's headless Chromium.
chromium:
	@command -v chromium >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The documentation site (mkdocs.yml) in site/, strict: a broken link, anchor or reference
# fails. (NO_MKDOCS_2_WARNING silences the theme's banner about its successor, Zensical.)
docs: venv
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# The site on http://127.0.0.1:8000, rebuilt as you write.
docs-serve: venv
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

# The suite on the locked set.
pytest test-locked: venv redis-server chromium
	$(BIN)/python -m tests.support.versions
	$(BIN)/pytest

# The suite on the newest release of every runtime dependency and extra (what a user's
# `pip install 'plane-async[cli,otel,redis]'` brings today); the test tools stay locked.
test-newest: $(UV) redis-server chromium
	$(PYTHON) .ci/tool_pins.py > $(TOOLS)/tool-pins.txt
	$(UV) pip compile -q --upgrade pyproject.toml $(RUNTIME) --resolution highest \
		-c $(TOOLS)/tool-pins.txt -o $(TOOLS)/newest.txt
	$(UV) venv -q --allow-existing $(NEWEST)
	VIRTUAL_ENV=$(NEWEST) $(UV) pip sync -q $(TOOLS)/newest.txt
	VIRTUAL_ENV=$(NEWEST) $(UV) pip install -q --no-deps -e .
	$(NEWEST)/bin/python -m tests.support.versions
	$(NEWEST)/bin/pytest

# The suite on the lowest versions pyproject.toml allows for the runtime dependencies and
# extras (aiohttp, attrs, cattrs, orjson, redis, rich, opentelemetry-api).
test-lowest: $(UV) redis-server chromium
	$(PYTHON) .ci/tool_pins.py --lowest > $(TOOLS)/tool-pins-lowest.txt
	$(UV) pip compile -q --upgrade pyproject.toml $(RUNTIME) --resolution lowest-direct \
		-c $(TOOLS)/tool-pins-lowest.txt -o $(TOOLS)/lowest.txt
	$(UV) venv -q --allow-existing $(LOWEST)
	VIRTUAL_ENV=$(LOWEST) $(UV) pip sync -q $(TOOLS)/lowest.txt
	VIRTUAL_ENV=$(LOWEST) $(UV) pip install -q --no-deps -e .
	$(LOWEST)/bin/python -m tests.support.versions
	$(LOWEST)/bin/pytest

# The full gate (what CI runs): lint, types, the site, the suite on the locked set and on
# the newest.
test: lint typecheck docs test-locked test-newest

# Fast feedback: lint, types, and the tests that start no process, no Redis and wait for
# no real time (the `slow` tier is left out).
check: lint typecheck pytest-fast

pytest-fast: venv
	$(BIN)/pytest -m "not slow"

demo: venv
	$(BIN)/python -m plane_async demo

# Bytecode compiled, as pip leaves an installed package: the import benchmark would
# otherwise time compiling every dependency where PYTHONDONTWRITEBYTECODE is set.
bench: $(UV) redis-server
	$(UV) sync -q --locked --all-extras --group bench --compile-bytecode
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(NEWEST) $(LOWEST) $(TOOLS) .mypy_cache .pytest_cache .ruff_cache site
