"""Exports under faults: every item exactly once, in order, with bounded retries.

The fake server injects 503 proxy pages, connection resets, truncated bodies, latency
jitter and a burst of 429s. Time scale: a 200-per-second sliding window (Plane's is 60 per
minute), so a 20,000-item export takes a few seconds of real time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import pytest

from plane_async import AsyncPlane, Cursor, RateLimit
from plane_async._errors import APIError, PlaneError, ServerError, TransportError
from plane_async._paging.overlap import overlap_cursor
from plane_async.testing import FakePlane, Faults, Seed

ITEMS = 20_000
WINDOW = (200, 1.0)
#: retry backoff in milliseconds instead of 0.5 s steps (real sockets, real sleeps)
FAST_BACKOFF = (0.001, 0.01)


@asynccontextmanager
async def connect(
    server: FakePlane, *, window: tuple[int, float] = WINDOW, **options: Any
) -> AsyncIterator[AsyncPlane]:
    """A client for ``server`` with the server's window and fast retry backoff."""
    async with AsyncPlane(
        api_key=server.api_key,
        workspace=server.workspace,
        base_url=server.base_url,
        rate_limit=RateLimit(*window),
        max_per_page=1000,
        retry_backoff=FAST_BACKOFF,
        **options,
    ) as plane:
        yield plane


async def project_id(plane: AsyncPlane, server: FakePlane) -> str:
    body = await plane.request("GET", f"workspaces/{server.workspace}/projects/")
    return str(body["results"][0]["id"])


def server_order(server: FakePlane, pid: str) -> list[str]:
    """The ids the server lists, in its order (newest first), straight from its store."""
    project = server.store.projects[pid]
    return [issue.id for issue in server.store.issue_view(project, "-created_at", None)]


def page_requests(server: FakePlane) -> list[Any]:
    return [r for r in server.requests if r.path.endswith("/work-items/")]


def big_server(**faults: Any) -> FakePlane:
    return FakePlane(
        seed=Seed(issues_per_project=ITEMS, modules=0, cycles=0, labels=0),
        rate_limit=WINDOW,
        **faults,
    )


def worst_case_attempts(
    faults: Faults, method: str, path: str, query: Mapping[str, str], *, burst: int
) -> int:
    """The most attempts ``method path?query`` can need under the server's fault plan.

    The plan of each arrival of a request is fixed (``Faults.planned``); only the 429 burst
    goes to whichever requests come when it starts, so this puts all of it on this request,
    at every point it can start: up to ``burst`` arrivals in a row that pass the 503 check
    become 429s (one answered 429 counts as an attempt, as the client counts it).
    """
    plan = [faults.planned(method, path, query, n) for n in range(1, 65)]
    worst = 0
    for start in range(len(plan)):  # the burst begins at arrival start + 1
        left = burst
        for n, fault in enumerate(plan):
            if n >= start and left and fault != "503":
                left -= 1  # a 429
            elif fault is None:
                worst = max(worst, n + 1)
                break
        else:
            return len(plan) + 1
        if plan[start] is None:
            break  # it succeeded there: a later arrival only comes after the burst began
    return worst


FAULTS: dict[str, Any] = {
    "fail_rate_503": 0.10,
    "reset_rate": 0.03,
    "truncate_rate": 0.02,
    "latency": 0.0005,
    "latency_jitter": 0.003,
    "fault_seed": 7,
}


#: covers the worst case of FAULTS' plan (checked below), so the export cannot fail
EXPORT_RETRIES = 8


@pytest.mark.slow
async def test_export_under_faults_yields_every_item_once_in_order() -> None:
    pages = ITEMS // 100
    async with big_server(**FAULTS, burst_429=4, burst_429_after=30) as server:
        async with connect(server, max_retries=EXPORT_RETRIES) as plane:
            pid = await project_id(plane, server)
            # Which request gets which fault is fixed by the seed (not by the order in which
            # concurrent requests arrive), so the budget is checked before the run: with the
            # whole 429 burst on one page, wherever it starts, every page gets through.
            path = f"/api/v1/workspaces/{server.workspace}/projects/{pid}/work-items/"
            queries = [{"per_page": "100"}]
            for k in range(1, pages):  # each request starts a few items before the next one
                ask = overlap_cursor(100 * k, 100, 1000)
                query = {"per_page": str(ask.per_page)}
                queries.append(query | ({"cursor": ask.wire} if ask.offset else {}))
            planned = [(path, q) for q in queries]
            planned.append((f"/api/v1/workspaces/{server.workspace}/projects/", {}))
            worst = max(
                worst_case_attempts(server.faults, "GET", p, q, burst=4) for p, q in planned
            )
            assert worst <= 1 + EXPORT_RETRIES
            # dedupe off: a page read twice would show up as duplicates here
            got = [str(item.id) async for item in plane.issues.list(pid, per_page=100, prefetch=2)]

        assert got == server_order(server, pid)  # each item once, in the server's order
        assert len(got) == ITEMS

        records = page_requests(server)
        # the plan checked above is the plan of every request the export sent
        sent = {(r.method, r.path, tuple(sorted(r.query.items()))) for r in records}
        assert sent <= {("GET", path, tuple(sorted(q.items()))) for q in queries}
        faults = Counter(r.fault for r in records)
        assert faults["503"] > 0 and faults["reset"] > 0 and faults["truncate"] > 0
        assert faults["429"] == 4
        # Bounded: each page was fetched successfully exactly once, and every other request
        # was the retry of an injected fault (no retry storm, no page read twice).
        clean = [r for r in records if r.fault is None]
        assert len(clean) == pages and all(r.status == 200 for r in clean)
        assert len({tuple(sorted(r.query.items())) for r in clean}) == pages
        assert len(records) == pages + sum(n for f, n in faults.items() if f is not None)
        per_page_attempts = Counter(tuple(sorted(r.query.items())) for r in records)
        assert max(per_page_attempts.values()) <= 1 + EXPORT_RETRIES


@pytest.mark.slow
async def test_without_retries_each_fault_raises_with_the_cursor_to_resume_from() -> None:
    async with big_server(**FAULTS) as server:
        async with connect(server, max_retries=0) as plane:
            pid = await project_id(plane, server)
            got: list[str] = []
            cursor: str | None = None
            failures: Counter[str] = Counter()
            while True:
                try:
                    async for page in plane.issues.pages(pid, per_page=100, cursor=cursor):
                        got.extend(str(item.id) for item in page.results)
                        cursor = str(page.resume_cursor)  # a checkpoint, as an ETL job keeps
                    break
                except (APIError, TransportError) as err:
                    assert err.cursor is not None
                    # the error names the page that failed; that is where the next run starts
                    assert any(str(err.cursor) in note for note in getattr(err, "__notes__", []))
                    if cursor is not None:
                        # the page that failed: the checkpoint's, or the one before it
                        # when the resumed read checks rows did not shift
                        assert err.cursor.offset in (
                            Cursor.parse(cursor).offset,
                            Cursor.parse(cursor).offset - 1,
                        )
                    failures[type(err).__name__] += 1
                    cursor = str(err.cursor)
                    assert sum(failures.values()) < 200, "no progress"

        assert got == server_order(server, pid)
        assert failures["ServerError"] > 0 and failures["TransportError"] > 0
        # every request that failed made the caller resume exactly once
        assert sum(failures.values()) == sum(1 for r in page_requests(server) if r.fault)


@pytest.mark.slow
async def test_when_the_server_keeps_failing_mid_export_the_error_resumes_it() -> None:
    # Only jitter before the outage, so the page that fails is the first one asked for
    # after it (the tests above cover random faults).
    async with big_server(latency=0.0005, latency_jitter=0.003) as server:
        async with connect(server, max_retries=3) as plane:
            pid = await project_id(plane, server)
            got: list[str] = []
            items = plane.issues.list(pid, per_page=100, prefetch=3)
            try:
                async for item in items:
                    got.append(str(item.id))
                    if len(got) == 5_000:
                        server.faults.fail_rate_503 = 1.0  # the server goes down
            except ServerError as exc:
                err: PlaneError = exc
            else:
                raise AssertionError("the export should have failed")
            finally:
                await items.aclose()

            assert isinstance(err, ServerError) and err.status == 503
            assert err.attempts == 4  # 1 + max_retries, then it gives up
            assert err.cursor is not None
            wire = err.cursor.wire  # the checkpoint also carries the last key
            # the request of the first page not handed out (it starts a few items before)
            ask = overlap_cursor(len(got), 100, 1000).wire
            failed = [r for r in page_requests(server) if r.query.get("cursor") == ask]
            assert [r.status for r in failed] == [503] * 4
            assert len(got) >= 5_000 and len(got) % 100 == 0
            assert wire == f"100:{len(got) // 100}:0"  # the first page not handed out

            server.faults.fail_rate_503 = 0.0  # the server is back: resume
            rest = [str(i.id) async for i in plane.issues.list(pid, cursor=err.cursor)]

        assert got + rest == server_order(server, pid)


async def test_a_dropped_connection_is_retried_only_by_the_client_s_own_loop() -> None:
    # aiohttp re-sends an idempotent request once on a dropped connection, behind the
    # limiter's back; the client turns that off so max_retries and the window stay exact.
    async with FakePlane(seed=Seed(issues_per_project=1), reset_rate=1.0) as server:
        for retries in (0, 2):
            async with connect(server, max_retries=retries) as plane:
                before = len(server.requests)
                try:
                    await plane.request("GET", "users/me/")
                except TransportError as exc:
                    assert exc.attempts == retries + 1
                else:
                    raise AssertionError("every attempt is reset")
                assert len(server.requests) - before == retries + 1
