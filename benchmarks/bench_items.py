"""CPU per item of a paginated export, in process: the engine and the models, no HTTP.

Run: ``python -m benchmarks.bench_items``. A ``fetch`` hands out prebuilt orjson pages
(the same synthetic work items as ``bench_models``, with envelopes and cursors) and each
case reads ``id``, ``name``, ``created_at`` and ``state`` of every item, as the export
benchmark does, minus the sockets:

- ``orjson + dicts``: a cursor loop over the same ``fetch``, dict lookups (the baseline);
- ``plane_async``: ``iter_items(fetch, structurer(Issue), order=...)`` and typed attribute
  reads, ordered by ``-created_at`` as ``plane.issues.list`` reads (the rows are served
  newest first, so the read follows the last key handed out);
- ``plane_async, prefetch=1``: the same with read-ahead;
- ``engine only (dicts)``: ``iter_items`` with the identity as ``structure`` and dict
  lookups, i.e. the pagination engine's own share;
- ``models only``: ``structure_many`` over the decoded pages and typed reads, i.e. the
  models' share.

The UUID cache is cleared before each measured pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from benchmarks.bench_models import _pages as _model_pages
from plane_async._models import Issue, _hooks
from plane_async._models._base import structure_many, structurer
from plane_async._paging.engine import iter_items
from plane_async._paging.keyset import ISSUE_ORDERS, order_key

PER_PAGE = 100
PAGES = 20
ROUNDS = 10  # passes over the pages per measurement: 20,000 items
REPEATS = 7
#: the order plane.issues.list reads by default
ORDER = order_key("-created_at", ISSUE_ORDERS)


def _pages() -> list[bytes]:
    """``bench_models`` pages with the envelope of page i of ``PAGES``."""
    out = []
    for i, page in enumerate(_model_pages()):
        body = orjson.loads(page)
        body.update(
            next_cursor=f"{PER_PAGE}:{i + 1}:0",
            prev_cursor=f"{PER_PAGE}:{i - 1}:1",
            next_page_results=i + 1 < PAGES,
            prev_page_results=i > 0,
            total_pages=PAGES,
            total_results=PAGES * PER_PAGE,
            total_count=PAGES * PER_PAGE,
        )
        out.append(orjson.dumps(body))
    return out


Fetch = Callable[[dict[str, str]], Awaitable[Any]]


def _fetcher(pages: list[bytes]) -> Fetch:
    """Pages as the server slices them: by the request's ``per_page`` and cursor (a read
    asks for pages that overlap the last items handed out); each distinct page is encoded
    once, so every request costs one ``orjson.loads`` as before."""
    rows = [row for page in pages for row in orjson.loads(page)["results"]]
    rows.sort(key=lambda row: str(row["created_at"]), reverse=True)  # newest first, as Plane
    envelope = {k: v for k, v in orjson.loads(pages[0]).items() if k != "results"}
    encoded: dict[tuple[int, int], bytes] = {}

    async def fetch(params: dict[str, str]) -> Any:
        size = int(params.get("per_page", "1000"))
        cursor = params.get("cursor")
        offset = int(cursor.split(":")[1]) if cursor else 0
        body = encoded.get((size, offset))
        if body is None:
            start = offset * size
            chunk = rows[start : start + size]
            body = encoded[size, offset] = orjson.dumps(
                {
                    **envelope,
                    "count": len(chunk),
                    "next_cursor": f"{size}:{offset + 1}:0",
                    "prev_cursor": f"{size}:{offset - 1}:1",
                    "next_page_results": start + size < len(rows),
                    "prev_page_results": offset > 0,
                    "total_pages": -(-len(rows) // size),
                    "results": chunk,
                }
            )
        return orjson.loads(body)

    return fetch


async def _raw(fetch: Fetch) -> None:
    params = {"per_page": str(PER_PAGE)}
    while True:
        body = await fetch(params)
        for d in body["results"]:
            _ = d["id"], d["name"], d["created_at"], d["state"]
        if not body["next_page_results"]:
            return
        params = {"per_page": str(PER_PAGE), "cursor": body["next_cursor"]}


async def _ours(fetch: Fetch, prefetch: int = 0) -> None:
    items = iter_items(fetch, structurer(Issue), per_page=PER_PAGE, prefetch=prefetch, order=ORDER)
    async with contextlib.aclosing(items):
        async for issue in items:
            _ = issue.id, issue.name, issue.created_at, issue.state


async def _ours_prefetch(fetch: Fetch) -> None:
    await _ours(fetch, prefetch=1)


def _identity(raw: Any) -> Any:
    return raw


async def _engine_only(fetch: Fetch) -> None:
    items = iter_items(fetch, _identity, per_page=PER_PAGE, order=ORDER)
    async with contextlib.aclosing(items):
        async for d in items:
            _ = d["id"], d["name"], d["created_at"], d["state"]


async def _models_only(fetch: Fetch) -> None:
    params = {"per_page": str(PER_PAGE)}
    while True:
        body = await fetch(params)
        for issue in structure_many(Issue, body["results"]):
            _ = issue.id, issue.name, issue.created_at, issue.state
        if not body["next_page_results"]:
            return
        params = {"per_page": str(PER_PAGE), "cursor": body["next_cursor"]}


CASES: list[tuple[str, Callable[[Fetch], Awaitable[None]]]] = [
    ("orjson + dicts (baseline)", _raw),
    ("plane_async iter_items", _ours),
    ("plane_async iter_items, prefetch=1", _ours_prefetch),
    ("engine only (identity + dicts)", _engine_only),
    ("models only (structure_many)", _models_only),
]


async def _once(case: Callable[[Fetch], Awaitable[None]], fetch: Fetch) -> float:
    _hooks._UUID_CACHE.clear()
    start = time.process_time()
    for _ in range(ROUNDS):
        await case(fetch)
    return (time.process_time() - start) / (ROUNDS * PAGES * PER_PAGE) * 1e6


async def _measure() -> dict[str, float]:
    fetch = _fetcher(_pages())
    for _, case in CASES:  # warm up
        await case(fetch)
    best = {name: float("inf") for name, _ in CASES}
    for _ in range(REPEATS):
        # Cases take turns, so a busy machine slows all of them alike.
        for name, case in CASES:
            best[name] = min(best[name], await _once(case, fetch))
    return best


def run() -> list[dict[str, Any]]:
    """Each row: case, best µs per item, ratio to the orjson + dicts baseline."""
    best = asyncio.run(_measure())
    baseline = best[CASES[0][0]]
    return [
        {"case": name, "us_per_item": round(us, 2), "ratio": round(us / baseline, 2)}
        for name, us in best.items()
    ]


def main() -> None:
    rows = run()
    items = ROUNDS * PAGES * PER_PAGE
    print(f"CPU per item, in process, {items} items per pass, best of {REPEATS}")
    print(f"{'case':38} {'µs/item':>8} {'vs raw':>8}")
    for row in rows:
        print(f"{row['case']:38} {row['us_per_item']:8.2f} {row['ratio']:7.2f}x")


if __name__ == "__main__":
    main()
