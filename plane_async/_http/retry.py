"""The retry policy, in one place: which requests may be sent again, after which answers,
and how long to pause first.

- A network fault, a 5xx (500, 502, 503, 504: a busy self-hosted Plane answers 500 when
  Postgres runs out of connections; openai-python and stripe retry it too) and a 2xx whose
  body is not JSON are retried for requests that are safe to repeat: the idempotent
  methods, and POST when the caller opts in (``retry_post``).
- A 429 is retried for any method (the server did not handle it), at once: the limiter
  closed its shared gate for ``Retry-After`` and the next slot waits for it. A route Plane
  does not count takes no slot, so its 429 is the answer.
- The pause is the server's ``Retry-After`` (capped at ``max_retry_after``) when a 5xx
  carries one, else exponential backoff with full jitter.
- A presigned upload or download (object storage, not Plane) names one object, so it is
  repeated after a network fault or any 5xx, whatever its method.
- After ``max_retries`` retries the last answer or fault is the caller's.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from .._protocol.wire import is_route_not_found, parse_retry_after

__all__ = [
    "IDEMPOTENT_METHODS",
    "RETRYABLE_STATUSES",
    "RetryPolicy",
    "backoff_delay",
    "can_retry_method",
]

#: statuses that mean "the server did not handle it, try again later"
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})
#: methods that are safe to repeat (Plane's PATCH sets fields, so repeating it is harmless)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PATCH", "PUT"})


def backoff_delay(
    attempt: int,
    *,
    base: float = 0.5,
    cap: float = 8.0,
    rand: Callable[[], float] = random.random,
) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**(attempt-1))]."""
    exponent: float = 2.0 ** max(0, attempt - 1)
    return rand() * min(cap, base * exponent)


def can_retry_method(method: str, *, retry_post: bool) -> bool:
    """GET, DELETE, PATCH (and other idempotent methods) are retried; POST only on opt-in."""
    return method.upper() in IDEMPOTENT_METHODS or retry_post


class RetryPolicy:
    """Decides, attempt by attempt, whether a request goes again and after how long."""

    __slots__ = ("backoff_base", "backoff_cap", "max_retries", "max_retry_after", "rand",
                 "retry_post")  # fmt: skip

    def __init__(
        self,
        *,
        max_retries: int,
        retry_post: bool,
        backoff_base: float,
        backoff_cap: float,
        max_retry_after: float,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.max_retries = max_retries
        self.retry_post = retry_post
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_retry_after = max_retry_after
        self.rand = rand

    def repeatable(self, method: str, retry_post: bool | None = None) -> bool:
        """True if ``method`` may be sent twice (``retry_post``: this call's opt-in)."""
        return can_retry_method(
            method, retry_post=self.retry_post if retry_post is None else retry_post
        )

    def backoff(self, attempt: int) -> float:
        """The pause after attempt number ``attempt`` failed (1 for the first)."""
        return backoff_delay(attempt, base=self.backoff_base, cap=self.backoff_cap, rand=self.rand)

    def after_fault(self, attempt: int, repeatable: bool) -> float | None:
        """A network fault, or a success whose body is not JSON: the pause before the next
        attempt, or None when the fault is the caller's."""
        if repeatable and attempt <= self.max_retries:
            return self.backoff(attempt)
        return None

    def after_status(
        self, attempt: int, status: int, headers: Mapping[str, str], *, repeatable: bool,
        metered: bool,
    ) -> float | None:  # fmt: skip
        """An answered attempt: the pause before sending again (0: at once, the limiter holds
        a 429's pause), or None when ``status`` is the answer."""
        if attempt > self.max_retries:
            return None
        if status == 429:
            return 0.0 if metered else None
        if status in RETRYABLE_STATUSES and repeatable:
            hinted = parse_retry_after(headers)
            return self.backoff(attempt) if hinted is None else min(hinted, self.max_retry_after)
        return None

    def after_storage_status(self, attempt: int, status: int) -> float | None:
        """Object storage answered ``status`` (not a success): the pause before sending the
        upload or download again, or None when it is the answer."""
        if status >= 500 and attempt <= self.max_retries:
            return self.backoff(attempt)
        return None

    @staticmethod
    def already_done(method: str, status: int, body: Any, *, uncertain: bool) -> bool:
        """A DELETE answered 404 after an attempt that may have reached the server: that
        attempt deleted it, and gone is what the caller asked for (a 404 for an unknown
        route is still an error)."""
        return status == 404 and method == "DELETE" and uncertain and not is_route_not_found(body)
