"""DRF's ``SimpleRateThrottle`` sliding-window log, per API key, as Plane configures it."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

__all__ = ["SlidingWindow", "Verdict"]


class Verdict:
    """Outcome of one check: ``allowed`` with the headers, or ``retry_after`` seconds."""

    __slots__ = ("allowed", "remaining", "reset", "retry_after")

    def __init__(
        self, allowed: bool, remaining: int = 0, reset: int = 0, retry_after: float = 0.0
    ) -> None:
        self.allowed = allowed
        self.remaining = remaining
        self.reset = reset
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        if self.allowed:
            return {
                "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Reset": str(self.reset),
            }
        # DRF: headers["Retry-After"] = "%d" % wait, only when wait is truthy.
        return {"Retry-After": str(int(self.retry_after))} if self.retry_after else {}


def _loop_time() -> float:
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        return time.monotonic()


class SlidingWindow:
    """At most ``requests`` per ``period`` seconds in any window, per key.

    ``max_in_window`` is the most requests (admitted or refused) seen inside one window,
    so it exceeds ``requests`` exactly when a client sent more than the server allows.
    """

    def __init__(
        self,
        requests: int,
        period: float,
        *,
        clock: Callable[[], float] | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.requests = requests
        self.period = period
        #: the running event loop's clock (time.monotonic on a real loop), so a server
        #: called in process on a virtual clock sees its windows pass
        self._clock = _loop_time if clock is None else clock
        self._wall = wall
        self._history: dict[str, deque[float]] = {}
        self._attempts: dict[str, deque[float]] = {}
        self.max_in_window = 0

    def check(self, key: str) -> Verdict:
        now = self._clock()
        edge = now - self.period
        attempts = self._attempts.setdefault(key, deque())
        while attempts and attempts[0] <= edge:
            attempts.popleft()
        attempts.append(now)
        self.max_in_window = max(self.max_in_window, len(attempts))
        history = self._history.setdefault(key, deque())  # newest at the right
        while history and history[0] <= edge:
            history.popleft()
        if len(history) >= self.requests:
            remaining_duration = self.period - (now - history[0])
            available = self.requests - len(history) + 1
            wait = remaining_duration / available if available > 0 else 0.0
            return Verdict(False, retry_after=wait)
        history.append(now)
        return Verdict(
            True,
            remaining=max(0, self.requests - len(history)),
            reset=int(self._wall() + self.period),
        )

    def reset(self) -> None:
        """Forget every key's history (a fresh window)."""
        self._history.clear()
        self._attempts.clear()
