"""Fault injection settings, changeable while the server runs."""

from __future__ import annotations

import random
from collections.abc import Mapping
from urllib.parse import urlencode

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

    Every rate is a probability per request. Whether a request gets a fault is decided by
    ``random_seed``, the request (method, path and query) and how many times that same
    request reached the server before (see :meth:`planned`); never by the order concurrent
    requests arrive in. A retry of a page gets the same faults in every run, however the
    requests around it are scheduled.

    - ``fail_rate_503``: answer 503 with an HTML page, as a proxy in front of Plane would,
      before the request reaches the API (nothing is changed, the window is not charged).
    - ``reset_rate``: close the connection without any response, *after* the request took
      effect (a POST did create the object): the client cannot know.
    - ``truncate_rate``: send the real response's headers with the full Content-Length but
      only half of the body, then close.
    - ``burst_429``: the next ``burst_429`` authenticated requests, starting after
      ``burst_429_after`` more, get Plane's 429 with ``Retry-After: burst_retry_after``
      (whichever requests those are; a request of the burst gets no other fault).
    - ``latency`` and ``latency_jitter``: seconds added before each response
      (``latency + uniform(0, latency_jitter)``, from a generator seeded with
      ``random_seed``).
    """

    fail_rate_503: float = 0.0
    reset_rate: float = 0.0
    truncate_rate: float = 0.0
    burst_429: int = 0
    burst_429_after: int = 0
    burst_retry_after: int = 1
    latency: float = 0.0
    latency_jitter: float = 0.0
    _arrivals: dict[str, int] = attrs.field(init=False, factory=dict, repr=False, eq=False)

    def delay(self) -> float:
        if self.latency_jitter > 0:
            return self.latency + self.rng.uniform(0, self.latency_jitter)
        return self.latency

    def arrive(self, method: str, path: str, query: Mapping[str, str]) -> int:
        """Count one more arrival of this request; its number (1 for the first)."""
        key = _identity(method, path, query)
        arrival = self._arrivals.get(key, 0) + 1
        self._arrivals[key] = arrival
        return arrival

    def planned(self, method: str, path: str, query: Mapping[str, str], arrival: int) -> str | None:
        """The fault the ``arrival``-th (from 1) request ``method path?query`` gets at the
        current rates: ``"503"``, ``"reset"``, ``"truncate"`` or None; the 429 burst aside.

        Each arrival has its own three draws, from a generator seeded with ``random_seed``,
        the request and ``arrival``: the plan of one request does not depend on other
        requests, on their order, or on which rates are zero. A test can read the plan to
        show that its retry budget covers every page.
        """
        if self.fail_rate_503 <= 0 and self.reset_rate <= 0 and self.truncate_rate <= 0:
            return None
        draws = random.Random(f"{self.random_seed}\n{_identity(method, path, query)}\n{arrival}")
        fail, reset, truncate = draws.random(), draws.random(), draws.random()
        if fail < self.fail_rate_503:
            return "503"
        if reset < self.reset_rate:
            return "reset"
        if truncate < self.truncate_rate:
            return "truncate"
        return None

    def take_forced_429(self) -> bool:
        """Consume one request of the scheduled 429 burst; True if it must be refused."""
        if self.burst_429 <= 0:
            return False
        if self.burst_429_after > 0:
            self.burst_429_after -= 1
            return False
        self.burst_429 -= 1
        return True


def _identity(method: str, path: str, query: Mapping[str, str]) -> str:
    """A request as the fault plan knows it: the query's order does not matter."""
    return f"{method.upper()} {path}?{urlencode(sorted(query.items()))}"
