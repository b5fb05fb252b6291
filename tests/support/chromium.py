"""Debian's Chromium, headless, driven over the DevTools protocol: enough to open a page,
read what it renders, type into it and take a screenshot.

No browser driver package: Chromium is started with ``--remote-debugging-port=0``, writes
the port it chose to ``DevToolsActivePort`` in its (fresh, temporary) profile folder, and
the test talks to the page's WebSocket with aiohttp. When ``chromium`` is not installed the
tests fail under CI (``CI`` set) and skip elsewhere; ``make test`` installs it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import os
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

__all__ = ["FLAGS", "Page", "chromium_binary", "open_page"]

#: headless, as root, and nothing that reaches for the network on its own
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_binary() -> str:
    found = shutil.which("chromium")
    if found is None:
        message = "chromium is not installed (make test installs Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


class Page:
    """One tab, through its DevTools WebSocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._ids = itertools.count(1)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events in between are dropped)."""
        command_id = next(self._ids)
        await self._ws.send_json({"id": command_id, "method": method, "params": params})
        while True:
            message = await self._ws.receive_json(timeout=30)
            if message.get("id") != command_id:
                continue
            if "error" in message:
                raise RuntimeError(f"{method}: {message['error']}")
            result: dict[str, Any] = message["result"]
            return result

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 20.0) -> Any:
        """Poll until the expression is truthy; its value. Fails with the expression."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"still false after {timeout} s: {expression}")
            await asyncio.sleep(0.1)

    async def goto(self, url: str) -> None:
        """Open the URL and wait until the document and its scripts have loaded."""
        await self.send("Page.navigate", url=url)
        await self.wait_for(f"location.href === {url!r} && document.readyState === 'complete'")

    async def type(self, text: str) -> None:
        """Type into the focused element, one key at a time, as a person would."""
        for char in text:
            await self.send("Input.dispatchKeyEvent", type="keyDown", text=char, key=char)
            await self.send("Input.dispatchKeyEvent", type="keyUp", key=char)

    async def screenshot(self, path: Path) -> bytes:
        """A PNG of the viewport, written to ``path``."""
        result = await self.send("Page.captureScreenshot", format="png")
        data = base64.b64decode(result["data"])
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_bytes, data)
        return data


def _read_port(marker: Path) -> int | None:
    words = marker.read_text().split() if marker.exists() else []
    return int(words[0]) if words else None


async def _devtools_port(profile: Path, proc: asyncio.subprocess.Process) -> int:
    marker = profile / "DevToolsActivePort"
    for _ in range(300):  # up to 30 s: a first start on a busy machine is slow
        if (port := await asyncio.to_thread(_read_port, marker)) is not None:
            return port
        if proc.returncode is not None:
            raise RuntimeError(f"chromium exited with {proc.returncode} before listening")
        await asyncio.sleep(0.1)
    raise RuntimeError("chromium wrote no DevToolsActivePort in 30 s")


@contextlib.asynccontextmanager
async def open_page(width: int = 1280, height: int = 900) -> AsyncIterator[Page]:
    """A fresh headless Chromium (its own empty profile) with one blank tab."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    try:
        proc = await asyncio.create_subprocess_exec(
            chromium_binary(),
            *FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            f"--window-size={width},{height}",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,  # its own process group: its helpers end with it
        )
        try:
            port = await _devtools_port(profile, proc)
            async with aiohttp.ClientSession() as session:
                async with session.get(f"http://127.0.0.1:{port}/json/list") as answer:
                    targets = await answer.json()
                tab = next(t for t in targets if t["type"] == "page")
                async with session.ws_connect(tab["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                    page = Page(ws)
                    await page.send("Page.enable")
                    await page.send("Runtime.enable")
                    await page.send(  # the viewport itself, whatever the window's frame
                        "Emulation.setDeviceMetricsOverride",
                        width=width, height=height, deviceScaleFactor=1, mobile=False,
                    )  # fmt: skip
                    yield page
        finally:
            await _stop(proc)
    finally:
        # the profile is removed once no helper of this browser can write to it any more
        await asyncio.to_thread(shutil.rmtree, profile, ignore_errors=True)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


async def _stop(proc: asyncio.subprocess.Process) -> None:
    """End the browser and every helper process it started (its process group)."""
    pgid = proc.pid  # the group this browser leads (start_new_session)
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        if _group_alive(pgid):
            os.killpg(pgid, sig)
        for _ in range(int(grace * 10)):
            if proc.returncode is not None and not _group_alive(pgid):
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.wait(), 0.1)
    await proc.wait()
