"""The in-process sliding-window limiter (one per API key and event loop)."""

from __future__ import annotations

import asyncio
import contextlib
import math
import weakref
from collections import deque
from collections.abc import Mapping
from types import TracebackType

from ._ratelimit import Quota, RateLimit, is_stricter, parse_rate_remaining, parse_retry_after_pause

__all__ = ["SlidingWindowLimiter"]

# Timers may fire a hair early (clock resolution, float rounding of "now + delay"); a stamp
# this close to leaving the window counts as gone, so a timer never re-arms for the same
# instant. A microsecond is far below any margin.
_EPSILON = 1e-6


class SlidingWindowLimiter:
    """Admit a request exactly when a sliding-window server would accept it.

    State: the stamps of finished requests still in the window (oldest first), the number of
    requests in flight (reserved, not stamped yet: they count as used), a FIFO of waiters,
    and the end of any 429 pause. A slot is reserved when a waiter is admitted and stamped
    with ``loop.time()`` when its block exits, because the server stamped the request at
    some moment before the response arrived: stamping later never frees a slot early.

    After a 429 the server's window is full for reasons we may not see (another user of
    the key), so when the pause ends requests go one at a time until a response carrying
    ``X-RateLimit-Remaining`` resynchronises the count, or a whole period has passed.
    """

    __slots__ = (
        "__weakref__",
        "_in_flight",
        "_loop_ref",
        "_pause_until",
        "_probe_until",
        "_rate",
        "_stamps",
        "_timer_at",
        "_waiters",
    )

    def __init__(self, rate: RateLimit) -> None:
        self._rate = rate
        self._stamps: deque[float] = deque()
        self._in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._pause_until = -math.inf
        # While now < _probe_until, at most one request is in flight (after a 429).
        self._probe_until = -math.inf
        self._timer_at: float | None = None
        # Weak, so the process-wide registry (keyed weakly by loop) never keeps a loop alive.
        self._loop_ref: weakref.ref[asyncio.AbstractEventLoop] | None = None
        with contextlib.suppress(RuntimeError):  # made outside a loop: the first user binds it
            self._bind()

    def __repr__(self) -> str:
        rate = self._rate
        return (
            f"<SlidingWindowLimiter {rate.requests} per {rate.period:g}s "
            f"in_flight={self._in_flight} in_window={len(self._stamps)} "
            f"waiting={len(self._waiters)}>"
        )

    @property
    def rate(self) -> RateLimit:
        """The limit in force (the stricter of every limit given for this key)."""
        return self._rate

    def tighten(self, rate: RateLimit) -> None:
        """Apply ``rate`` if it is stricter than the current limit; otherwise keep it."""
        if is_stricter(rate, self._rate):
            self._rate = rate
            self._wake()

    def slot(self) -> _Slot:
        """``async with limiter.slot() as handle:`` around one request attempt."""
        return _Slot(self)

    def quota(self) -> Quota:
        """The live quota: free slots now, seconds until the next frees, pause left."""
        rate = self._rate
        loop = self._loop()
        if loop is None:
            return Quota(rate.requests, rate.period, rate.requests, 0.0, 0.0)
        now = loop.time()
        self._purge(now)
        used = len(self._stamps) + self._in_flight
        remaining = max(rate.requests - used, 0)
        if remaining > 0:
            next_in = 0.0
        else:
            excess = used - rate.requests + 1
            if excess <= len(self._stamps):
                next_in = self._stamps[excess - 1] + rate.period + rate.margin - now
            else:
                # Requests still in flight free their slot a full window after they finish.
                next_in = rate.period + rate.margin
        return Quota(
            limit=rate.requests,
            period=rate.period,
            remaining=remaining,
            next_slot_in=max(next_in, 0.0),
            paused_for=max(self._pause_until - now, 0.0),
            in_flight=self._in_flight,
            waiting=len(self._waiters),
        )

    # -- the transport's side ------------------------------------------------------------

    async def _acquire(self) -> None:
        loop = self._bind()
        if not self._waiters and self._blocked_until(loop.time()) is None:
            self._in_flight += 1
            return
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        if len(self._waiters) == 1:
            self._wake()  # arms the timer for when the window next has room
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                # Admitted, then cancelled before it could run: nothing was sent, so the
                # reserved slot goes to the next in line.
                self._in_flight -= 1
                self._wake()
            else:
                with contextlib.suppress(ValueError):  # _wake may have dropped it already
                    self._waiters.remove(waiter)
            raise

    def _release(self, *, counted: bool = True) -> None:
        loop = self._loop()
        now = loop.time() if loop is not None else 0.0
        self._in_flight -= 1
        if counted:
            # Stamps stay sorted: loop.time() never goes back.
            self._stamps.append(now)
        if self._waiters:
            # A queue blocked only by in-flight requests learns here when it may go.
            self._wake()

    def _observe(self, status: int, headers: Mapping[str, str]) -> None:
        loop = self._loop()
        if loop is None:
            return
        now = loop.time()
        rate = self._rate
        if status == 429:
            pause = parse_retry_after_pause(headers, cap=rate.max_retry_after)
            self._pause_until = max(self._pause_until, now + pause)
            self._probe_until = max(self._probe_until, self._pause_until + rate.period)
            self._wake()
            return
        remaining = parse_rate_remaining(headers)
        if remaining is None:
            return
        if now >= self._pause_until:
            # A fresh count from the server ends the one-at-a-time probing after a 429
            # (a response that left before the pause ended may describe an older window).
            self._probe_until = -math.inf
        self._purge(now)
        own_free = rate.requests - len(self._stamps) - self._in_flight
        if remaining < own_free:
            # Someone else uses this key: count their requests as stamps made now, so we
            # never send more than the server says remains until the window moves.
            self._stamps.extend([now] * (own_free - remaining))
        self._wake()

    # -- scheduling -----------------------------------------------------------------------

    def _bind(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop_ref is None:
            self._loop_ref = weakref.ref(loop)
        elif self._loop_ref() is not loop:
            raise RuntimeError(
                "this rate limiter belongs to another event loop; "
                "use plane_async's shared limiter for the running loop"
            )
        return loop

    def _loop(self) -> asyncio.AbstractEventLoop | None:
        return self._loop_ref() if self._loop_ref is not None else None

    def _purge(self, now: float) -> None:
        horizon = now - self._rate.period - self._rate.margin + _EPSILON
        stamps = self._stamps
        while stamps and stamps[0] <= horizon:
            stamps.popleft()

    def _blocked_until(self, now: float) -> float | None:
        """None if a request may start now, else when it may (inf: after an exit)."""
        rate = self._rate
        self._purge(now)
        until = self._pause_until if self._pause_until > now + _EPSILON else now
        if now < self._probe_until and self._in_flight > 0:
            # Probing after a 429: the in-flight request's exit wakes the queue.
            return math.inf
        used = len(self._stamps) + self._in_flight
        if used >= rate.requests:
            excess = used - rate.requests + 1
            if excess > len(self._stamps):
                return math.inf
            until = max(until, self._stamps[excess - 1] + rate.period + rate.margin)
        return until if until > now else None

    def _wake(self) -> None:
        """Admit waiters from the head of the queue while the window allows."""
        loop = self._loop()
        if loop is None or loop.is_closed():
            return
        waiters = self._waiters
        while waiters:
            head = waiters[0]
            if head.done():  # cancelled; its task removes it too, harmlessly
                waiters.popleft()
                continue
            until = self._blocked_until(loop.time())
            if until is not None:
                if until != math.inf:
                    self._arm(loop, until)
                return
            waiters.popleft()
            self._in_flight += 1
            head.set_result(None)

    def _arm(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._timer_at is not None and self._timer_at <= when:
            return  # an earlier timer is pending; it re-arms when it fires
        self._timer_at = when
        # The limiter keeps no handle: a handle references its loop, and the limiter must not.
        loop.call_at(when, self._on_timer, when)

    def _on_timer(self, when: float) -> None:
        if self._timer_at == when:
            self._timer_at = None
        self._wake()


class _Slot:
    """One request attempt's slot: reserved on entry, stamped on exit.

    Always stamped, except after a 401/403 without rate-limit headers: Plane checks the key
    and the permissions before its throttle, so it neither counted that request nor sent
    ``X-RateLimit-*``; holding its slot for a whole period would waste capacity.
    """

    __slots__ = ("_counted", "_entered", "_limiter")

    def __init__(self, limiter: SlidingWindowLimiter) -> None:
        self._limiter = limiter
        self._entered = False
        self._counted = True

    async def __aenter__(self) -> _Slot:
        if self._entered:
            raise RuntimeError("a limiter slot is single-use; call limiter.slot() again")
        await self._limiter._acquire()
        self._entered = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Stamped even on an error or cancellation: the request may have reached the server.
        self._limiter._release(counted=self._counted)

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Report the response: a 429 pauses every sender; rate headers resync the count."""
        if status in (401, 403) and parse_rate_remaining(headers) is None:
            self._counted = False  # refused before the server's throttle: frees at once
            return
        self._limiter._observe(status, headers)
