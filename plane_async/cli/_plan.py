"""What an export will cost before it starts, and what it cost when it ends."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import attrs

from .. import Quota, RequestStats
from ._progress import format_duration
from ._words import count

__all__ = ["Plan", "minimum_seconds", "plan_export", "summary_lines"]


def _pages(count: int, per_page: int) -> int:
    """Requests to read ``count`` items: at least one (an empty list is one request)."""
    return max(1, math.ceil(count / per_page))


@attrs.frozen
class Plan:
    """Requests per resource (in the order they run), and what each counts."""

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
    projects = list(counts)
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


def minimum_seconds(requests: int, quota: Quota) -> float:
    """The least time ``requests`` take under the window (the first ``limit`` go at once)."""
    if requests <= 0 or quota.limit <= 0:
        return 0.0
    return max(0, math.ceil(requests / quota.limit) - 1) * quota.period


def summary_lines(
    written: Mapping[str, int], stats: RequestStats, elapsed: float, quota: Quota
) -> list[str]:
    """The figures of a finished run: the same counters the bars showed."""
    width = max(len(name) for name in written)
    lines = [f"  {name:<{width}}  {n:>9,}" for name, n in written.items()]
    lines.append(
        f"  requests {stats.requests:,} ({count(stats.retries, 'retry', 'retries')}, "
        f"{stats.rate_limited} answered 429); elapsed {format_duration(elapsed)}, theoretical "
        f"minimum under {count(quota.limit, 'request')} per {quota.period:g} s: "
        f"{format_duration(minimum_seconds(stats.requests, quota))}"
    )
    return lines
