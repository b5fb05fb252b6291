"""The in-process exchange: a client's requests handed to FakePlane's pipeline as
``aiohttp.web.Request`` objects, in the same event loop, with no socket and no port.

Tests that use it run on any event loop, a virtual clock too (latency and retry pauses
take no real time), and a fault that would break the connection (``reset_rate``,
``truncate_rate``) raises the ``TransportError`` aiohttp would. File uploads and
downloads go to the object storage over real HTTP: they need the loopback server.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

from aiohttp import __version__ as aiohttp_version
from aiohttp import web
from aiohttp.http import HttpVersion11, RawRequestMessage
from aiohttp.streams import EMPTY_PAYLOAD, StreamReader
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from .._client import AsyncPlane
from .._errors import TransportError
from .._http.body import check_decoded_cost, too_large
from .._http.exchange import HttpReply, HttpRequest, NotSent
from ._pipeline import BODY_LIMIT

__all__ = ["InProcessExchange", "Served", "in_process_client"]


class Served(Protocol):
    """What the exchange needs of a server (a ``FakePlane``): where it is, its key, and
    its pipeline."""

    @property
    def base_url(self) -> str: ...
    @property
    def api_key(self) -> str: ...
    @property
    def workspace(self) -> str: ...
    @property
    def running(self) -> bool: ...

    async def answer(self, request: web.Request) -> tuple[web.StreamResponse, str | None]: ...

    def record(
        self, request: web.Request, started: float, status: int, fault: str | None
    ) -> None: ...


_SERVER = f"Python aiohttp/{aiohttp_version} (FakePlane, in process)"


class InProcessExchange:
    """Sends each request to ``server``'s pipeline directly (an :class:`HttpExchange`)."""

    def __init__(self, server: Served) -> None:
        self._server = server
        self._closed = False

    def __repr__(self) -> str:
        return f"<InProcessExchange to {self._server!r}>"

    async def aclose(self) -> None:
        self._closed = True

    async def send(self, request: HttpRequest) -> HttpReply:
        server, method = self._server, request.method
        url = URL(request.url)
        if request.params:
            url = url.with_query([*url.query.items(), *request.params.items()])
        if self._closed or not server.running or _origin(url) != _origin(URL(server.base_url)):
            where = "is not running" if not server.running else f"is at {server.base_url}"
            error = TransportError(
                f"{method} {request.url} failed: ClientConnectorError: the in-process "
                f"FakePlane {where}",
                method=method,
                url=request.url,
            )
            raise NotSent(error)
        started = time.time()
        web_request = _web_request(method, url, request.headers, request.body)
        response, fault = await server.answer(web_request)
        server.record(web_request, started, 0 if fault == "reset" else response.status, fault)
        if fault is not None and fault in _BROKEN:
            raise TransportError(f"{method} {request.url} failed: {_BROKEN[fault]}",
                                 method=method, url=request.url)  # fmt: skip
        return _reply(request, response)


#: what aiohttp raises for a connection the server breaks
_BROKEN = {
    "reset": "ServerDisconnectedError: Server disconnected",
    "truncate": "ClientPayloadError: Response payload is not completed",
}


def _origin(url: URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host or "", url.port)


class _Flow:
    """The protocol side of a request body that is already complete (no flow control)."""

    _reading_paused = False

    def pause_reading(self, *args: Any, **kwargs: Any) -> None:
        pass

    def resume_reading(self, *args: Any, **kwargs: Any) -> None:
        pass


class _Transport:
    """What a request asks of its connection: nothing but where it came from."""

    _EXTRA: ClassVar[dict[str, Any]] = {"peername": ("127.0.0.1", 0), "sockname": ("127.0.0.1", 0)}

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._EXTRA.get(name, default)

    def is_closing(self) -> bool:
        return False


class _Protocol:
    """The parts of aiohttp's RequestHandler a ``web.Request`` reads (no socket here)."""

    ssl_context = None
    peername = ("127.0.0.1", 0)
    sockname = ("127.0.0.1", 0)
    transport = _Transport()
    writer = None


_PROTOCOL = _Protocol()


def _web_request(
    method: str, url: URL, headers: Mapping[str, str], body: bytes | None
) -> web.Request:
    """A ``web.Request`` as aiohttp's server builds it from the bytes of a request (built
    directly: aiohttp.test_utils' mocked one costs ~10 ms of CPU per request)."""
    fields = CIMultiDict(headers)
    fields["Host"] = url.raw_authority
    loop = asyncio.get_running_loop()
    payload: StreamReader = EMPTY_PAYLOAD
    if body is not None:
        fields["Content-Length"] = str(len(body))
        payload = StreamReader(_Flow(), 2**16, loop=loop)  # type: ignore[arg-type]
        payload.feed_data(body)
        payload.feed_eof()
    target = url.raw_path_qs
    frozen = CIMultiDictProxy(fields)
    raw = tuple((k.encode(), v.encode()) for k, v in frozen.items())
    message = RawRequestMessage(
        method, target, HttpVersion11, frozen, raw, False, None, False, False, URL(target)
    )
    task = asyncio.current_task()
    return web.Request(
        message, payload, _PROTOCOL, None, task, loop,  # type: ignore[arg-type]
        client_max_size=BODY_LIMIT * 2,
    )  # fmt: skip


def _reply(request: HttpRequest, response: web.StreamResponse) -> HttpReply:
    """The response as the client would read it: the headers aiohttp's server adds, the
    body under the client's caps."""
    body = response.body if isinstance(response, web.Response) else None
    raw = bytes(body) if isinstance(body, bytes | bytearray) else b""
    headers = CIMultiDict(response.headers)
    headers["Content-Length"] = str(len(raw))
    headers.setdefault("Date", email.utils.formatdate(usegmt=True))
    headers.setdefault("Server", _SERVER)
    status, limit = response.status, request.max_bytes
    if len(raw) > limit:
        raise too_large(status, request.method, request.url, headers, limit, len(raw))
    check_decoded_cost(raw, limit, status, request.method, request.url, headers)
    return HttpReply(status, headers, raw)


def in_process_client(server: Served, **options: Any) -> AsyncPlane:
    """An AsyncPlane for ``server`` whose API requests go through an InProcessExchange."""
    if not server.running:
        raise RuntimeError(
            "start the server first: `async with FakePlane(...) as server:` (add "
            "listen=False to serve without a socket)"
        )
    settings: dict[str, Any] = {
        "api_key": server.api_key,
        "workspace": server.workspace,
        "base_url": server.base_url,
        # nothing leaves the process: the API key travels over no network at all
        "allow_insecure_http": True,
        **options,
    }
    return AsyncPlane._over(InProcessExchange(server), **settings)
