"""One window per API key wherever the requests come from: batches of ``asyncio.run()``,
threads with their own loops, OS processes (through Redis); requests abandoned in flight.

Real time against FakePlane's exact sliding window, scaled down (10 per 0.5 s) so each
test takes a few seconds; the server's own count is the judge.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from benchmarks._fleet import fake_plane, run_workers
from plane_async import AsyncPlane, RateLimit, TransportError
from plane_async.testing import FakePlane
from tests.reliability.test_reliability_cancel import fake_in_thread
from tests.support.redis_server import RedisServer

# real OS processes and threads share one key in real time
pytestmark = pytest.mark.slow

WINDOW = (10, 0.5)


def client(server: FakePlane, **options: Any) -> AsyncPlane:
    return AsyncPlane(api_key=server.api_key, workspace=server.workspace,
                      base_url=server.base_url, **options)  # fmt: skip


async def batch(server: FakePlane, n: int, **options: Any) -> int:
    """n GETs at once from a new client; the 429s it saw."""
    async with client(server, **options) as plane:
        await asyncio.gather(*(plane.users.me() for _ in range(n)))
        return plane.stats.rate_limited


def refused(server: FakePlane) -> int:
    return sum(1 for r in server.requests if r.status == 429)


def test_each_asyncio_run_finds_the_previous_runs_requests_in_the_window() -> None:
    with fake_in_thread(rate_limit=WINDOW) as server:
        seen = [asyncio.run(batch(server, 10, rate_limit=RateLimit(*WINDOW))) for _ in range(3)]
        assert seen == [0, 0, 0]
        assert refused(server) == 0
        assert server.max_in_window == WINDOW[0]


def test_threads_with_their_own_event_loops_share_one_window() -> None:
    with fake_in_thread(rate_limit=WINDOW) as server:
        seen: list[int] = []

        def worker() -> None:
            seen.append(asyncio.run(batch(server, 20, rate_limit=RateLimit(*WINDOW))))

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert seen == [0, 0, 0]
        assert refused(server) == 0
        assert server.max_in_window == WINDOW[0]


def test_requests_given_up_after_sending_keep_their_slot_so_no_429_follows() -> None:
    # The busy server takes 0.3 s to get to each request and counts it then; the client
    # gives up after 0.1 s. Stamped when the client gave up, the slots would free 0.2 s
    # before the server's, and the next batch (the server has caught up) would meet 429s.
    with fake_in_thread(rate_limit=WINDOW, latency=0.3) as server:

        async def main() -> int:
            async with client(server, rate_limit=RateLimit(*WINDOW), timeout=0.4) as plane:
                calls = [asyncio.ensure_future(plane.users.me()) for _ in range(10)]
                await asyncio.sleep(0.1)
                for call in calls:
                    call.cancel()
                await asyncio.gather(*calls, return_exceptions=True)
                server.faults.latency = 0.0  # the server catches up: the next batch is quick
                await asyncio.gather(*(plane.users.me() for _ in range(10)))
                return plane.stats.rate_limited

        assert asyncio.run(main()) == 0
        assert refused(server) == 0


@pytest.mark.parametrize("window", [(20, 1.0), (50, 1.0)])
def test_the_default_learns_the_servers_limit_and_meets_no_429(window: tuple[int, float]) -> None:
    with fake_in_thread(rate_limit=window) as server:

        async def main() -> tuple[int, Any]:
            async with client(server) as plane:
                loop = asyncio.get_running_loop()
                start = loop.time()
                await asyncio.gather(*(plane.users.me() for _ in range(3 * window[0])))
                return plane.stats.rate_limited, (loop.time() - start, plane.quota())

        too_many, (elapsed, quota) = asyncio.run(main())
        assert too_many == 0 and refused(server) == 0
        assert (quota.limit, quota.period) == window
        assert server.max_in_window == window[0]
        assert elapsed < 2.6 * window[1]  # three windows' worth in a little over two periods


def test_processes_and_threads_on_one_key_through_redis_meet_no_429(
    redis_server: RedisServer,
) -> None:
    with fake_plane(*WINDOW) as server:
        results = run_workers(server, 3, requests=20, coroutines=20, threads=2,
                              rate=WINDOW, redis_url=redis_server.url)  # fmt: skip
    assert [r.get("done") for r in results] == [20, 20, 20]
    assert sum(r["rate_limited"] for r in results) == 0
    assert server.stats.refused == 0
    assert server.stats.max_in_window == WINDOW[0]


def test_processes_with_the_default_learn_the_limit_through_redis(
    redis_server: RedisServer,
) -> None:
    with fake_plane(10, 1.0) as server:
        results = run_workers(server, 3, requests=15, coroutines=15, redis_url=redis_server.url)
    assert [r.get("done") for r in results] == [15, 15, 15]
    assert server.stats.refused == 0
    assert server.stats.max_in_window == 10


def test_a_connection_that_was_never_made_takes_no_slot() -> None:
    # A refused connection reached no server: unlike a request given up in flight, its
    # slot frees at once, so a server back from an outage is not kept waiting a timeout.
    from tests.support.redis_server import free_port

    async def main() -> tuple[float, int]:
        down = f"http://127.0.0.1:{free_port()}"
        async with AsyncPlane(api_key="plane_api_" + "0" * 32, base_url=down,
                              rate_limit=RateLimit(2, 60.0), max_retries=0) as plane:  # fmt: skip
            for _ in range(3):
                with pytest.raises(TransportError):
                    await plane.users.me()
            return plane.quota().remaining, plane.stats.transport_errors

    # held slots would make the third call wait 90 s: fail fast instead
    remaining, failures = asyncio.run(asyncio.wait_for(main(), 10))
    assert (remaining, failures) == (2, 3)
