"""Export of a project while another client writes to it: exactness and extra requests.

``plane.issues.list(project_id, per_page=100)`` exports 20,000 work items from FakePlane
while ``plane_async.testing.ConcurrentWriter`` creates, deletes or updates one work item
every 10 requests the server receives (seeded; one create in three backdated, as an
importer does). Reported: items yielded, survivors (items that existed for the whole
export), survivors missing, duplicates, and the requests beside a quiet export of the same
project. Then the churn case in every order: 3,000 items, per_page=50, and before every
second page request one delete, one create (one in three backdated to a random point of
the list) and one update; for a read and for a checkpoint resumed after 4 deletes before
it, 1 after and 5 creates. The server runs in this process (this measures requests and
exactness, not CPU).

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
#: the share of the writer's creates that are backdated (an import)
BACKDATED = 1 / 3
#: the churn case: items, page size, orders
CHURN_ITEMS = 3_000
CHURN_PER_PAGE = 50
CHURN_ORDERS: tuple[str | None, ...] = (
    None,
    "-created_at",
    "created_at",
    "sequence_id",
    "-sequence_id",
    "-updated_at",
    "updated_at",
)


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
            writer = ConcurrentWriter(server, every=every or 1, seed=seed, backdated=BACKDATED)
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


def _client(server: FakePlane) -> AsyncPlane:
    return AsyncPlane(
        api_key=server.api_key,
        workspace=server.workspace,
        base_url=server.base_url,
        rate_limit=RateLimit(1_000_000, 1.0),
        max_per_page=1000,
    )


def _churn_hook(server: FakePlane, writer: ConcurrentWriter) -> None:
    calls = 0

    def before_request() -> None:
        nonlocal calls
        calls += 1
        if calls % 2 == 0:
            writer.delete()
            writer.create()
            writer.update()

    server.request_hooks.append(before_request)


def _list_requests(server: FakePlane) -> int:
    return sum(1 for r in server.requests if r.path.endswith("/work-items/"))


async def _churn(items: int, order: str | None, seed: int) -> dict[str, Any]:
    """One read under the churn, then a checkpoint resumed after writes; vs a quiet read."""
    server = FakePlane(
        seed=Seed(issues_per_project=items, modules=0, cycles=0, labels=0), rate_limit=None
    )
    async with server, _client(server) as plane:
        pid = next(iter(server.store.projects))
        project = server.store.projects[pid]
        quiet = [
            str(i.id) async for i in plane.issues.list(pid, per_page=CHURN_PER_PAGE, order_by=order)
        ]
        quiet_requests = _list_requests(server)
        before = {i.id for i in project.issues if server.store.visible(i)}
        writer = ConcurrentWriter(server, seed=seed, backdated=BACKDATED)
        _churn_hook(server, writer)
        got = [
            str(i.id) async for i in plane.issues.list(pid, per_page=CHURN_PER_PAGE, order_by=order)
        ]
        server.request_hooks.clear()
        requests = _list_requests(server) - quiet_requests
        survivors = before - set(writer.deleted)
        if order is not None and "updated_at" in order:
            survivors -= set(writer.updated)  # documented: an update moves an item
        # a checkpoint taken a third of the way, resumed after writes on both sides of it
        before = {i.id for i in project.issues if server.store.visible(i)}
        resumed: list[str] = []
        checkpoint = ""
        pages = plane.issues.pages(pid, per_page=CHURN_PER_PAGE, order_by=order)
        async for page in pages:
            resumed += [str(i.id) for i in page.results]
            checkpoint = str(page.resume_cursor)
            if len(resumed) >= items // 3:
                break
        await pages.aclose()
        late = ConcurrentWriter(server, seed=seed + 1, backdated=BACKDATED)
        for issue_id in resumed[-20:-16]:
            late.delete(issue_id)
        late.delete(next(iter(before - set(resumed))))
        for _ in range(5):
            late.create()
        mark = _list_requests(server)
        resumed += [
            str(i.id) async for i in plane.issues.list(pid, cursor=checkpoint, order_by=order)
        ]
        resume_requests = _list_requests(server) - mark
        kept = before - set(late.deleted)
    counts, again = Counter(got), Counter(resumed)
    return {
        "order": order or "default (-created_at)",
        "survivors": len(survivors),
        "missing": len(survivors - set(got)),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "requests": requests,
        "quiet": quiet_requests,
        "quiet_items": len(quiet),
        "resume_missing": len(kept - set(resumed)),
        "resume_duplicates": sum(n - 1 for n in again.values() if n > 1),
        "resume_requests": resume_requests,
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
        "read again after deletes moved rows back past the overlap (each request re-reads "
        "a few rows handed out before). Creates land anywhere (one in three is "
        "backdated); updates do not move items in this order."
    )
    churn = [asyncio.run(_churn(CHURN_ITEMS // (5 if quick else 1), o, 7)) for o in CHURN_ORDERS]
    body += "\n\n" + table(
        [
            "order",
            "survivors",
            "missing",
            "duplicates",
            "requests (quiet)",
            "extra",
            "resume: missing",
            "resume: duplicates",
            "resume requests",
        ],
        [
            [
                c["order"],
                f"{c['survivors']:,}",
                c["missing"],
                c["duplicates"],
                f"{c['requests']} ({c['quiet']})",
                f"{(c['requests'] - c['quiet']) / c['quiet']:+.1%}",
                c["resume_missing"],
                c["resume_duplicates"],
                c["resume_requests"],
            ]
            for c in churn
        ],
        "lrrrrrrrr",
    )
    body += (
        f"\nThe churn case: {CHURN_ITEMS // (5 if quick else 1):,} work items, "
        f"per_page={CHURN_PER_PAGE}, max_per_page=1000; before every second page request one "
        "delete, one create (one in three backdated to a random point of the list) and one "
        "update. Survivors in the `updated_at` orders leave out the items updated during the "
        "read (documented). The resume column: a checkpoint taken a third of the way, resumed "
        "after 4 deletes just before it, 1 after it and 5 creates."
    )
    worst = max((c["requests"] - c["quiet"]) / c["quiet"] for c in churn)
    checks = (
        Check(
            "live export: survivors yielded / survivors",
            f"{live['survivors_yielded']:,} / {live['survivors']:,}",
            "equal",
            live["missing"] == 0,
        ),
        Check("live export: duplicates", str(live["duplicates"]), "0", live["duplicates"] == 0),
        Check(
            "churn, every order: missing / duplicates (read and resume)",
            f"{sum(c['missing'] + c['resume_missing'] for c in churn)} / "
            f"{sum(c['duplicates'] + c['resume_duplicates'] for c in churn)}",
            "0 / 0",
            all(
                c["missing"] + c["resume_missing"] + c["duplicates"] + c["resume_duplicates"] == 0
                for c in churn
            ),
        ),
        Check(
            "churn: extra requests beside a quiet read (worst order)",
            f"{worst:+.1%}",
            "<= +10%",
            worst <= 0.10,
        ),
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
        ({"quiet": quiet, "live": live, "churn": churn},),
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
