"""The in-process sliding-window limiter (one per API key and event loop)."""

from __future__ import annotations

import asyncio
import contextlib
import math
import weakref
from bisect import bisect_right
from collections import deque
from collections.abc import Mapping
from types import TracebackType

from ._ratelimit import Quota, RateLimit, parse_rate_remaining, parse_retry_after_pause

__all__ = ["SlidingWindowLimiter"]

# Timers may fire a hair early (clock resolution, float rounding of "now + delay"); a stamp
# this close to leaving the window counts as gone, so a timer never re-arms for the same
# instant. A microsecond is far below any margin.
_EPSILON = 1e-6


def _span(rate: RateLimit) -> float:
    """How long a stamp counts against ``rate``'s window."""
    return rate.period + rate.margin


def _implies(a: RateLimit, b: RateLimit) -> bool:
    """True if obeying window ``a`` always obeys window ``b`` (``b`` adds nothing)."""
    return a.requests <= b.requests and _span(a) >= _span(b)


class SlidingWindowLimiter:
    """Admit a request exactly when a sliding-window server would accept it.

    State: the stamps of finished requests still in a window (oldest first), the number of
    requests in flight (reserved, not stamped yet: they count as used), a FIFO of waiters,
    and the end of any 429 pause. A slot is reserved when a waiter is admitted and stamped
    with ``loop.time()`` when its block exits, because the server stamped the request at
    some moment before the response arrived: stamping later never frees a slot early.

    One key given several limits (say 10 per second and 60 per minute) enforces all of
    them: the stamps are kept once, and a request goes only when every window has room.

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
        "_retry_cap",
        "_stamps",
        "_timer_at",
        "_waiters",
        "_windows",
    )

    def __init__(self, rate: RateLimit) -> None:
        self._windows: tuple[RateLimit, ...] = (rate,)
        # The longest pause a 429 may impose: the largest cap any caller gave.
        self._retry_cap = rate.max_retry_after
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
        limits = " + ".join(f"{w.requests} per {w.period:g}s" for w in self._windows)
        return (
            f"<SlidingWindowLimiter {limits} "
            f"in_flight={self._in_flight} in_window={len(self._stamps)} "
            f"waiting={len(self._waiters)}>"
        )

    @property
    def windows(self) -> tuple[RateLimit, ...]:
        """The limits in force, shortest window first (any limit another implies is dropped)."""
        return self._windows

    def tighten(self, rate: RateLimit) -> None:
        """Enforce ``rate`` too, on top of the limits already given for this key."""
        self._retry_cap = max(self._retry_cap, rate.max_retry_after)
        if any(_implies(w, rate) for w in self._windows):
            return
        kept = [w for w in self._windows if not _implies(rate, w)]
        self._windows = tuple(sorted([*kept, rate], key=_span))
        self._wake()

    def slot(self) -> _Slot:
        """``async with limiter.slot() as handle:`` around one request attempt."""
        return _Slot(self)

    def quota(self) -> Quota:
        """The live quota of the tightest window: free slots now, seconds until one frees."""
        loop = self._loop()
        if loop is None:
            rate = min(self._windows, key=lambda w: w.requests)
            return Quota(rate.requests, rate.period, rate.requests, 0.0, 0.0)
        now = loop.time()
        self._purge(now)
        views = []
        for w in self._windows:
            remaining, free_at = self._room(w, now)
            # Requests still in flight free their slot a full window after they finish.
            next_in = _span(w) if free_at == math.inf else max(free_at - now, 0.0)
            views.append((remaining, -next_in, w))
        remaining, neg_next_in, rate = min(views, key=lambda v: v[:2])
        return Quota(
            limit=rate.requests,
            period=rate.period,
            remaining=remaining,
            next_slot_in=-neg_next_in,
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
        if status == 429:
            pause = parse_retry_after_pause(headers, cap=self._retry_cap)
            self._pause_until = max(self._pause_until, now + pause)
            longest = max(w.period for w in self._windows)
            self._probe_until = max(self._probe_until, self._pause_until + longest)
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
        own_free = min(self._room(w, now)[0] for w in self._windows)
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
        # The windows are sorted by span: the last one keeps its stamps longest.
        horizon = now - _span(self._windows[-1]) + _EPSILON
        stamps = self._stamps
        while stamps and stamps[0] <= horizon:
            stamps.popleft()

    def _room(self, rate: RateLimit, now: float) -> tuple[int, float]:
        """Free slots in ``rate``'s window now, and when the next frees (``now`` if one is
        free, inf if only an in-flight request's exit can free one). Call after _purge."""
        stamps = self._stamps
        first = bisect_right(stamps, now - _span(rate) + _EPSILON)
        counted = len(stamps) - first
        used = counted + self._in_flight
        if used < rate.requests:
            return rate.requests - used, now
        excess = used - rate.requests + 1
        if excess > counted:
            return 0, math.inf
        return 0, stamps[first + excess - 1] + _span(rate)

    def _blocked_until(self, now: float) -> float | None:
        """None if a request may start now, else when it may (inf: after an exit)."""
        self._purge(now)
        until = self._pause_until if self._pause_until > now + _EPSILON else now
        if now < self._probe_until and self._in_flight > 0:
            # Probing after a 429: the in-flight request's exit wakes the queue.
            return math.inf
        for w in self._windows:
            until = max(until, self._room(w, now)[1])
        return until if until > now else None

    def _wake(self) -> None:
        """Admit waiters from the head of the queue while every window allows."""
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
