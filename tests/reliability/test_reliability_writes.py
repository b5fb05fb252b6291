"""Writes under faults: a POST is never blindly repeated; upsert makes imports idempotent.

The fake server's connection reset happens *after* the request took effect, like a real
network failure between the server's commit and its response: the client cannot know
whether the object exists.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from plane_async import AsyncPlane
from plane_async._errors import APIError, ServerError, TransportError
from plane_async.testing import FakePlane, Seed
from tests.reliability.test_reliability_faults import connect, project_id

WINDOW = (500, 1.0)
SOURCE = "jira"


def small_server(**faults: float) -> FakePlane:
    return FakePlane(
        seed=Seed(issues_per_project=3, modules=0, cycles=0, labels=0),
        rate_limit=WINDOW,
        **faults,  # type: ignore[arg-type]
    )


def posts(server: FakePlane) -> list[str]:
    return [r.fault or str(r.status) for r in server.requests if r.method == "POST"]


async def test_a_post_whose_connection_drops_is_not_repeated() -> None:
    async with small_server() as server:
        async with connect(server, window=WINDOW, max_retries=5) as plane:
            pid = await project_id(plane, server)
            before = len(server.store.issues)
            server.faults.reset_rate = 1.0
            with pytest.raises(TransportError) as info:
                await plane.issues.create(pid, name="Pay the invoice")
        assert info.value.method == "POST" and info.value.attempts == 1
        assert posts(server) == ["reset"]  # sent once, not retried
        created = [i for i in server.store.issues.values() if i.name == "Pay the invoice"]
        assert len(server.store.issues) == before + 1 and len(created) == 1


async def test_a_post_refused_by_a_proxy_is_not_repeated_either() -> None:
    async with small_server() as server:
        async with connect(server, window=WINDOW, max_retries=5) as plane:
            pid = await project_id(plane, server)
            before = len(server.store.issues)
            server.faults.fail_rate_503 = 1.0
            with pytest.raises(ServerError):
                await plane.issues.create(pid, name="x")
        assert posts(server) == ["503"] and len(server.store.issues) == before


async def _import(plane: AsyncPlane, pid: str, rows: list[tuple[str, str]]) -> list[str]:
    """Upsert every row (20 at a time); return the external ids that failed."""
    gate = asyncio.Semaphore(20)

    async def one(external_id: str, name: str) -> str | None:
        async with gate:
            try:
                await plane.issues.upsert(
                    pid, external_source=SOURCE, external_id=external_id, name=name
                )
            except (TransportError, APIError):
                return external_id
            return None

    results = await asyncio.gather(*(one(e, n) for e, n in rows))
    return [r for r in results if r is not None]


@pytest.mark.slow
async def test_re_running_an_import_with_upsert_creates_no_duplicates() -> None:
    n = 150
    rows = [(f"PROJ-{k}", f"Imported {k}") for k in range(n)]
    async with small_server(reset_rate=0.15, fail_rate_503=0.05, fault_seed=3) as server:
        async with connect(server, window=WINDOW, max_retries=2) as plane:
            server.faults.reset_rate = server.faults.fail_rate_503 = 0.0
            pid = await project_id(plane, server)
            server.faults.reset_rate, server.faults.fail_rate_503 = 0.15, 0.05
            await _import(plane, pid, rows)
            # The job is run again from the start, as after a crash: everything is re-sent.
            renamed = [(e, name + " (v2)") for e, name in rows]
            second = await _import(plane, pid, renamed)
            runs = 2
            while second and runs < 6:  # what still failed is retried by a third run...
                second = await _import(plane, pid, [r for r in renamed if r[0] in second])
                runs += 1
            assert not second

        imported = [
            i
            for i in server.store.issues.values()
            if i.external_source == SOURCE and i.deleted_at is None
        ]
        by_id = Counter(i.external_id for i in imported)
        assert len(imported) == n and set(by_id) == {e for e, _ in rows}
        assert max(by_id.values()) == 1  # no duplicates, whatever failed when
        assert {i.name for i in imported} == {name for _, name in renamed}

        # The faults really hit writes after they took effect, and upsert went the 409 way.
        faults = Counter((r.method, r.fault) for r in server.requests)
        assert faults[("POST", "reset")] > 0 and faults[("PATCH", "reset")] > 0
        assert any(r.method == "POST" and r.status == 409 for r in server.requests)
