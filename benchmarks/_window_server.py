"""A loopback HTTP server that rate-limits exactly like Plane (DRF's sliding-window log).

Every accepted request's time is logged; a request is refused with 429 when ``requests``
of them fall in the last ``period`` seconds (a time leaves the window once it is
``period`` seconds old). Accepted responses carry ``X-RateLimit-Remaining`` (counting the
current request) and ``X-RateLimit-Reset``; a 429 carries ``Retry-After``, whole seconds
rounded up, as DRF's ``Throttled`` does, and no rate headers.

Run it on the same event loop as the clients it serves, so both read one clock.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from types import TracebackType

from aiohttp import web

__all__ = ["WindowServer"]


class WindowServer:
    """``async with WindowServer(20, 1.0) as server:`` then GET ``server.url``."""

    def __init__(self, requests: int, period: float) -> None:
        self.requests = requests
        self.period = period
        self.accepted = 0
        self.refused = 0
        #: the most accepted requests ever seen in one window (never above ``requests``)
        self.max_in_window = 0
        self._history: deque[float] = deque()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> WindowServer:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/api/v1/"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        now = asyncio.get_running_loop().time()
        history = self._history
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
