"""A loopback aiohttp.web server whose answers each test scripts, path by path.

It needs nothing but aiohttp, so the tests that use it also run on the newest aiohttp
(where aioresponses cannot build responses).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import orjson
import pytest
from aiohttp import web

from plane_async import AsyncPlane

KEY = "plane_api_" + "7" * 32

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_response(
    body: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A response with ``body`` as JSON (any value: null, a list, a string...)."""
    return web.Response(
        status=status, body=orjson.dumps(body), headers=headers, content_type="application/json"
    )


def reset(request: web.Request) -> web.Response:
    """Close the connection without an answer (after the handler acted)."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)


class LocalServer:
    """Answers ``/api/v1/<path>`` with the handler set for it; 404 for anything else."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.hits: list[tuple[str, str, dict[str, str]]] = []
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    def on(self, path: str, handler: Handler) -> None:
        self.handlers[path] = handler

    def answer(self, path: str, body: Any, *, status: int = 200, **headers: str) -> None:
        """Always answer ``path`` with ``body`` as JSON."""

        async def handler(request: web.Request) -> web.StreamResponse:
            return json_response(body, status=status, headers=headers or None)

        self.on(path, handler)

    def count(self, path: str) -> int:
        return sum(1 for _, p, _ in self.hits if p == path)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/v1/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        self.hits.append((request.method, path, dict(request.query)))
        handler = self.handlers.get(path)
        if handler is None:
            return json_response({"error": "Page not found."}, status=404)
        return await handler(request)

    def client(self, **options: Any) -> AsyncPlane:
        settings: dict[str, Any] = {
            "api_key": KEY,
            "workspace": "acme",
            "base_url": self.base_url,
            "max_retries": 0,
            "retry_backoff": (0.0, 0.0),
        }
        settings.update(options)
        return AsyncPlane(**settings)


@pytest.fixture
async def local() -> AsyncIterator[LocalServer]:
    server = LocalServer()
    await server.start()
    try:
        yield server
    finally:
        await server.close()
