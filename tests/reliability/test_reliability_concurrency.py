"""1,000 coroutines share one key and never trip the server's sliding window.

Scaled window: 200 requests per 0.5 s (Plane: 60 per 60 s), the same numbers on the fake
server and in the client's ``RateLimit``. ``server.max_in_window`` is the most requests the
server saw inside any one window, refused ones included.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from plane_async import AsyncPlane
from plane_async.testing import FakePlane, Seed
from tests.reliability.test_reliability_faults import connect, project_id

WINDOW = (200, 0.5)
COROUTINES = 1000


def window_server() -> FakePlane:
    return FakePlane(
        seed=Seed(issues_per_project=250, modules=0, cycles=0),
        rate_limit=WINDOW,
        latency=0.001,
        latency_jitter=0.004,
    )


async def _fan_out(planes: list[AsyncPlane], pid: str, issue_ids: list[str]) -> list[str]:
    async def one(k: int) -> str:
        plane = planes[k % len(planes)]
        issue = await plane.issues.get(pid, issue_ids[k % len(issue_ids)])
        return str(issue.id)

    return await asyncio.gather(*(one(k) for k in range(COROUTINES)))


@pytest.mark.slow
async def test_1000_coroutines_on_one_client_get_no_429() -> None:
    async with window_server() as server:
        async with connect(server, window=WINDOW) as plane:
            pid = await project_id(plane, server)
            ids = list(server.store.issues)
            got = await _fan_out([plane], pid, ids)

        assert got == [ids[k % len(ids)] for k in range(COROUTINES)]
        statuses = Counter(r.status for r in server.requests)
        assert statuses == {200: COROUTINES + 1}  # zero 429s, zero retries
        assert server.max_in_window <= WINDOW[0]
        # and the window was used, not wasted: some window saw the full limit
        assert server.max_in_window == WINDOW[0]


@pytest.mark.slow
async def test_1000_coroutines_on_two_clients_of_one_key_share_the_window() -> None:
    async with window_server() as server:
        async with connect(server, window=WINDOW) as one, connect(server, window=WINDOW) as two:
            assert one.limiter is two.limiter  # one window per (server, key)
            pid = await project_id(one, server)
            ids = list(server.store.issues)
            await _fan_out([one, two], pid, ids)

        assert not [r for r in server.requests if r.status == 429]
        assert server.max_in_window <= WINDOW[0]
