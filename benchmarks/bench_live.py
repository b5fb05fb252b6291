"""Export of a project while another client writes to it: exactness and extra requests.

``plane.issues.list(project_id, per_page=100)`` exports 20,000 work items from FakePlane
while ``plane_async.testing.ConcurrentWriter`` creates, deletes or updates one work item
every 10 requests the server receives (seeded). Reported: items yielded, survivors (items
that existed for the whole export), survivors missing, duplicates, and the requests beside
a quiet export of the same project. The server runs in this process (this measures
requests and exactness, not CPU).

Run: ``python -m benchmarks.bench_live [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from typing import Any

from benchmarks._common import Check, Section, table
from plane_async import AsyncPlane, RateLimit
from plane_async.testing import ConcurrentWriter, FakePlane, Seed

ITEMS = 20_000
PER_PAGE = 100
EVERY = 10
#: writer seeds; the live figures are summed over these runs (and the quiet ones scaled)
SEEDS = 5


async def _export(items: int, every: int | None, seed: int) -> dict[str, Any]:
    server = FakePlane(
        seed=Seed(issues_per_project=items, modules=0, cycles=0, labels=0), rate_limit=None
    )
    async with server:
        pid = next(iter(server.store.projects))
        project = server.store.projects[pid]
        before = {i.id for i in project.issues if server.store.visible(i)}
        async with AsyncPlane(
            api_key=server.api_key,
            workspace=server.workspace,
            base_url=server.base_url,
            rate_limit=RateLimit(1_000_000, 1.0),
            max_per_page=1000,
        ) as plane:
            writer = ConcurrentWriter(server, every=every or 1, seed=seed)
            if every:
                writer.start()
            started = time.perf_counter()
            got = [str(i.id) async for i in plane.issues.list(pid, per_page=PER_PAGE)]
            elapsed = time.perf_counter() - started
            writer.stop()
        requests = sum(1 for r in server.requests if r.path.endswith("/work-items/"))
    survivors = before - set(writer.deleted)
    counts = Counter(got)
    return {
        "writes": len(writer.created) + len(writer.deleted) + len(writer.updated),
        "created": len(writer.created),
        "deleted": len(writer.deleted),
        "updated": len(writer.updated),
        "yielded": len(got),
        "survivors": len(survivors),
        "survivors_yielded": len(survivors & set(got)),
        "missing": len(survivors - set(got)),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "requests": requests,
        "seconds": elapsed,
    }


def run(quick: bool = False) -> Section:
    """Quiet export, then the same export under the writer; returns the section."""
    items = 2_000 if quick else ITEMS
    quiet = asyncio.run(_export(items, None, 0))
    runs = [asyncio.run(_export(items, EVERY, seed)) for seed in range(1, SEEDS + 1)]
    # summed over the seeded runs (a delete costs requests, a create does not)
    live = {k: sum(r[k] for r in runs) for k in runs[0]}
    quiet = {k: v * SEEDS if k != "seconds" else v for k, v in quiet.items()}
    extra = live["requests"] - quiet["requests"]
    rows = [
        [
            label,
            f"{r['writes']} ({r['created']}/{r['deleted']}/{r['updated']})",
            f"{r['yielded']:,}",
            f"{r['survivors']:,}",
            f"{r['survivors_yielded']:,}",
            r["missing"],
            r["duplicates"],
            r["requests"],
            f"{r['seconds']:.2f}",
        ]
        for label, r in (
            (f"quiet (x{SEEDS})", quiet),
            (f"1 write per {EVERY} requests ({SEEDS} seeds)", live),
        )
    ]
    body = table(
        [
            "export",
            "writes (create/delete/update)",
            "yielded",
            "survivors",
            "survivors yielded",
            "missing",
            "duplicates",
            "list requests",
            "seconds",
        ],
        rows,
        "lrrrrrrrr",
    )
    body += (
        f"\n\n{items:,} work items, per_page={PER_PAGE}, {SEEDS} exports under the writer "
        f"(seeds 1-{SEEDS}) summed. Extra requests under writes: "
        f"{extra} ({extra / max(quiet['requests'], 1):.1%} of a quiet export): each is a page "
        "read again after a delete shifted rows back. Creates land before the read position "
        "(newest first) and cost nothing; updates do not move items in this order."
    )
    checks = (
        Check(
            "live export: survivors yielded / survivors",
            f"{live['survivors_yielded']:,} / {live['survivors']:,}",
            "equal",
            live["missing"] == 0,
        ),
        Check("live export: duplicates", str(live["duplicates"]), "0", live["duplicates"] == 0),
        Check(
            "quiet export: extra requests",
            str(quiet["requests"] - SEEDS * ((items + PER_PAGE - 1) // PER_PAGE)),
            "0",
            quiet["requests"] == SEEDS * ((items + PER_PAGE - 1) // PER_PAGE),
        ),
    )
    return Section(
        "live",
        "Live export: a concurrent writer",
        body,
        checks,
        ({"quiet": quiet, "live": live},),
    )


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    section = run(parser.parse_args().quick)
    print(section.body)
    for check in section.checks:
        print(f"{check.what}: {check.value} (target {check.target}) {check.verdict}")


if __name__ == "__main__":
    _main()
