"""A loopback HTTP server that rate-limits exactly like Plane (DRF's sliding-window log).

Every accepted request's time is logged; a request is refused with 429 when ``requests``
of them fall in the last ``period`` seconds (a time leaves the window once it is
``period`` seconds old). Accepted responses carry ``X-RateLimit-Remaining`` (counting the
current request) and ``X-RateLimit-Reset``; a 429 carries ``Retry-After``, whole seconds
rounded up, as DRF's ``Throttled`` does, and no rate headers.

``WindowServer`` runs it in a child process, as a real server would be, so it does not take
CPU time from the clients being measured; ``GET /_stats`` returns its counters.
Standalone: ``python -m benchmarks._window_server REQUESTS PERIOD`` prints the port.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType

import aiohttp
from aiohttp import web

__all__ = ["WindowServer", "WindowStats"]

_REPO_ROOT = Path(__file__).resolve().parent.parent


#: an aiohttp request handler
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class _Window:
    def __init__(self, requests: int, period: float) -> None:
        self.requests = requests
        self.period = period
        self.accepted = 0
        self.refused = 0
        self.max_in_window = 0
        self.history: deque[float] = deque()

    async def handle(self, request: web.Request) -> web.Response:
        # time.monotonic() is the clock asyncio loops read, so client and server agree.
        now = time.monotonic()
        history = self.history
        while history and history[0] <= now - self.period:
            history.popleft()
        if len(history) >= self.requests:
            self.refused += 1
            wait = history[0] + self.period - now
            headers = {"Retry-After": str(math.ceil(wait))} if wait > 0 else {}
            return web.json_response(
                {"error_code": 5900, "error_message": "RATE_LIMIT_EXCEEDED"},
                status=429,
                headers=headers,
            )
        history.append(now)
        self.accepted += 1
        self.max_in_window = max(self.max_in_window, len(history))
        headers = {
            "X-RateLimit-Remaining": str(max(self.requests - len(history), 0)),
            "X-RateLimit-Reset": str(int(time.time() + self.period)),
        }
        return web.json_response({"id": self.accepted}, headers=headers)

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "accepted": self.accepted,
                "refused": self.refused,
                "max_in_window": self.max_in_window,
            }
        )


async def _serve(requests: int, period: float) -> None:
    window = _Window(requests, period)
    await serve_until_stdin_closes(window.handle, window.stats)


async def serve_until_stdin_closes(handle: Handler, stats: Handler) -> None:
    """Serve ``handle`` (and ``stats`` at /_stats) on a free loopback port, print the port,
    and stop when the parent process closes our stdin."""
    app = web.Application()
    app.router.add_get("/_stats", stats)
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    print(runner.addresses[0][1], flush=True)
    try:
        # Serve until the parent closes our stdin.
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    finally:
        await runner.cleanup()


class WindowStats:
    """What the server saw: accepted and refused requests, and the fullest window."""

    def __init__(self, accepted: int, refused: int, max_in_window: int) -> None:
        self.accepted = accepted
        self.refused = refused
        self.max_in_window = max_in_window


class WindowServer:
    """``async with WindowServer(20, 1.0) as server:`` then GET ``server.url``."""

    def __init__(self, requests: int, period: float) -> None:
        self.requests = requests
        self.period = period
        self.url = ""
        self._proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> WindowServer:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks._window_server",
            str(self.requests),
            str(self.period),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=_REPO_ROOT,  # so "-m benchmarks._window_server" resolves from anywhere
        )
        assert self._proc.stdout is not None
        port = int((await self._proc.stdout.readline()).decode())
        self.url = f"http://127.0.0.1:{port}/api/v1/"
        return self

    async def stats(self) -> WindowStats:
        """The server's counters so far."""
        async with (
            aiohttp.ClientSession() as session,
            session.get(self.url.split("/api/")[0] + "/_stats") as resp,
        ):
            data = json.loads(await resp.read())
        return WindowStats(data["accepted"], data["refused"], data["max_in_window"])

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1]), float(sys.argv[2])))
