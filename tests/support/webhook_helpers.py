"""Receivers on 127.0.0.1 for the webhook tests: a recorder, a dead port, a real uvicorn."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import attrs
from aiohttp import web

from plane_async import AsyncPlane
from plane_async.models import Project
from plane_async.testing import FakePlane


@attrs.frozen
class Received:
    headers: dict[str, str]
    body: bytes


class Recorder:
    """An aiohttp.web app that records every POST and answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[Received] = []
        self.url = ""

    async def _handle(self, request: web.Request) -> web.Response:
        self.received.append(Received(dict(request.headers), await request.read()))
        return web.Response(status=self.status, text="ok")


@contextlib.asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Run ``app`` on a free loopback port; yields its base URL."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def recorder(status: int = 200) -> AsyncIterator[Recorder]:
    rec = Recorder(status)
    app = web.Application()
    app.router.add_post("/hook", rec._handle)
    async with serve(app) as base:
        rec.url = base + "/hook"
        yield rec


def dead_url() -> str:
    """A loopback URL nobody listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


@contextlib.asynccontextmanager
async def uvicorn_server(app: Any) -> AsyncIterator[str]:
    """``app`` under a real uvicorn on a socket that listens before uvicorn starts (so no
    polling for readiness: connections wait in the backlog)."""
    import asyncio

    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", ws="none", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def first_project(plane: AsyncPlane) -> Project:
    async for project in plane.projects.list():
        return project
    raise AssertionError("the fake server has no project")


def client(server: FakePlane) -> AsyncPlane:
    return AsyncPlane(api_key=server.api_key, workspace=server.workspace, base_url=server.base_url)
