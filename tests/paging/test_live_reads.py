"""Paged reads of a project that another client writes to while it is read.

``ConcurrentWriter`` creates, deletes and updates work items on the server between the
client's requests (seeded). An item that exists for the whole read must come out exactly
once; items created or deleted meanwhile at most once. Checkpoints resume after any
writes in between. Property-based over sizes, page sizes, orders and write patterns.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from plane_async import AsyncPlane, Cursor, RateLimit
from plane_async.testing import ConcurrentWriter, FakePlane, Seed

WINDOW = (100_000, 60.0)
#: orders by a key no update changes: every survivor exactly once
STABLE_ORDERS = [None, "-created_at", "created_at", "sequence_id", "-sequence_id", "id"]
#: orders an update can move an item in (compared by key or by the ids handed out)
MOVING_ORDERS = ["-updated_at", "updated_at", "name", "-priority", "state__name"]

#: derandomized: CI checks the same examples on every run (a failing draw is added as an
#: explicit @example)
SETTINGS = settings(
    max_examples=50,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def server_for(items: int) -> FakePlane:
    return FakePlane(
        seed=Seed(issues_per_project=items, modules=0, cycles=0, labels=0),
        rate_limit=WINDOW,
        listen=False,
    )


@asynccontextmanager
async def connect(server: FakePlane) -> AsyncIterator[AsyncPlane]:
    async with server.client(rate_limit=RateLimit(*WINDOW), max_per_page=1000) as plane:
        yield plane


def live_ids(server: FakePlane) -> set[str]:
    project = next(iter(server.store.projects.values()))
    return {i.id for i in project.issues if server.store.visible(i)}


def pid_of(server: FakePlane) -> str:
    return next(iter(server.store.projects))


def list_requests(server: FakePlane) -> int:
    return sum(1 for r in server.requests if r.path.endswith("/work-items/"))


async def read_all(plane: AsyncPlane, pid: str, **options: Any) -> list[str]:
    return [str(issue.id) async for issue in plane.issues.list(pid, **options)]


def check_exactly_once(got: list[str], before: set[str], writer: ConcurrentWriter) -> None:
    counts = Counter(got)
    assert not [i for i, n in counts.items() if n > 1], "an item was yielded twice"
    survivors = before - set(writer.deleted)
    assert survivors <= set(got), f"{len(survivors - set(got))} live item(s) skipped"
    assert set(got) <= before | set(writer.created)


# ---------------------------------------------------------------------------- one read


@SETTINGS
@given(
    items=st.integers(0, 60),
    # reads must outpace the creates: at most one write per 2 requests, 3+ items a page
    per_page=st.integers(3, 12),
    every=st.integers(2, 5),
    seed=st.integers(0, 2**16),
    order=st.sampled_from(STABLE_ORDERS),
    prefetch=st.sampled_from([0, 2]),
    weights=st.sampled_from([(1.0, 1.0, 1.0), (0.0, 1.0, 0.0), (1.0, 0.0, 0.0), (1.0, 3.0, 1.0)]),
    backdated=st.sampled_from([0.0, 1 / 3, 1.0]),
    burst=st.sampled_from([1, 2, 3]),
)
# A delete before the read position and a create after it between two page requests: the
# total is unchanged and, before the overlap, one survivor was skipped.
@example(
    items=7,
    per_page=3,
    every=2,
    seed=0,
    order="created_at",
    prefetch=0,
    weights=(1.0, 1.0, 1.0),
    backdated=0.0,
    burst=2,
)
def test_every_item_that_stays_is_yielded_exactly_once(
    items: int,
    per_page: int,
    every: int,
    seed: int,
    order: str | None,
    prefetch: int,
    weights: tuple[float, float, float],
    backdated: float,
    burst: int,
) -> None:
    async def scenario() -> None:
        async with server_for(items) as server, connect(server) as plane:
            before = live_ids(server)
            writer = ConcurrentWriter(
                server,
                every=every,
                seed=seed,
                weights=weights,
                backdated=backdated,
                burst=burst,
            )
            with writer:
                got = await read_all(
                    plane, pid_of(server), per_page=per_page, order_by=order, prefetch=prefetch
                )
            check_exactly_once(got, before, writer)

    asyncio.run(scenario())


@SETTINGS
@given(
    items=st.integers(0, 50),
    per_page=st.integers(4, 10),
    writers=st.integers(2, 3),
    seed=st.integers(0, 2**16),
    order=st.sampled_from([None, "-created_at", "-sequence_id"]),
)
# A create at the front and a delete after the read position between the two pages: the
# last page holds only the item handed out last, with the same total (not a stall).
@example(items=5, per_page=4, writers=2, seed=39, order=None)
def test_bursts_of_writes_between_two_pages_skip_nothing_newest_first(
    items: int, per_page: int, writers: int, seed: int, order: str | None
) -> None:
    # Several writes land between two page requests (creates before the read position,
    # deletes anywhere): newest-first orders still yield every survivor once.
    async def scenario() -> None:
        async with server_for(items) as server, connect(server) as plane:
            before = live_ids(server)
            team = [ConcurrentWriter(server, every=1, seed=seed + n) for n in range(writers)]
            for w in team:
                w.start()
            got = await read_all(plane, pid_of(server), per_page=per_page, order_by=order)
            for w in team:
                w.stop()
            counts = Counter(got)
            assert max(counts.values(), default=1) == 1
            deleted = {i for w in team for i in w.deleted}
            assert before - deleted <= set(got)

    asyncio.run(scenario())


@SETTINGS
@given(
    items=st.integers(0, 50),
    per_page=st.integers(3, 10),
    every=st.integers(2, 5),
    seed=st.integers(0, 2**16),
    order=st.sampled_from(MOVING_ORDERS),
)
def test_orders_an_update_moves_in_never_repeat(
    items: int, per_page: int, every: int, seed: int, order: str
) -> None:
    async def scenario() -> None:
        async with server_for(items) as server, connect(server) as plane:
            before = live_ids(server)
            with ConcurrentWriter(server, every=every, seed=seed) as writer:
                got = await read_all(plane, pid_of(server), per_page=per_page, order_by=order)
            assert len(got) == len(set(got))
            if order == "-updated_at":
                # an update moves an item to the front, before the read position: no gap
                untouched = before - set(writer.deleted) - set(writer.updated)
                assert untouched <= set(got)

    asyncio.run(scenario())


#: the issue's churn: before every second page request, one delete, one create (one in
#: three backdated to a random point of the list) and one update
CHURN_ORDERS = [None, "-created_at", "created_at", "sequence_id", "-sequence_id", "id"]


def churn(server: FakePlane, seed: int) -> ConcurrentWriter:
    writer = ConcurrentWriter(server, seed=seed, backdated=1 / 3)
    calls = 0

    def before_request() -> None:
        nonlocal calls
        calls += 1
        if calls % 2 == 0:
            writer.delete()
            writer.create()
            writer.update()

    server.request_hooks.append(before_request)
    return writer


@pytest.mark.parametrize("order", [*CHURN_ORDERS, "-updated_at", "updated_at"])
async def test_churn_with_backdated_creates_misses_and_repeats_nothing(order: str | None) -> None:
    async with server_for(600) as server, connect(server) as plane:
        quiet = len(await read_all(plane, pid_of(server), per_page=10, order_by=order))
        quiet_requests = list_requests(server)
        before = live_ids(server)
        writer = churn(server, seed=7)
        got = await read_all(plane, pid_of(server), per_page=10, order_by=order)
        requests = list_requests(server) - quiet_requests
        server.request_hooks.clear()
        counts = Counter(got)
        assert not [i for i, n in counts.items() if n > 1], "an item was yielded twice"
        survivors = before - set(writer.deleted)
        if order is not None and "updated_at" in order:
            # documented: an item updated during the read may move past the read position
            survivors -= set(writer.updated)
        assert len(survivors - set(got)) == 0, "a live item was skipped"
        assert quiet == 600
        assert requests <= quiet_requests * 1.1


@pytest.mark.parametrize("order", CHURN_ORDERS)
async def test_a_checkpoint_resumed_after_deletes_before_it_misses_nothing(
    order: str | None,
) -> None:
    # Reported: 4 deletes before the checkpoint and 1 after (plus inserts) missed 3 in
    # newest-first order: with 5 creates the total is unchanged, and the creates that an
    # import backdated past the checkpoint do not make up for the rows that moved back.
    async with server_for(300) as server, connect(server) as plane:
        pid = pid_of(server)
        before = live_ids(server)
        got: list[str] = []
        checkpoint = ""
        async for page in plane.issues.pages(pid, per_page=50, max_pages=3, order_by=order):
            got += [str(i.id) for i in page.results]
            checkpoint = str(page.resume_cursor)
        writer = ConcurrentWriter(server, seed=9, backdated=1 / 3)  # 3 missed before
        for issue_id in got[:4]:
            writer.delete(issue_id)
        writer.delete(next(iter(before - set(got))))
        for _ in range(5):
            writer.create(backdate=True)
        got += await read_all(plane, pid, cursor=checkpoint, order_by=order)
        assert len(got) == len(set(got))
        assert before - set(writer.deleted) <= set(got)


async def test_a_quiet_read_costs_no_extra_request() -> None:
    async with server_for(95) as server, connect(server) as plane:
        got = await read_all(plane, pid_of(server), per_page=10)
        assert len(got) == 95 and list_requests(server) == 10


async def test_a_delete_mid_read_costs_no_request_the_overlap_sees_it() -> None:
    # The issue's report: another client deletes an item mid-export; before keyset paging
    # one live item was never yielded (dedupe=True included).
    async with server_for(30) as server, connect(server) as plane:
        before = live_ids(server)
        writer = ConcurrentWriter(server, seed=3)
        got: list[str] = []
        async for page in plane.issues.pages(pid_of(server), per_page=10, dedupe=True):
            got += [str(i.id) for i in page.results]
            if len(got) == 10:
                writer.delete(got[0])  # a row before the read position
        assert sorted(got) == sorted(before)
        # each request re-reads a few rows handed out before: one delete leaves them in view
        assert list_requests(server) == 3


async def test_deletes_past_the_overlap_cost_one_request_to_back_up() -> None:
    async with server_for(60) as server, connect(server) as plane:
        before = live_ids(server)
        writer = ConcurrentWriter(server, seed=3)
        got: list[str] = []
        async for page in plane.issues.pages(pid_of(server), per_page=10):
            got += [str(i.id) for i in page.results]
            if len(got) == 20:
                for issue_id in got[:8]:  # more rows than the overlap, before the position
                    writer.delete(issue_id)
        assert sorted(got) == sorted(before)
        assert list_requests(server) == 6 + 1


# ---------------------------------------------------------------------------- checkpoints


@SETTINGS
@given(
    items=st.integers(1, 60),
    per_page=st.integers(1, 12),
    stop_after=st.integers(1, 6),
    writes=st.integers(0, 40),
    seed=st.integers(0, 2**16),
    order=st.sampled_from(STABLE_ORDERS),
    backdated=st.sampled_from([0.0, 1 / 3, 1.0]),
)
def test_a_checkpoint_resumes_exactly_after_inserts_and_deletes(
    items: int,
    per_page: int,
    stop_after: int,
    writes: int,
    seed: int,
    order: str | None,
    backdated: float,
) -> None:
    async def scenario() -> None:
        async with server_for(items) as server, connect(server) as plane:
            pid = pid_of(server)
            before = live_ids(server)
            got: list[str] = []
            checkpoint: str | None = None
            pages = plane.issues.pages(pid, per_page=per_page, order_by=order)
            async for page in pages:
                got += [str(i.id) for i in page.results]
                checkpoint = str(page.resume_cursor)  # what an ETL job saves
                if len(got) >= stop_after * per_page:
                    break
            await pages.aclose()
            writer = ConcurrentWriter(server, seed=seed, backdated=backdated)
            for _ in range(writes):
                writer.step()
            after = live_ids(server)
            got += await read_all(plane, pid, cursor=checkpoint, order_by=order)
            assert len(got) == len(set(got)), "an item was yielded twice"
            assert before & after <= set(got), "an item that existed at both times is missing"

    asyncio.run(scenario())


async def test_the_issue_s_etl_resume_writes_no_duplicate_and_misses_nothing() -> None:
    # Reported: 5 items added between a killed run and its resume gave 15 duplicates and
    # 15 missing items over 3 projects. Here: one project, 5 added and 5 deleted.
    async with server_for(300) as server, connect(server) as plane:
        pid = pid_of(server)
        before = live_ids(server)
        lines: list[str] = []
        checkpoint = ""
        async for page in plane.issues.pages(pid, per_page=50, max_pages=3):
            lines += [str(i.id) for i in page.results]
            checkpoint = str(page.resume_cursor)
        writer = ConcurrentWriter(server, seed=12)
        for _ in range(5):
            writer.create()
        for issue_id in lines[:5]:
            writer.delete(issue_id)
        async for page in plane.issues.pages(pid, cursor=checkpoint):
            lines += [str(i.id) for i in page.results]
        assert len(lines) == len(set(lines)) == 300
        assert set(lines) == before


async def test_a_checkpoint_is_refused_by_a_read_in_another_order() -> None:
    from plane_async import PlaneValueError

    async with server_for(20) as server, connect(server) as plane:
        pid = pid_of(server)
        pages = plane.issues.pages(pid, per_page=5)
        first = await anext(pages)
        await pages.aclose()
        checkpoint = str(first.resume_cursor)
        assert Cursor.parse(checkpoint) == first.resume_cursor
        with pytest.raises(PlaneValueError, match="order_by='-created_at'"):
            plane.issues.list(pid, cursor=checkpoint, order_by="sequence_id")
        # a plain Plane cursor is still accepted
        assert len(await read_all(plane, pid, cursor="5:3:0")) == 5
