"""The API key stays out of frame locals (debuggers, ``pytest -l``, error trackers that
keep locals), and a proxy can neither carry it in clear text nor show its credentials."""

from __future__ import annotations

import asyncio
import base64
import socket
import traceback
import uuid

import pytest
from aiohttp import web

from plane_async import AsyncPlane, NotFoundError, PlaneValueError, TransportError
from tests.support.local_server import KEY, LocalServer, json_response, local

__all__ = ["local"]

PID = uuid.UUID("8772363e-ab7b-4a87-ad25-922fd6c3f197")


def _with_locals(err: BaseException) -> str:
    """What ``pytest -l`` or an error tracker keeping locals prints: every frame's locals,
    along the whole cause/context chain."""
    return "".join(traceback.TracebackException.from_exception(err, capture_locals=True).format())


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_the_key_is_in_no_frame_local_of_a_404(local: LocalServer) -> None:
    seen: list[bool] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append(request.headers["X-API-Key"] == KEY)
        return json_response({"error": "The requested resource does not exist."}, status=404)

    local.on(f"workspaces/acme/projects/{PID}/", answer)
    async with local.client() as plane:
        with pytest.raises(NotFoundError) as info:
            await plane.projects.get(PID)
    assert seen == [True]  # the key was sent unchanged
    text = _with_locals(info.value)
    assert "headers = " in text  # the frames that hold the headers were captured
    assert KEY not in text
    assert "<redacted>" in text


async def test_the_key_is_in_no_frame_local_of_a_refused_connection() -> None:
    port = _closed_port()
    async with AsyncPlane(
        api_key=KEY, workspace="acme", base_url=f"http://127.0.0.1:{port}", max_retries=0
    ) as plane:
        with pytest.raises(TransportError) as info:
            await plane.users.me()
    text = _with_locals(info.value)
    assert "aiohttp" in text  # aiohttp's own frames (through __cause__) were captured
    assert KEY not in text


def test_a_half_built_client_prints_and_keeps_the_key_out_of_its_locals() -> None:
    with pytest.raises(PlaneValueError) as info:
        AsyncPlane(api_key=KEY, workspace="acme", base_url="ftp://plane.example.com")
    text = _with_locals(info.value)  # before: AttributeError from AsyncPlane.__repr__
    assert "AsyncPlane(base_url=None" in text
    assert KEY not in text


def test_the_redacted_key_is_still_the_key() -> None:
    plane = AsyncPlane(api_key=KEY, workspace="acme")
    key = plane._transport.settings.api_key
    assert key == KEY and str(key) == KEY and f"{key}" == KEY
    assert KEY not in repr(key) and KEY not in repr({"X-API-Key": key})


# ---------------------------------------------------------------------------- proxies


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "plane.internal"])
def test_plain_http_through_a_proxy_needs_allow_insecure_http(host: str) -> None:
    with pytest.raises(PlaneValueError, match="through a proxy"):
        AsyncPlane(api_key=KEY, base_url=f"http://{host}:8000", proxy="http://proxy.corp:3128")
    plane = AsyncPlane(
        api_key=KEY,
        base_url=f"http://{host}:8000",
        proxy="http://proxy.corp:3128",
        allow_insecure_http=True,
    )
    assert plane.base_url.startswith("http://")


def test_https_through_a_proxy_is_fine() -> None:
    plane = AsyncPlane(api_key=KEY, proxy="http://proxy.corp:3128")
    assert plane.base_url == "https://api.plane.so/api/v1/"


def test_proxy_credentials_appear_in_no_repr() -> None:
    plane = AsyncPlane(api_key=KEY, proxy="http://alice:s3cret-pw@proxy.corp:3128")
    transport = plane._transport
    shown = " ".join(
        [repr(plane), repr(transport), repr(transport.settings), repr(transport.settings.proxy)]
    )
    assert "s3cret-pw" not in shown and "alice" not in shown
    assert "proxy.corp:3128" in repr(transport.settings)
    assert transport.settings.proxy == "http://alice:s3cret-pw@proxy.corp:3128"  # sent as is


PROXY_TOKEN = base64.b64encode(b"alice:s3cret-pw").decode()


async def test_proxy_credentials_are_in_no_frame_local_of_a_refused_connection() -> None:
    port = _closed_port()
    async with AsyncPlane(
        api_key=KEY, proxy=f"http://alice:s3cret-pw@127.0.0.1:{port}", max_retries=0
    ) as plane:
        with pytest.raises(TransportError) as info:
            await plane.users.me()
    text = _with_locals(info.value)
    assert "proxy" in text and "aiohttp" in text  # aiohttp's proxy frames were captured
    assert "s3cret-pw" not in text and PROXY_TOKEN not in text
    assert KEY not in text


async def test_proxy_credentials_still_reach_the_proxy(local: LocalServer) -> None:
    seen: list[tuple[str, bool]] = []

    async def proxy(request: web.Request) -> web.Response:
        # an HTTP proxy gets the absolute URL and the credentials in Proxy-Authorization
        auth = request.headers.get("Proxy-Authorization")
        seen.append((str(request.url), auth == f"Basic {PROXY_TOKEN}"))
        return json_response({"id": str(PID), "display_name": "alice"})

    local.on("users/me/", proxy)
    proxy_url = local.base_url.replace("http://", "http://alice:s3cret-pw@")
    async with AsyncPlane(
        api_key=KEY,
        base_url="http://plane.internal:8000",
        proxy=proxy_url,
        allow_insecure_http=True,
        max_retries=0,
    ) as plane:
        me = await plane.users.me()
    assert me.display_name == "alice"
    assert seen == [("http://plane.internal:8000/api/v1/users/me/", True)]


async def test_proxy_credentials_go_on_the_connect_of_an_https_request() -> None:
    heads: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with AsyncPlane(
            api_key=KEY, proxy=f"http://alice:s3cret-pw@127.0.0.1:{port}", max_retries=0
        ) as plane:
            with pytest.raises(TransportError):
                await plane.users.me()
    finally:
        server.close()
        await server.wait_closed()
    assert heads[0].startswith(b"CONNECT api.plane.so:443 ")
    assert f"Proxy-Authorization: Basic {PROXY_TOKEN}\r\n".encode() in heads[0]
    assert KEY.encode() not in heads[0]  # the key only travels inside the tunnel
