PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv test lint typecheck pytest pytest-latest demo bench clean redis-server

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check plane_async tests benchmarks examples
	$(BIN)/ruff format --check plane_async tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy plane_async examples tests/typing

# The RedisLimiter tests start a real redis-server (Debian's package) on a free port.
redis-server:
	@command -v redis-server >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }

pytest: $(STAMP) redis-server
	$(BIN)/pytest

# The suite again on the newest aiohttp, the one `pip install plane-async` brings (the dev
# extra pins aiohttp<3.14 for aioresponses; the tests that need aioresponses skip there).
LATEST := .venv-latest
LATEST_STAMP := $(LATEST)/.installed

$(LATEST_STAMP): pyproject.toml
	test -d $(LATEST) || $(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/pip install -q --upgrade pip
	$(LATEST)/bin/pip install -q --upgrade -e '.[test]'
	touch $(LATEST_STAMP)

pytest-latest: $(LATEST_STAMP) redis-server
	$(LATEST)/bin/python -c "import aiohttp; print('aiohttp', aiohttp.__version__)"
	$(LATEST)/bin/pytest

test: lint typecheck pytest pytest-latest

demo: $(STAMP)
	$(BIN)/python -m plane_async demo

bench: $(STAMP) redis-server
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(LATEST) .mypy_cache .pytest_cache .ruff_cache
