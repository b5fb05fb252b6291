"""What a limiter is, and where a client's limiter comes from.

A *limiter* (:class:`Limiter`) admits one key's requests: ``slot()`` around each attempt,
``quota()`` for a snapshot; a *slot* (:class:`SlotHandle`) hears about the response. A
*backend* (:class:`LimiterBackend`) gives the limiter of one (base URL, API key): the
in-process registry of sliding windows (``LocalLimiters``, the default), ``RedisLimiter``
(one window per key for a whole fleet), or :class:`OneLimiter` around a limiter a user
built. ``limiter_backend()`` turns what a user passes as ``limiter=`` into a backend.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from typing import Protocol, runtime_checkable

from .rate import Quota, RateLimit

__all__ = ["Limiter", "LimiterBackend", "OneLimiter", "SlotHandle"]


class SlotHandle(Protocol):
    """What the transport tells the limiter about the response to its request."""

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Feed the status and headers of the response.

        A 429 must pause every sender of the key (the transport retries a 429 at once and
        relies on the limiter for the wait); ``X-RateLimit-Remaining`` resyncs the count; a
        401/403 without rate headers was not counted by the server.
        """

    def unsent(self) -> None:
        """The request never left: the connection could not be made (refused, DNS, TLS).

        The server cannot count it, so its slot frees at once (a request that may have
        been sent and got no response keeps its slot until its timeout).
        """


@runtime_checkable
class Limiter(Protocol):
    """The backend protocol: the in-process limiter, or one shared across processes.

    ``async with limiter.slot(timeout=30.0) as handle:`` waits for a slot (first come,
    first served), holds it while the request is in flight, and stamps it when the block
    exits however it exits. Inside, ``handle.observe(status, headers)`` reports the
    response. A block left without a response (cancelled, timed out, connection lost) may
    still be counted by the server as late as the request's ``timeout`` allows, so its
    slot is held until then.
    """

    def slot(self, *, timeout: float | None = None) -> AbstractAsyncContextManager[SlotHandle]: ...

    def quota(self) -> Quota: ...


class LimiterBackend(abc.ABC):
    """Gives each client the limiter of its (base URL, API key).

    ``for_key`` is called once per client; ``release_key`` when that client closes, on its
    event loop, so the backend can let go of what it opened for it there.
    """

    __slots__ = ()

    @abc.abstractmethod
    def for_key(self, base_url: str, api_key: str, rate: RateLimit | None) -> Limiter:
        """The limiter of (``base_url``, ``api_key``), enforcing ``rate`` too (None: learn
        the limit the server announces). The key is never stored in clear."""

    async def release_key(self, limiter: Limiter) -> None:  # noqa: B027 - most have nothing
        """A client that got ``limiter`` from :meth:`for_key` is closing (on the running
        loop). Nothing to do unless the backend opened something for it."""


class OneLimiter(LimiterBackend):
    """A backend that gives every client the one :class:`Limiter` a user built
    (``AsyncPlane(limiter=my_limiter)``). The limiter is the user's: it is never closed."""

    __slots__ = ("limiter",)

    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter

    def __repr__(self) -> str:
        return f"OneLimiter({self.limiter!r})"

    def for_key(self, base_url: str, api_key: str, rate: RateLimit | None) -> Limiter:
        return self.limiter
