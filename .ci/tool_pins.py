"""Print the locked versions of the test tools as pip constraints (`name==version`).

The newest and lowest runs of the suite (`make test`, `make test-lowest`) move the runtime
dependencies and extras to the ends of their declared ranges; the tools that run the suite
stay where `uv.lock` has them, so a new pytest or fastapi release cannot turn a run red.
Left out: every package the runtime dependencies and extras need (they move), and the
test tools that bound a runtime dependency from below: the OpenTelemetry SDK matches the
API's version, and fastapi 0.120+ needs opentelemetry-api 1.44+ (with `--lowest`, they move
to their own lowest versions beside the lowest API).
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

MOVES_WITH_THE_API = {"opentelemetry-sdk", "opentelemetry-semantic-conventions"}
MOVES_TO_THE_LOWEST = {"fastapi", "starlette"}


def closure(packages: dict[str, Any], roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        package = packages[name]
        deps = list(package.get("dependencies", []))
        for extra in package.get("optional-dependencies", {}).values():
            deps.extend(extra)
        todo.extend(dep["name"] for dep in deps)
    return seen


def main() -> None:
    lowest = "--lowest" in sys.argv[1:]
    lock = tomllib.loads(Path("uv.lock").read_text())
    packages = {p["name"]: p for p in lock["package"]}
    project = packages["plane-async"]
    runtime = closure(packages, ["plane-async"])
    tools = [dep["name"] for dep in project["dev-dependencies"]["test"]]
    moving = runtime | MOVES_WITH_THE_API | (MOVES_TO_THE_LOWEST if lowest else set())
    for name in sorted(closure(packages, tools) - moving):
        print(f"{name}=={packages[name]['version']}")


if __name__ == "__main__":
    main()
