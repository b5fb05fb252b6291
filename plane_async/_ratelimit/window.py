"""The in-process sliding-window limiter: one per (base URL, API key) per process.

It is shared by every event loop and thread of the process: its state sits behind a lock,
its clock is ``time.monotonic`` (the same in every thread), and a waiter is woken on its own
loop (``call_soon_threadsafe`` when another thread admits it).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
import weakref
from bisect import bisect_right, insort
from collections import deque
from collections.abc import Callable, Mapping

from .headers import learned_limit, merge_learned, parse_rate_remaining, parse_retry_after_pause
from .rate import DEFAULT_PAUSE, Quota, RateLimit
from .window_slot import WindowSlot

__all__ = ["SlidingWindowLimiter"]

# Timers may fire a hair early (clock resolution, float rounding of "now + delay"); a stamp
# this close to leaving the window counts as gone, so a timer never re-arms for the same
# instant. A microsecond is far below any margin.
_EPSILON = 1e-6
#: Plane's default limit: assumed when the server sends no rate headers at all.
_PLANE_DEFAULT = RateLimit()


def _span(rate: RateLimit) -> float:
    """How long a stamp counts against ``rate``'s window."""
    return rate.period + rate.margin


def _implies(a: RateLimit, b: RateLimit) -> bool:
    """True if obeying window ``a`` always obeys window ``b`` (``b`` adds nothing)."""
    return a.requests <= b.requests and _span(a) >= _span(b)


class _Waiter:
    __slots__ = ("admitted", "future", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.future: asyncio.Future[None] = loop.create_future()
        self.admitted = False


def _deliver(future: asyncio.Future[None]) -> None:
    if not future.done():  # cancelled meanwhile: its task gives the slot back
        future.set_result(None)


class SlidingWindowLimiter:
    """Admit a request exactly when a sliding-window server would accept it.

    State: the stamps of finished requests still in a window (sorted), the number of
    requests in flight (reserved, not stamped yet: they count as used), a FIFO of waiters,
    and the end of any 429 pause. A slot is reserved when a waiter is admitted and stamped
    when its block exits, because the server stamped the request at some moment before the
    response arrived: stamping later never frees a slot early. A block left without a
    response is stamped as late as the server could still have counted it.

    One key given several limits (say 10 per second and 60 per minute) enforces all of
    them. ``rate=None`` learns the limit: one request at a time until a response's
    ``X-RateLimit-Remaining``/``X-RateLimit-Reset`` tell the window, then that window.

    After a 429 the server's window is full for reasons we may not see (another user of
    the key), so when the pause ends requests go one at a time until a response carrying
    ``X-RateLimit-Remaining`` resynchronises the count, or a whole period has passed.
    """

    __slots__ = (
        "__weakref__",
        "_clock",
        "_in_flight",
        "_learn",
        "_learned",
        "_lock",
        "_pause_until",
        "_probe_until",
        "_retry_cap",
        "_stamps",
        "_timer",
        "_waiters",
        "_windows",
    )

    def __init__(
        self, rate: RateLimit | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self._lock = threading.RLock()
        self._windows: tuple[RateLimit, ...] = () if rate is None else (rate,)
        self._learn = rate is None
        self._learned: RateLimit | None = None
        # The longest pause a 429 may impose: the largest cap any caller gave.
        self._retry_cap = _PLANE_DEFAULT.max_retry_after if rate is None else rate.max_retry_after
        self._stamps: deque[float] = deque()
        self._in_flight = 0
        self._waiters: deque[_Waiter] = deque()
        self._pause_until = -math.inf
        # While now < _probe_until, at most one request is in flight (after a 429).
        self._probe_until = -math.inf
        # (loop, when) of the pending timer; weak, so a finished loop is not kept alive.
        self._timer: tuple[weakref.ref[asyncio.AbstractEventLoop], float] | None = None

    def __repr__(self) -> str:
        limits = " + ".join(f"{w.requests} per {w.period:g}s" for w in self.windows)
        return (
            f"<SlidingWindowLimiter {limits or 'learning'} "
            f"in_flight={self._in_flight} in_window={len(self._stamps)} "
            f"waiting={len(self._waiters)}>"
        )

    @property
    def windows(self) -> tuple[RateLimit, ...]:
        """The limits in force, shortest window first: the ones given, and the learned one."""
        learned = self._learned
        if learned is None or any(_implies(w, learned) for w in self._windows):
            return self._windows
        kept = [w for w in self._windows if not _implies(learned, w)]
        return tuple(sorted([*kept, learned], key=_span))

    @property
    def learned(self) -> RateLimit | None:
        """The limit learned from the server's headers (None before a response, or when
        every caller gave an explicit limit)."""
        return self._learned if self._learn else None

    def tighten(self, rate: RateLimit | None) -> None:
        """Enforce ``rate`` too (None: learn the server's limit) on top of the others."""
        with self._lock:
            if rate is None:
                self._learn = True
                return
            self._retry_cap = max(self._retry_cap, rate.max_retry_after)
            if any(_implies(w, rate) for w in self._windows):
                return
            kept = [w for w in self._windows if not _implies(rate, w)]
            self._windows = tuple(sorted([*kept, rate], key=_span))
            self._wake()

    def idle(self) -> bool:
        """True when forgetting this limiter loses nothing the server still counts: no stamp
        in any window, nothing in flight or queued, no pause (a learned limit is learned
        again from the next response)."""
        with self._lock:
            now = self._clock()
            self._purge(now)
            # learning, before any response: stamps are kept until a window is known
            stamps = self._stamps
            if not self.windows and stamps and stamps[-1] <= now - DEFAULT_PAUSE:
                stamps = deque()
            return (
                not stamps
                and self._in_flight == 0
                and not self._waiters
                and self._pause_until <= now
                and self._probe_until <= now
            )

    def slot(self, *, timeout: float | None = None) -> WindowSlot:
        """``async with limiter.slot(timeout=...) as handle:`` around one request attempt."""
        return WindowSlot(self, timeout)

    def quota(self) -> Quota:
        """The live quota of the tightest window: free slots now, seconds until one frees.

        Before the server's limit is known it shows a limit of 1 (one request at a time).
        """
        with self._lock:
            now = self._clock()
            self._purge(now)
            paused = max(self._pause_until - now, 0.0)
            windows = self.windows
            if not windows:
                free = 1 if self._in_flight == 0 else 0
                next_in = 0.0 if free else math.inf
                return Quota(1, DEFAULT_PAUSE, free, next_in, paused, self._in_flight,
                             len(self._waiters))  # fmt: skip
            views = []
            for w in windows:
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
                paused_for=paused,
                in_flight=self._in_flight,
                waiting=len(self._waiters),
            )

    # -- the transport's side ------------------------------------------------------------

    async def _acquire(self) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if not self._waiters and self._blocked_until(self._clock()) is None:
                self._in_flight += 1
                return
            waiter = _Waiter(loop)
            self._waiters.append(waiter)
            if len(self._waiters) == 1:
                self._wake()  # arms the timer for when the window next has room
        try:
            await waiter.future
        except asyncio.CancelledError:
            with self._lock:
                if waiter.admitted:
                    # Admitted, then cancelled before it could run: nothing was sent, so
                    # the reserved slot goes to the next in line.
                    self._in_flight -= 1
                else:
                    with contextlib.suppress(ValueError):  # _wake dropped it already
                        self._waiters.remove(waiter)
                # It may have been the head, whose loop held the timer: the next one re-arms.
                self._wake()
            raise

    def _release(self, stamp: float | None, *, after: float = 0.0) -> None:
        """Give a slot back; ``stamp`` it (None: not counted) no earlier than ``after``."""
        with self._lock:
            self._in_flight -= 1
            if stamp is not None:
                insort(self._stamps, max(stamp, after, self._clock()))
            if self._waiters:
                # A queue blocked only by in-flight requests learns here when it may go.
                self._wake()

    def _observe(self, status: int, headers: Mapping[str, str]) -> None:
        with self._lock:
            now = self._clock()
            if status == 429:
                self._on_429(now, headers)
            else:
                self._on_counted(now, headers)
            self._wake()

    def _on_429(self, now: float, headers: Mapping[str, str]) -> None:
        pause = parse_retry_after_pause(headers, cap=self._retry_cap)
        self._pause_until = max(self._pause_until, now + pause)
        windows = self.windows
        longest = max((w.period for w in windows), default=DEFAULT_PAUSE)
        self._probe_until = max(self._probe_until, self._pause_until + longest)
        learned = self._learned
        if self._learn and learned is not None and learned is not _PLANE_DEFAULT:
            # The learned limit was too high (the server's shrank, or others use the key):
            # no more than what we already had in the window; headers raise it again. Not
            # Plane's default assumed for a server that sends no rate headers: nothing would
            # ever raise it again, so the pause and the probing after it do the work.
            self._purge(now)
            ours = sum(1 for s in self._stamps if s > now - _span(learned)) + self._in_flight - 1
            if ours < learned.requests:
                self._learned = RateLimit(max(ours, 1), learned.period)

    def _on_counted(self, now: float, headers: Mapping[str, str]) -> None:
        remaining = parse_rate_remaining(headers)
        if self._learn:
            self._learn_from(headers, remaining)
        if remaining is None:
            return
        if now >= self._pause_until:
            # A fresh count from the server ends the one-at-a-time probing after a 429
            # (a response that left before the pause ended may describe an older window).
            self._probe_until = -math.inf
        self._purge(now)
        # This response's own request is still in flight (stamped at the block's exit),
        # and the server counted it in its Remaining.
        own_free = min(self._room(w, now)[0] for w in self.windows) if self.windows else 0
        if remaining < own_free:
            # Someone else uses this key: count their requests as stamps made now, so we
            # never send more than the server says remains until the window moves.
            for _ in range(own_free - remaining):
                insort(self._stamps, now)

    def _learn_from(self, headers: Mapping[str, str], remaining: int | None) -> None:
        old = self._learned
        if remaining is None:
            if old is None:
                # No rate headers at all (an unthrottled endpoint, or an older server):
                # Plane's default until a response says otherwise.
                self._learned = _PLANE_DEFAULT
            return
        seen = learned_limit(headers)
        if seen is None:  # pragma: no cover - remaining is not None
            return
        if old is None or old is _PLANE_DEFAULT:
            self._learned = seen
            return
        self._learned = merge_learned(old, seen)

    # -- scheduling -----------------------------------------------------------------------

    def _purge(self, now: float) -> None:
        windows = self.windows
        if not windows:
            return
        # The windows are sorted by span: the last one keeps its stamps longest.
        horizon = now - _span(windows[-1]) + _EPSILON
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
        windows = self.windows
        serial = not windows or now < self._probe_until
        if serial and self._in_flight > 0:
            # Learning the limit, or probing after a 429: the in-flight exit wakes the queue.
            return math.inf
        for w in windows:
            until = max(until, self._room(w, now)[1])
        return until if until > now else None

    def _wake(self) -> None:
        """Admit waiters from the head of the queue while every window allows (locked)."""
        waiters = self._waiters
        running = asyncio._get_running_loop()
        while waiters:
            head = waiters[0]
            if head.loop.is_closed():  # its loop is gone: nobody will ever await it
                waiters.popleft()
                continue
            until = self._blocked_until(self._clock())
            if until is not None:
                if until != math.inf:
                    self._arm(head.loop, until, running)
                return
            waiters.popleft()
            self._in_flight += 1
            head.admitted = True
            if head.loop is running:
                _deliver(head.future)
                continue
            try:
                head.loop.call_soon_threadsafe(_deliver, head.future)
            except RuntimeError:  # closed between the check and the call
                self._in_flight -= 1

    def _arm(
        self,
        loop: asyncio.AbstractEventLoop,
        when: float,
        running: asyncio.AbstractEventLoop | None,
    ) -> None:
        timer = self._timer
        if timer is not None and timer[0]() is loop and timer[1] <= when and not loop.is_closed():
            return  # an earlier timer is pending on the head's loop; it re-arms when it fires
        self._timer = (weakref.ref(loop), when)
        # The limiter keeps no handle: a handle references its loop, and the limiter must not.
        if loop is running:
            loop.call_later(max(when - self._clock(), 0.0), self._on_timer, when)
        else:
            try:
                loop.call_soon_threadsafe(self._arm_here, when)
            except RuntimeError:  # closed: the waiters on it are being cancelled
                self._timer = None

    def _arm_here(self, when: float) -> None:
        asyncio.get_running_loop().call_later(max(when - self._clock(), 0.0), self._on_timer, when)

    def _on_timer(self, when: float) -> None:
        with self._lock:
            if self._timer is not None and self._timer[1] == when:
                self._timer = None
            self._wake()
