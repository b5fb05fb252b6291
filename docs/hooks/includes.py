"""MkDocs hook: pages that include files of the repository, so the site never copies them.

- ``<!-- CHANGELOG.md -->``: the changelog, with the pending fragments of changes/ rendered
  as its Unreleased section. CHANGELOG.md holds the released versions; what is not
  released yet lives in changes/ as one file per entry (``<name>.<type>.md``, see
  changes/README.md) until ``towncrier build`` moves them into CHANGELOG.md at a release.
- ``<!-- benchmarks/RESULTS.md -->``: the report ``make bench`` writes, without its title;
  ``<!-- benchmarks/RESULTS.md#Heading -->``: the body of one of its ``##`` sections.
  A section that is not there fails the build.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: Keep a Changelog's headings, in its order, by fragment type
TYPES = {
    "added": "Added",
    "changed": "Changed",
    "deprecated": "Deprecated",
    "removed": "Removed",
    "fixed": "Fixed",
    "security": "Security",
}
#: where the site's changelog page takes CHANGELOG.md
PAGE_MARKER = "<!-- CHANGELOG.md -->"
#: CHANGELOG.md's Unreleased section, between these two lines, shows the pending fragments
MARKER = "<!-- unreleased fragments -->"
END_MARKER = "<!-- towncrier release notes start -->"
ROOT = Path(__file__).resolve().parents[2]


def fragment_type(path: Path) -> str | None:
    """The type of a fragment named ``<name>.<type>[.<n>].md``, or None if not one."""
    parts = path.name.split(".")
    if len(parts) < 3 or parts[-1] != "md":
        return None
    for part in parts[1:-1]:
        if part in TYPES:
            return part
    return None


def render_unreleased(folder: Path) -> str:
    """The pending fragments as Markdown: one heading per type, one bullet per fragment."""
    by_type: dict[str, list[str]] = {t: [] for t in TYPES}
    for path in sorted(folder.glob("*.md")):
        kind = fragment_type(path)
        if kind is None:
            continue
        text = path.read_text(encoding="utf-8").strip()
        lines = text.splitlines()
        by_type[kind].append("- " + "\n  ".join(line.strip() for line in lines))
    out: list[str] = []
    for kind, entries in by_type.items():
        if entries:
            out += [f"### {TYPES[kind]}", "", *entries, ""]
    return "\n".join(out) if out else "Nothing yet.\n"


_RESULTS = re.compile(r"<!-- benchmarks/RESULTS\.md(?:#(?P<section>[^>]*?))? -->")


def results(section: str | None) -> str:
    """benchmarks/RESULTS.md without its title, or the body of its ``## section``."""
    lines = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8").splitlines()
    if section is None:
        return "\n".join(line for line in lines if not line.startswith("# ")) + "\n"
    heading = f"## {section.strip()}"
    if heading not in lines:
        raise ValueError(f"benchmarks/RESULTS.md has no section {heading!r}")
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[start:end]).strip() + "\n"


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    markdown = _RESULTS.sub(lambda found: results(found["section"]), markdown)
    if PAGE_MARKER not in markdown:
        return markdown
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    start, end = changelog.index(MARKER), changelog.index(END_MARKER)
    unreleased = render_unreleased(ROOT / "changes")
    changelog = f"{changelog[:start]}{unreleased}\n{changelog[end:]}"
    # the fragments' folder is not part of the site: its rules are on the contributing page
    changelog = changelog.replace("(changes/README.md)", "(contributing.md#changelog-fragments)")
    return markdown.replace(PAGE_MARKER, changelog)
