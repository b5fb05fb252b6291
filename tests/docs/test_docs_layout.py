"""The README stays short, CHANGELOG.md is by release, and every pending change in changes/
is a fragment that the site and towncrier can read."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

from tests.support.subprocess_helpers import ROOT

KEEP_A_CHANGELOG = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_includes", ROOT / "docs/hooks/includes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_is_under_200_lines_and_links_into_the_site() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 200
    for target in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / target).is_file(), target


def test_the_changelog_is_by_release_with_keep_a_changelog_headings() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(.+?)\]", text, flags=re.MULTILINE)
    assert releases[0] == "Unreleased"
    assert "0.1.0" in releases
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        headings = re.findall(r"^### (.+)$", section, flags=re.MULTILINE)
        assert len(headings) == len(set(headings)), f"a heading twice in {section[:20]!r}"
        assert set(headings) <= set(KEEP_A_CHANGELOG), headings
        assert headings == sorted(headings, key=KEEP_A_CHANGELOG.index), headings


def test_every_pending_change_is_a_fragment_the_site_shows() -> None:
    hook = _hook()
    folder = ROOT / "changes"
    fragments = [p for p in folder.iterdir() if p.name != "README.md"]
    assert fragments
    rendered = hook.render_unreleased(folder)
    for path in fragments:
        kind = hook.fragment_type(path)
        assert kind is not None, f"{path.name}: name it +<name>.<type>.md, type one of {hook.TYPES}"
        assert path.name.startswith("+"), f"{path.name}: start the name with '+'"
        text = path.read_text(encoding="utf-8").strip()
        assert text and not text.startswith("- "), f"{path.name}: one bullet, without '- '"
        assert text.splitlines()[0] in rendered
        assert f"### {hook.TYPES[kind]}" in rendered


def test_the_changelog_page_takes_the_fragments_under_unreleased() -> None:
    page = _hook().on_page_markdown("<!-- CHANGELOG.md -->", page=None)
    unreleased = page.index("## [Unreleased]")
    released = page.index("## [0.1.0]")
    first = next(p for p in (ROOT / "changes").iterdir() if p.name != "README.md")
    line = first.read_text(encoding="utf-8").splitlines()[0]
    assert unreleased < page.index(line) < released


def test_the_benchmark_report_is_included_not_copied() -> None:
    hook = _hook()
    page = hook.on_page_markdown(
        "<!-- benchmarks/RESULTS.md#Command line: export, sync and checkpoints -->", page=None
    )
    results = (ROOT / "benchmarks/RESULTS.md").read_text(encoding="utf-8")
    assert page.strip() and page.strip() in results
    assert "## " not in page
