"""What an export will cost before it starts, and what it cost when it ends."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .. import AsyncPlane
from ..types import Quota, RequestEvent, RequestStats
from ._progress import format_duration
from ._words import count

__all__ = ["Plan", "WindowBound", "minimum_seconds", "plan_export", "summary_lines"]


def _pages(count: int, per_page: int) -> int:
    """Requests to read ``count`` items: at least one (an empty list is one request)."""
    return max(1, math.ceil(count / per_page))


@attrs.frozen
class Plan:
    """Requests per resource (in the order of the files), and what each counts."""

    rows: tuple[tuple[str, int, str], ...]

    def resumed(self, finished: Mapping[str, float]) -> Plan:
        """The plan of a resumed run: each resource less the share already written."""
        rows = []
        for name, n, what in self.rows:
            done = finished.get(name, 0.0)
            if done >= 1.0:
                rows.append((name, 0, "written by an earlier run"))
            elif done > 0:
                left = math.ceil(n * (1 - done))
                rows.append((name, left, f"{what}; {done:.0%} written by an earlier run"))
            else:
                rows.append((name, n, what))
        return Plan(tuple(rows))

    @property
    def requests(self) -> int:
        return sum(n for _, n, _ in self.rows)

    def lines(self, quota: Quota) -> list[str]:
        width = max(len(name) for name, _, _ in self.rows)
        out = [f"  {name:<{width}}  {n:>9,} requests  {what}" for name, n, what in self.rows]
        total = self.requests
        seconds = minimum_seconds(total, quota)
        at_least = "at least " if any(w.startswith("at least") for _, _, w in self.rows) else ""
        out.append(
            f"  {'total':<{width}}  {total:>9,} requests, {at_least or 'about '}"
            f"{format_duration(seconds)} under "
            f"the rate limit ({quota.limit} requests per {quota.period:g} s)"
        )
        return out


def plan_export(
    counts: Iterable[Mapping[str, int]],
    *,
    per_page: int,
    include: Iterable[str],
    discovery: int = 0,
) -> Plan:
    """The requests an export needs, from each project's summary counts; ``discovery`` is
    what finding the projects and their counts took."""
    # a count the server sent as a string, null or nonsense is unknown: one request
    projects = [
        {k: n for k, v in (c.items() if isinstance(c, Mapping) else ()) if (n := _count(v)) >= 0}
        for c in counts
    ]
    total = {k: sum(c.get(k, 0) for c in projects) for k in
             ("states", "labels", "issues", "modules", "cycles")}  # fmt: skip

    def per_project(kind: str) -> int:
        return sum(_pages(c.get(kind, 0), per_page) for c in projects)

    n = len(projects)
    rows: list[tuple[str, int, str]] = [
        ("projects", discovery, f"{count(n, 'project')} and their counts (done)"),
        ("states", per_project("states"), count(total["states"], "state")),
        ("labels", per_project("labels"), count(total["labels"], "label")),
        ("members", n, f"the members of {count(n, 'project')}"),
        ("work-items", per_project("issues"), count(total["issues"], "work item")),
        ("modules", per_project("modules"), count(total["modules"], "module")),
        ("cycles", per_project("cycles"), count(total["cycles"], "cycle")),
        ("module-work-items", total["modules"], "at least one per module"),
        ("cycle-work-items", total["cycles"], "at least one per cycle"),
    ]
    for name in include:
        rows.append((name, total["issues"], f"at least one per work item ({name})"))
    return Plan(tuple(rows))


def _count(value: Any) -> int:
    """A summary count as an int; -1 when it is not a count."""
    if isinstance(value, bool):
        return -1
    if isinstance(value, int):
        return value if value >= 0 else -1
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return -1


def minimum_seconds(requests: int, quota: Quota) -> float:
    """The least time ``requests`` take under the window as ``quota`` describes it: the
    ``remaining`` slots go at once (after a 429's pause), those held by requests already in
    the window (this process's or another's) no sooner than ``next_slot_in``, and each slot
    serves again a ``period`` later."""
    if requests <= 0 or quota.limit <= 0:
        return 0.0
    start = quota.paused_for
    held = quota.limit - max(0, min(quota.remaining, quota.limit))
    rounds, index = divmod(requests - 1, quota.limit)
    first = start if index < quota.limit - held else max(start, quota.next_slot_in)
    return rounds * quota.period + first


class WindowBound:
    """The least time a run's requests could take under the key's window as the run found
    it. Pass it as ``on_response`` and ``watch`` the client: whenever the window is full, it
    notes the quota (which then says when the next slot frees) and the requests made so far,
    so requests already in the window, this process's or another's, count."""

    __slots__ = ("_last", "_marks", "_plane")

    def __init__(self) -> None:
        self._plane: AsyncPlane | None = None
        self._marks: list[tuple[int, Quota]] = []
        self._last = -math.inf

    def watch(self, plane: AsyncPlane) -> None:
        self._plane = plane

    def __call__(self, event: RequestEvent) -> None:
        plane = self._plane
        if plane is None:
            return
        quota = plane.quota()
        now = time.monotonic()
        # one note per period is enough: a later one in the same period bounds less
        if (quota.remaining == 0 or quota.paused_for > 0) and now - self._last >= quota.period:
            self._last = now
            self._marks.append((plane.stats.requests, quota))

    def seconds(self, requests: int, quota: Quota) -> float:
        """The bound for ``requests`` in all, under ``quota``'s limit and period."""
        fresh = attrs.evolve(quota, remaining=quota.limit, next_slot_in=0.0, paused_for=0.0)
        bound = minimum_seconds(requests, fresh)
        for done, seen in self._marks:
            bound = max(bound, minimum_seconds(requests - done, seen))
        return bound


def summary_lines(
    written: Mapping[str, int],
    stats: RequestStats,
    elapsed: float,
    quota: Quota,
    window: WindowBound | None = None,
) -> list[str]:
    """The figures of a finished run: the same counters the bars showed; the theoretical
    minimum counts the requests the run found in the window when ``window`` watched it."""
    least = (window or WindowBound()).seconds(stats.requests, quota)
    width = max(len(name) for name in written)
    lines = [f"  {name:<{width}}  {n:>9,}" for name, n in written.items()]
    lines.append(
        f"  requests {stats.requests:,} ({count(stats.retries, 'retry', 'retries')}, "
        f"{stats.rate_limited} answered 429); elapsed {format_duration(elapsed)}, theoretical "
        f"minimum under {count(quota.limit, 'request')} per {quota.period:g} s: "
        f"{format_duration(least)}"
    )
    return lines
