"""The HTTP exchange: one request in, a status, headers and body out. Everything above it
(the limiter slot, retries, decoding, errors) is the transport's.

:class:`HttpExchange` is the seam: :class:`~plane_async._http.aiohttp_exchange.AiohttpExchange`
sends over the network and is every client's default; ``plane_async.testing`` has one
that calls FakePlane's handlers in the same process, with no socket.

An exchange raises the client's errors: ``TransportError`` (``RequestTimeoutError`` for a
timeout) for a network fault, ``ResponseTooLargeError`` for a body over
``request.max_bytes``, and :class:`NotSent` around a ``TransportError`` when nothing can
have reached the server (no connection), so the rate limiter does not count the attempt.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from .._errors import TransportError

__all__ = ["HttpExchange", "HttpReply", "HttpRequest", "NotSent"]


class HttpRequest:
    """One request as sent: ``url`` is absolute, ``params`` its query, ``timeout`` the
    seconds this exchange may take (None: the exchange's default), ``max_bytes`` the
    largest body to accept once decompressed."""

    __slots__ = ("body", "headers", "max_bytes", "method", "params", "timeout", "url")

    def __init__(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout: float | None,
        max_bytes: int,
    ) -> None:
        self.method = method
        self.url = url
        self.params = params
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.max_bytes = max_bytes

    def __repr__(self) -> str:  # the headers hold the API key: never shown
        return f"<HttpRequest {self.method} {self.url}>"


class HttpReply:
    """What came back: any status (errors included), the headers and the raw body."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return f"<HttpReply {self.status} ({len(self.body)} bytes)>"


class NotSent(Exception):
    """Raised by an exchange around ``error`` when the request never left (no connection
    was made): the transport raises or retries ``error`` and gives the limiter slot back."""

    def __init__(self, error: TransportError) -> None:
        super().__init__(error)
        self.error = error


class HttpExchange(Protocol):
    """Sends one request and returns the reply; see the module's docstring for errors."""

    async def send(self, request: HttpRequest) -> HttpReply:
        """Send ``request`` and read the whole body."""
        ...

    async def aclose(self) -> None:
        """Release what the exchange holds (connections); idempotent."""
        ...
