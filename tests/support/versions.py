"""Print the versions a run of the suite tests: `python -m tests.support.versions` (the Makefile's
test targets print it before pytest, so each run's log says what it covered)."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

# the runtime dependencies and extras whose declared ranges `make test` and
# `make test-lowest` cover at both ends
RUNTIME = ("aiohttp", "attrs", "cattrs", "orjson", "redis", "rich", "opentelemetry-api")


def versions() -> str:
    parts = [f"python {platform.python_version()}"]
    for name in RUNTIME:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return ", ".join(parts)


if __name__ == "__main__":
    print(f"testing on {versions()}")
