"""The ```python blocks of the README and of the site (docs/) as programs: found, wrapped,
and mapped back to the lines of their Markdown file.

Every ```python block is type-checked with mypy --strict and run against FakePlane. An HTML
comment right above the fence (invisible on GitHub) says how, in words from ``MODES``::

    <!-- readme-test: fragment -->
    ```python
    async for issue in plane.issues.list(project_id): ...
    ```

- no comment: a whole program. It finds FakePlane through ``PLANE_API_KEY``,
  ``PLANE_WORKSPACE`` and ``PLANE_BASE_URL`` and must exit with status 0 under ``-W error``.
- ``fragment``: the body of ``async def _(plane: AsyncPlane, project_id: UUID, issue_id:
  UUID)``, run with a client connected to FakePlane and a project and work item of it.
- ``no-run (why)``: type-checked, not run (needs a Redis server, a real Plane, ...).
  Combine with ``fragment``.
- ``pytest``: a test module, run with pytest (the plugin's fixtures, asyncio auto mode).
- ``skip (why)``: neither type-checked nor run (not Python: output, pseudo-code).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import attrs

__all__ = ["MODES", "Block", "documents", "extract"]

MODES = frozenset({"fragment", "no-run", "pytest", "skip"})

_FENCE = re.compile(r"^(\s*)```+\s*(\w*)\s*$")
_MARKER = re.compile(r"^\s*<!--\s*readme-test:\s*(.*?)\s*-->\s*$")
_HEADING = re.compile(r"^#+\s+(.*)$")

#: what a fragment runs inside; ``{body}`` is the block, indented
_FRAGMENT = """\
import asyncio
import uuid

from plane_async import AsyncPlane


async def _readme_block(plane: AsyncPlane, project_id: uuid.UUID, issue_id: uuid.UUID) -> None:
{body}

async def _readme_main() -> None:
    async with AsyncPlane() as plane:
        projects = [p async for p in plane.projects.list(fields=["id"])]
        issues = [i async for i in plane.issues.list(projects[0].id, fields=["id"])]
        await _readme_block(plane, projects[0].id, issues[0].id)


if __name__ == "__main__":
    asyncio.run(_readme_main())
"""
_FRAGMENT_OFFSET = _FRAGMENT.splitlines().index("{body}")


def documents(root: Path) -> list[Path]:
    """The Markdown files whose blocks are checked: the README and every page of the site."""
    return [root / "README.md", *sorted((root / "docs").rglob("*.md"))]


@attrs.frozen
class Block:
    """One ```python block of a Markdown file."""

    #: the file, relative to the repository (``README.md``, ``docs/guides/errors.md``)
    source: str
    #: the file's line of the block's first code line (1-based)
    line: int
    #: the heading the block is under
    heading: str
    modes: frozenset[str]
    code: str
    #: the marker's text, for error messages
    marker: str = ""

    @property
    def name(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "_", self.heading.lower()).strip("_") or "top"
        page = re.sub(r"[^a-z0-9]+", "_", self.source.lower().removesuffix(".md")).strip("_")
        page = page.removeprefix("docs_")
        return f"{page}_L{self.line}_{slug}"

    @property
    def module(self) -> str:
        return f"block_{self.name}"

    def program(self) -> str:
        """The block as a module: itself, or wrapped in the fragment's function."""
        if "fragment" in self.modes:
            return _FRAGMENT.replace("{body}", textwrap.indent(self.code, "    ") + "\n")
        return self.code

    def readme_line(self, program_line: int) -> int:
        """The Markdown file's line of line ``program_line`` (1-based) of ``program()``."""
        if "fragment" in self.modes:
            return self.line + program_line - 1 - _FRAGMENT_OFFSET
        return self.line + program_line - 1


def _modes(text: str, where: str) -> frozenset[str]:
    words = re.sub(r"\(.*?\)", "", text).split()
    unknown = set(words) - MODES
    if unknown:
        raise ValueError(
            f"{where}: unknown readme-test mode(s) {sorted(unknown)}; "
            f"use {sorted(MODES)} (see tests/support/readme_blocks.py)"
        )
    if "skip" in words and "(" not in text:
        raise ValueError(f"{where}: say why in parentheses: skip (not Python)")
    return frozenset(words)


def extract(path: Path, root: Path | None = None) -> list[Block]:
    """Every ```python (or ```py) block of the Markdown file, in order (``root``: what its
    name is relative to)."""
    source = path.relative_to(root).as_posix() if root is not None else path.name
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    heading = ""
    i = 0
    while i < len(lines):
        text = lines[i]
        if found := _HEADING.match(text):
            heading = found.group(1)
        fence = _FENCE.match(text)
        if not fence:
            i += 1
            continue
        language = fence.group(2)
        end = i + 1
        while end < len(lines) and not _FENCE.match(lines[end]):
            end += 1
        if language in ("python", "py"):
            above = lines[i - 1] if i > 0 else ""
            marker = _MARKER.match(above)
            modes = _modes(marker.group(1), f"{source}:{i}") if marker else frozenset()
            code = textwrap.dedent("\n".join(lines[i + 1 : end])) + "\n"
            marked = above.strip() if marker else ""
            blocks.append(Block(source, i + 2, heading, modes, code, marked))
        i = end + 1
    return blocks
