"""The default HTTP exchange, over aiohttp: the client's session (or a caller's), one
request, its body read under a size cap.

This module and ``storage.py`` are the only ones that touch aiohttp. aiohttp is imported
on first use, not with plane_async: it costs ~0.2 s to import (it builds SSL contexts at
import time), which short-lived scripts and CLIs would pay.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from typing import TYPE_CHECKING

from .._errors import ClientClosedError, PlaneValueError, RequestTimeoutError, TransportError
from .._secret import split_proxy
from .body import check_decoded_cost, too_large
from .exchange import HttpReply, HttpRequest, NotSent

if TYPE_CHECKING:
    import aiohttp

__all__ = ["AiohttpExchange", "client_timeout"]

_CHUNK = 1 << 16


def client_timeout(total: float | None, connect: float | None) -> aiohttp.ClientTimeout:
    """An aiohttp timeout: ``total`` for the whole exchange, ``connect`` for the connection."""
    import aiohttp

    return aiohttp.ClientTimeout(total=total, connect=connect)


class AiohttpExchange:
    """Requests over one aiohttp session: its own (opened on first use, in the running
    event loop, closed by :meth:`aclose`) or a caller's ``session=`` (never closed here)."""

    def __init__(
        self,
        *,
        timeout: float | None,
        connect_timeout: float | None,
        verify_ssl: bool,
        proxy: str | None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._total = timeout
        self._connect = connect_timeout
        self._verify_ssl = verify_ssl
        self._proxy = proxy
        self._session = session
        self._owns_session = session is None
        self._session_loop: weakref.ref[asyncio.AbstractEventLoop] | None = None
        self._timeout: aiohttp.ClientTimeout | None = None
        self._closed = False

    @property
    def holds_connections(self) -> bool:
        """True while a session this exchange opened (not a caller's) is still open."""
        session = self._session
        return self._owns_session and session is not None and not session.closed

    def session(self) -> aiohttp.ClientSession:
        """The session for the running event loop; ClientClosedError once closed."""
        if self._closed:
            raise ClientClosedError("this AsyncPlane is closed; create a new one")
        if self._timeout is None:
            self._timeout = client_timeout(self._total, self._connect)
        loop = asyncio.get_running_loop()
        if self._session is not None:
            self._check_session_loop(self._session, loop)
            return self._session
        self._session = _new_session(verify_ssl=self._verify_ssl, timeout=self._timeout)
        self._session_loop = weakref.ref(loop)
        return self._session

    def timeout(self, total: float | None = None) -> aiohttp.ClientTimeout:
        """The client's timeout, or one of ``total`` seconds (its connect part capped)."""
        if total is None:
            if self._timeout is None:
                self._timeout = client_timeout(self._total, self._connect)
            return self._timeout
        return client_timeout(total, min(total, self._connect or total))

    def _check_session_loop(
        self, session: aiohttp.ClientSession, loop: asyncio.AbstractEventLoop
    ) -> None:
        """An aiohttp session only works on the loop it was made on: say so clearly."""
        if self._owns_session:
            owner = self._session_loop() if self._session_loop is not None else None
            if owner is not loop:
                raise ClientClosedError(
                    "this AsyncPlane opened its connections in another event loop (a second "
                    "asyncio.run()?); a client belongs to one loop: create it inside the "
                    "coroutine that uses it, with `async with AsyncPlane(...)`"
                )
        elif getattr(session, "_loop", loop) is not loop:
            raise PlaneValueError(
                "the aiohttp session passed as session= belongs to another event loop; "
                "create it inside the loop that runs this client"
            )

    async def aclose(self) -> None:
        """Close the session this exchange opened (never a caller's). Idempotent."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    async def send(self, request: HttpRequest) -> HttpReply:
        """One exchange; network faults raise TransportError (NotSent around it when no
        connection was made)."""
        import aiohttp

        session = self.session()
        if session.closed:
            raise ClientClosedError("the aiohttp session passed as session= is closed")
        method, url, headers = request.method, request.url, request.headers
        proxy, proxy_headers = self._proxy, None
        if proxy is not None:
            proxy, proxy_headers = _proxy_args(proxy)
            if proxy_headers is not None and not url.startswith("https:"):
                # aiohttp sends proxy_headers on the CONNECT of an https request only; a plain
                # http request carries Proxy-Authorization itself
                headers, proxy_headers = {**headers, **proxy_headers}, None
        error: TransportError
        unsent = False
        try:
            async with session.request(
                method,
                url,
                params=request.params,
                data=request.body,
                headers=headers,
                allow_redirects=False,
                proxy=proxy,
                proxy_headers=proxy_headers,
                # Always explicit: a caller's session= has its own default timeout, and
                # the client's timeout= must apply to it too.
                timeout=self.timeout(request.timeout),
            ) as resp:
                raw = await _read_limited(resp, request.max_bytes, method, url)
                return HttpReply(resp.status, resp.headers, raw)
        except TimeoutError as exc:
            error = RequestTimeoutError(f"{method} {url} timed out", method=method, url=url)
            error.__cause__ = exc
        except aiohttp.ClientError as exc:
            error = TransportError(
                f"{method} {url} failed: {type(exc).__name__}: {_safe(exc)}",
                method=method,
                url=url,
            )
            # aiohttp's ClientResponseError (a malformed status line, header or chunk) holds
            # the request's headers, the API key among them, in its request_info and args:
            # chaining it would hand the key to whoever logs or inspects the error.
            if getattr(exc, "request_info", None) is None:
                error.__cause__ = exc
            # no connection, so nothing reached the server (the limiter gives the slot back)
            unsent = isinstance(exc, aiohttp.ClientConnectorError)
        # raised here, outside the handlers: the aiohttp error is no __context__ of ours
        if unsent:
            raise NotSent(error)
        raise error


def _new_session(*, verify_ssl: bool, timeout: aiohttp.ClientTimeout) -> aiohttp.ClientSession:
    """The session a client makes for itself (never used for a caller's ``session=``)."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=100, ssl=verify_ssl)
    session = aiohttp.ClientSession(connector=connector, timeout=timeout)
    # aiohttp silently re-sends a GET/PUT/DELETE once when the connection drops
    # (ServerDisconnectedError, ClientOSError). That hidden attempt bypasses the
    # limiter and max_retries, and the server may have counted (and executed) the
    # first one. Every attempt must be ours; aiohttp's own test client does the same.
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False
    return session


@functools.lru_cache(maxsize=8)
def _proxy_args(proxy: str) -> tuple[str, dict[str, str] | None]:
    return split_proxy(proxy)


async def _read_limited(resp: aiohttp.ClientResponse, limit: int, method: str, url: str) -> bytes:
    """The body, at most ``limit`` bytes once decompressed, and no more costly to decode
    than ``DECODED_FACTOR * limit`` bytes of Python objects."""
    raw = await _read_capped(resp, limit, method, url)
    check_decoded_cost(raw, limit, resp.status, method, url, resp.headers)
    return raw


async def _read_capped(resp: aiohttp.ClientResponse, limit: int, method: str, url: str) -> bytes:
    length = resp.content_length
    if length is not None and length > limit:
        raise too_large(resp.status, method, url, resp.headers, limit, length)
    encoding = resp.headers.get("Content-Encoding", "identity").lower()
    if length is not None and encoding == "identity":
        # aiohttp reads exactly Content-Length bytes here, so one read stays within the cap
        # and costs less CPU than collecting chunks. A compressed body may inflate past
        # its Content-Length, so it is counted as it is decoded, below.
        return await resp.read()
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise too_large(resp.status, method, url, resp.headers, limit, None)
        chunks.append(chunk)
    return b"".join(chunks)


def _safe(exc: BaseException) -> str:
    # str() of an aiohttp error names the URL or the connection (host, port), never the
    # request headers (its repr can: see send)
    return str(exc)[:300]
