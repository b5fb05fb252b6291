"""The wait budget: how long one call may take, limiter queue and retry pauses included.

A service answering its own callers would rather say "503, try again in N s" at once than
hold a socket while the call queues for a rate-limit slot for a minute. The budget is a
deadline on the event loop's clock; the transport checks it before a wait it can predict
(a 429 pause, a queue longer than the budget) and bounds the waits it cannot.
"""

from __future__ import annotations

import asyncio
import math

import attrs

from .._errors import WaitBudgetExceededError
from .._protocol.checks import check_budget
from .._ratelimit.limiter import Quota

__all__ = ["Budget", "check_budget", "over_budget", "retry_after_estimate"]


@attrs.frozen
class Budget:
    """``seconds`` allowed from ``deadline - seconds`` on, on the running loop's clock."""

    seconds: float
    deadline: float

    @classmethod
    def start(cls, seconds: float) -> Budget:
        return cls(seconds, asyncio.get_running_loop().time() + seconds)

    def left(self) -> float:
        return self.deadline - asyncio.get_running_loop().time()


def retry_after_estimate(quota: Quota) -> float:
    """Seconds until a call made now could expect its slot, from the limiter's quota.

    A lower bound while the callers queued ahead keep waiting: the 429 pause if one is on;
    else, when no slot is free, when the next one frees plus a whole period per ``limit``
    callers queued ahead (a sliding window frees at most ``limit`` slots per period). 0.0
    when a slot is free for it. A call refused on this estimate never joins the queue, so
    the queue holds only calls expected to get their slot in time.
    """
    wait = quota.paused_for
    if quota.remaining > quota.waiting:
        return wait
    next_in = quota.next_slot_in
    if not math.isfinite(next_in):
        # still learning the server's limit (one request at a time): no window to count by
        return wait
    ahead = max(quota.waiting - quota.remaining, 0)
    return max(wait, next_in + (ahead // max(quota.limit, 1)) * quota.period)


def over_budget(
    budget: Budget, retry_after: float, *, sent: bool, why: str
) -> WaitBudgetExceededError:
    """The error for a call whose budget cannot cover ``why`` (a slot, a retry, the answer)."""
    retry_after = max(retry_after, 0.0)
    return WaitBudgetExceededError(
        f"the call's wait_budget of {budget.seconds:g} s ran out waiting for {why}; "
        f"a slot is expected in {retry_after:.1f} s (raise wait_budget, or retry then)",
        retry_after=retry_after,
        budget=budget.seconds,
        sent=sent,
    )
