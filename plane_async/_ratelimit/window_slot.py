"""One request attempt's slot in the in-process sliding window (``SlidingWindowLimiter``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Protocol

from .headers import parse_rate_remaining
from .rate import DEFAULT_PAUSE, RateLimit

__all__ = ["Window", "WindowSlot"]


class Window(Protocol):
    """What a slot needs of its window: ``SlidingWindowLimiter``'s side for the transport."""

    _clock: Callable[[], float]

    @property
    def windows(self) -> tuple[RateLimit, ...]: ...

    async def _acquire(self) -> None: ...

    def _release(self, stamp: float | None, *, after: float = 0.0) -> None: ...

    def _observe(self, status: int, headers: Mapping[str, str]) -> None: ...


class WindowSlot:
    """One request attempt's slot: reserved on entry, stamped on exit.

    Stamped when the block exits after a response. Left without one (cancelled, timed out,
    the connection lost), the request may still reach the server until its ``timeout``
    has run out (a full window when it has none), so it is stamped then. Not stamped at all
    after a 401/403 without rate-limit headers: Plane checks the key and the permissions
    before its throttle, so it neither counted that request nor sent ``X-RateLimit-*``.
    """

    __slots__ = ("_counted", "_entered", "_entered_at", "_limiter", "_observed", "_timeout")

    def __init__(self, limiter: Window, timeout: float | None) -> None:
        self._limiter = limiter
        self._timeout = timeout
        self._entered = False
        self._entered_at = 0.0
        self._counted = True
        self._observed = False

    async def __aenter__(self) -> WindowSlot:
        if self._entered:
            raise RuntimeError("a limiter slot is single-use; call limiter.slot() again")
        await self._limiter._acquire()
        self._entered = True
        self._entered_at = self._limiter._clock()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        limiter = self._limiter
        now = limiter._clock()
        if not self._counted:
            limiter._release(None)
        elif self._observed:
            limiter._release(now)
        else:
            lease = self._timeout
            if lease is None:
                lease = max((w.period for w in limiter.windows), default=DEFAULT_PAUSE)
            limiter._release(now, after=self._entered_at + lease)

    def unsent(self) -> None:
        """The connection could not be made: nothing reached the server, no stamp."""
        self._counted = False

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Report the response: a 429 pauses every sender; rate headers resync the count."""
        self._observed = True
        if status in (401, 403) and parse_rate_remaining(headers) is None:
            self._counted = False  # refused before the server's throttle: frees at once
            return
        if status == 429:
            self._counted = False  # the server does not log a refused request
        self._limiter._observe(status, headers)
