"""One HTTP exchange over aiohttp: the session factory, a request sent inside a limiter
slot, and its body read under a size cap and decoded.

The retry loop, the limiter and the client's lifecycle live in ``_transport.py``; this
module and that one are the only ones that touch aiohttp. aiohttp is imported on first
use, not with plane_async: it costs ~0.2 s to import (it builds SSL contexts at import
time), which short-lived scripts and CLIs would pay.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson

from .._errors import APIError, RequestTimeoutError, ResponseTooLargeError, TransportError
from .._ratelimit.limiter import SlotHandle
from .._secret import split_proxy

if TYPE_CHECKING:
    import aiohttp

__all__ = ["Attempt", "client_timeout", "decode", "new_session", "send_once", "text"]

_CHUNK = 1 << 16


class Attempt:
    """What one attempt produced: a status with raw bytes, or a transport error."""

    __slots__ = ("elapsed", "error", "headers", "raw", "status")

    def __init__(self) -> None:
        self.elapsed = 0.0
        self.status = 0
        self.headers: Mapping[str, str] = {}
        self.raw = b""
        self.error: TransportError | APIError | None = None


def client_timeout(total: float | None, connect: float | None) -> aiohttp.ClientTimeout:
    """An aiohttp timeout: ``total`` for the whole exchange, ``connect`` for the connection."""
    import aiohttp

    return aiohttp.ClientTimeout(total=total, connect=connect)


def new_session(*, verify_ssl: bool, timeout: aiohttp.ClientTimeout) -> aiohttp.ClientSession:
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


async def send_once(
    session: aiohttp.ClientSession,
    slot: SlotHandle,
    method: str,
    url: str,
    *,
    params: Mapping[str, str] | None,
    body: bytes | None,
    headers: Mapping[str, str],
    timeout: aiohttp.ClientTimeout | None,
    proxy: str | None,
    max_bytes: int,
) -> Attempt:
    """One HTTP exchange inside a limiter slot; network faults come back in ``.error``."""
    import aiohttp

    out = Attempt()
    proxy_headers = None
    if proxy is not None:
        proxy, proxy_headers = _proxy_args(proxy)
        if proxy_headers is not None and not url.startswith("https:"):
            # aiohttp sends proxy_headers on the CONNECT of an https request only; a plain
            # http request carries Proxy-Authorization itself
            headers, proxy_headers = {**headers, **proxy_headers}, None
    started = time.perf_counter()  # after the limiter: the log shows the server's time
    try:
        async with session.request(
            method,
            url,
            params=params,
            data=body,
            headers=headers,
            allow_redirects=False,
            proxy=proxy,
            proxy_headers=proxy_headers,
            timeout=timeout if timeout is not None else session.timeout,
        ) as resp:
            out.status = resp.status
            out.headers = resp.headers
            out.raw = await _read_limited(resp, max_bytes, method, url)
    except TimeoutError as exc:
        out.error = RequestTimeoutError(f"{method} {url} timed out", method=method, url=url)
        out.error.__cause__ = exc
    except aiohttp.ClientError as exc:
        if isinstance(exc, aiohttp.ClientConnectorError):
            slot.unsent()  # no connection, so nothing reached the server to count
        out.error = TransportError(
            f"{method} {url} failed: {type(exc).__name__}: {_safe(exc)}",
            method=method,
            url=url,
        )
        # aiohttp's ClientResponseError (a malformed status line, header or chunk) holds
        # the request's headers, the API key among them, in its request_info and args:
        # chaining it would hand the key to whoever logs or inspects the error.
        if getattr(exc, "request_info", None) is None:
            out.error.__cause__ = exc
    out.elapsed = time.perf_counter() - started
    if out.error is None:
        slot.observe(out.status, out.headers)
    return out


@functools.lru_cache(maxsize=8)
def _proxy_args(proxy: str) -> tuple[str, dict[str, str] | None]:
    return split_proxy(proxy)


async def _read_limited(resp: aiohttp.ClientResponse, limit: int, method: str, url: str) -> bytes:
    """The body, at most ``limit`` bytes once decompressed, and no more costly to decode
    than ``DECODED_FACTOR * limit`` bytes of Python objects."""
    raw = await _read_capped(resp, limit, method, url)
    cost = decoded_cost(raw, DECODED_FACTOR * limit)
    if cost is not None:
        # A small compressed body can inflate to a body under the cap that decodes into
        # gigabytes of Python objects (61 KB of gzip, 60 MiB of "[],", 1.9 GB decoded).
        raise ResponseTooLargeError(
            f"decoding this {len(raw)}-byte body would build about {cost >> 20} MiB of "
            f"Python objects, more than {DECODED_FACTOR} x max_response_bytes={limit}; "
            "raise max_response_bytes if this response is expected",
            status=resp.status, method=method, url=url, headers=resp.headers,
        )  # fmt: skip
    return raw


async def _read_capped(resp: aiohttp.ClientResponse, limit: int, method: str, url: str) -> bytes:
    length = resp.content_length
    if length is not None and length > limit:
        raise ResponseTooLargeError(
            f"response body of {length} bytes exceeds max_response_bytes={limit}",
            status=resp.status, method=method, url=url, headers=resp.headers,
        )  # fmt: skip
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
            raise ResponseTooLargeError(
                f"response body exceeds max_response_bytes={limit}",
                status=resp.status, method=method, url=url, headers=resp.headers,
            )  # fmt: skip
        chunks.append(chunk)
    return b"".join(chunks)


#: what decoding a body may build, as a multiple of max_response_bytes
DECODED_FACTOR = 4
# Python objects cost at most ~40x the JSON text that makes them (nested one-key objects);
# a body under budget / 48 cannot exceed the budget, so it is not even counted.
_WORST_EXPANSION = 48


def decoded_cost(raw: bytes, budget: int) -> int | None:
    """An upper estimate of the memory ``orjson.loads(raw)`` builds, if it exceeds
    ``budget``; None when it does not (always for a body under ``budget / 48``).

    Each object, array, string and value costs a Python object and a pointer: about 200
    bytes per ``{``, 64 per ``[``, 28 per ``"`` (two per string) and 32 per ``,``.
    Characters inside strings are counted too, which only overestimates.
    """
    if len(raw) * _WORST_EXPANSION <= budget:
        return None
    cost = (
        len(raw)
        + 200 * raw.count(b"{")
        + 64 * raw.count(b"[")
        + 28 * raw.count(b'"')
        + 32 * raw.count(b",")
    )
    return cost if cost > budget else None


def decode(raw: bytes) -> Any:
    """The parsed JSON body, or None for an empty one; raises orjson.JSONDecodeError."""
    if not raw.strip():
        return None
    return orjson.loads(raw)


def text(raw: bytes) -> str:
    """A body that is not JSON, as text for an error message."""
    return raw.decode("utf-8", errors="replace")


def _safe(exc: BaseException) -> str:
    # str() of an aiohttp error names the URL or the connection (host, port), never the
    # request headers (its repr can: see send_once)
    return str(exc)[:300]
