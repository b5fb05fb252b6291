"""The documentation site as a reader sees it: built strict, served on loopback, opened in
headless Chromium.

The build goes to site/ (what ``make docs`` builds) and the screenshots of the home page
and of one guide to site/_screenshots/, to look at after a run.
"""

from __future__ import annotations

import functools
import http.server
import os
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import plane_async
import plane_async.models
import plane_async.testing
import plane_async.types
import plane_async.webhooks
import plane_async.webhooks.aiohttp
import plane_async.webhooks.asgi
from tests.support.chromium import Page, open_page
from tests.support.subprocess_helpers import ROOT

pytestmark = pytest.mark.slow

SITE = ROOT / "site"
SCREENSHOTS = SITE / "_screenshots"


@pytest.fixture(scope="module")
def site() -> Path:
    """The site, built now in strict mode (a broken link, anchor or reference fails)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(SITE)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return SITE


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1 (search loads its index with fetch)."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _inventory(site: Path) -> set[str]:
    """The names in the site's objects.inv (Sphinx's format: 4 header lines, then zlib)."""
    data = (site / "objects.inv").read_bytes()
    start = 0
    for _ in range(4):
        start = data.index(b"\n", start) + 1
    return {line.split(" ")[0] for line in zlib.decompress(data[start:]).decode().splitlines()}


def test_the_reference_documents_every_public_name(site: Path) -> None:
    documented = _inventory(site)
    public = []
    for module in (
        plane_async,
        plane_async.models,
        plane_async.types,
        plane_async.webhooks,
        plane_async.webhooks.aiohttp,
        plane_async.webhooks.asgi,
        plane_async.testing,
    ):
        public += [f"{module.__name__}.{name}" for name in module.__all__]
    assert [name for name in public if name not in documented] == []


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def _title(page: Page) -> str:
    """The page's heading, without the permalink sign."""
    title: str = await page.evaluate(
        "document.querySelector('article h1').textContent.replace('¶', '').trim()"
    )
    return title


async def _nav_titles(page: Page) -> list[str]:
    titles: list[str] = await page.evaluate(
        "Array.from(document.querySelectorAll('.md-nav--primary .md-nav__link'))"
        ".map(a => a.textContent.trim())"
    )
    return titles


async def test_a_reader_finds_the_guides_searches_and_reads_highlighted_code(
    served: str,
) -> None:
    async with open_page() as page:
        await page.goto(served)
        assert await _title(page) == "plane_async"
        titles = await _nav_titles(page)
        for section in ("Getting started", "Guides", "Integrations", "Command line",
                        "Reliability", "Performance", "API reference", "Changelog"):  # fmt: skip
            assert section in titles, titles
        home = await page.screenshot(SCREENSHOTS / "home.png")
        assert _png_size(home) == (1280, 900)
        assert len(home) > 20_000  # a rendered page, not a blank one

        # the navigation: the guide's link leads to the guide
        href = await page.evaluate(
            "Array.from(document.querySelectorAll('.md-nav--primary a.md-nav__link'))"
            ".find(a => a.textContent.trim() === 'Pagination and checkpoints').href"
        )
        await page.goto(href)
        assert await _title(page) == "Pagination"

        # one code block, highlighted by Pygments, with the copy button the theme adds
        code = await page.wait_for(
            "(() => { const b = document.querySelector('.highlight');"
            " return b && b.querySelector('[data-md-type=copy]') && b.querySelector('code .k')"
            " && b.querySelector('code').textContent; })()"
        )
        assert "page.resume_cursor" in code
        guide = await page.screenshot(SCREENSHOTS / "guide-pagination.png")
        assert _png_size(guide) == (1280, 900)

        # search: typed into the search box, answered from the site's index
        await page.evaluate("document.querySelector('.md-search__input').focus()")
        await page.type("deduplicator")
        results = await page.wait_for(
            "(() => { const r = document.querySelectorAll('.md-search-result__item');"
            " return r.length && Array.from(r).map(i => i.textContent).join(' | '); })()"
        )
        assert "Duplicates" in results or "Deduplicator" in results, results
