"""Fault injection settings, changeable while the server runs."""

from __future__ import annotations

import random

import attrs

__all__ = ["Faults", "SeededFaults"]


@attrs.define
class SeededFaults:
    """Base of the fault settings: rates drawn from a generator seeded with ``random_seed``
    (keyword-only), so a run is reproducible."""

    random_seed: int = attrs.field(default=0, kw_only=True)
    rng: random.Random = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        self.rng = random.Random(self.random_seed)

    def roll(self, rate: float) -> bool:
        """True with probability ``rate`` (no draw at all when the rate is 0)."""
        return rate > 0 and self.rng.random() < rate


@attrs.define
class Faults(SeededFaults):
    """What goes wrong, and how often. Assign attributes at any time to change them.

    Every rate is a probability per request, drawn from a generator seeded with
    ``random_seed`` so a run is reproducible.

    - ``fail_rate_503``: answer 503 with an HTML page, as a proxy in front of Plane would,
      before the request reaches the API (nothing is changed, the window is not charged).
    - ``reset_rate``: close the connection without any response, *after* the request took
      effect (a POST did create the object): the client cannot know.
    - ``truncate_rate``: send the real response's headers with the full Content-Length but
      only half of the body, then close.
    - ``burst_429``: the next ``burst_429`` authenticated requests, starting after
      ``burst_429_after`` more, get Plane's 429 with ``Retry-After: burst_retry_after``.
    - ``latency`` and ``latency_jitter``: seconds added before each response
      (``latency + uniform(0, latency_jitter)``).
    """

    fail_rate_503: float = 0.0
    reset_rate: float = 0.0
    truncate_rate: float = 0.0
    burst_429: int = 0
    burst_429_after: int = 0
    burst_retry_after: int = 1
    latency: float = 0.0
    latency_jitter: float = 0.0

    def delay(self) -> float:
        if self.latency_jitter > 0:
            return self.latency + self.rng.uniform(0, self.latency_jitter)
        return self.latency

    def take_forced_429(self) -> bool:
        """Consume one request of the scheduled 429 burst; True if it must be refused."""
        if self.burst_429 <= 0:
            return False
        if self.burst_429_after > 0:
            self.burst_429_after -= 1
            return False
        self.burst_429 -= 1
        return True
