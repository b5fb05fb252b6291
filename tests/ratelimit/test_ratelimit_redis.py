"""RedisLimiter against a real redis-server (started on a free loopback port per test).

Redis stamps with its own clock, so these tests run in real time on short windows.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from email.utils import formatdate

import pytest
import redis.asyncio

from plane_async import (
    AsyncPlane,
    LimiterUnavailableError,
    PlaneValueError,
    RateLimit,
    RedisLimiter,
)
from plane_async._ratelimit import Limiter
from plane_async._ratelimit.redis_conn import LoopConn
from plane_async.testing import FakePlane, Seed
from tests.support.redis_server import RedisServer, free_port
from tests.support.subprocess_helpers import TROUBLE, plane_env, run_python

URL = "https://plane.example.com"
KEY = "plane_api_0123456789abcdef0123456789abcdef"


def key_limiter(backend: RedisLimiter, rate: RateLimit | None) -> Limiter:
    return backend.for_key(URL, KEY, rate)


async def run_requests(
    limiter: Limiter, n: int, *, headers: dict[str, str] | None = None, status: int = 200
) -> list[float]:
    """n requests through the limiter at once; the times they were let through."""
    start = time.monotonic()
    times: list[float] = []

    async def one() -> None:
        async with limiter.slot(timeout=5.0) as slot:
            times.append(time.monotonic() - start)
            slot.observe(status, headers or {})

    await asyncio.gather(*(one() for _ in range(n)))
    return sorted(times)


async def test_the_first_requests_go_at_once_then_each_as_the_oldest_leaves(
    redis_server: RedisServer,
) -> None:
    async with RedisLimiter.from_url(redis_server.url) as backend:
        times = await run_requests(key_limiter(backend, RateLimit(3, 0.4, margin=0.0)), 7)
    assert max(times[:3]) < 0.2
    assert all(0.4 <= t < 0.6 for t in times[3:6])
    assert 0.8 <= times[6] < 1.0


async def test_two_limiters_on_one_redis_share_the_window_like_two_processes(
    redis_server: RedisServer,
) -> None:
    async with (
        RedisLimiter.from_url(redis_server.url) as a,
        RedisLimiter.from_url(redis_server.url) as b,
    ):
        rate = RateLimit(4, 0.4, margin=0.0)
        ta, tb = await asyncio.gather(
            run_requests(key_limiter(a, rate), 4), run_requests(key_limiter(b, rate), 4)
        )
    both = sorted(ta + tb)
    assert sum(1 for t in both if t < 0.3) == 4  # one window's worth, not two
    assert all(t >= 0.4 for t in both[4:])


async def test_a_429_pauses_every_sender_and_is_not_counted(redis_server: RedisServer) -> None:
    async with (
        RedisLimiter.from_url(redis_server.url) as a,
        RedisLimiter.from_url(redis_server.url) as b,
    ):
        rate = RateLimit(100, 10.0)
        await run_requests(key_limiter(a, rate), 1, status=429, headers={"Retry-After": "1"})
        paused = key_limiter(a, rate).quota()
        start = time.monotonic()
        # the other "process" waits for the pause; then goes one at a time until the server's
        # count says how much is left
        await run_requests(key_limiter(b, rate), 1, headers={"X-RateLimit-Remaining": "99"})
        waited = time.monotonic() - start
        quota = key_limiter(b, rate).quota()
    assert 0.9 <= paused.paused_for <= 1.0
    assert 0.9 <= waited < 1.3
    assert quota.remaining == 99  # the 429 took no slot; the probe took one


async def test_remaining_below_the_fleets_count_adds_phantom_requests(
    redis_server: RedisServer,
) -> None:
    async with RedisLimiter.from_url(redis_server.url) as backend:
        limiter = key_limiter(backend, RateLimit(10, 30.0))
        await run_requests(limiter, 1, headers={"X-RateLimit-Remaining": "2"})
        assert limiter.quota().remaining == 2  # someone else used 7 of the 10


async def test_the_limit_is_learned_from_the_headers_one_at_a_time_before(
    redis_server: RedisServer,
) -> None:
    now = time.time()
    headers = {  # as Plane sends them: Reset is now + the window, in the server's seconds
        "X-RateLimit-Remaining": "4",
        "X-RateLimit-Reset": str(int(now) + 1),
        "Date": formatdate(now, usegmt=True),
    }
    async with RedisLimiter.from_url(redis_server.url) as backend:
        limiter = key_limiter(backend, None)
        assert limiter.quota().limit == 1
        in_flight: list[int] = []

        async def one() -> None:
            async with limiter.slot(timeout=5.0) as slot:
                in_flight.append(limiter.quota().in_flight)
                await asyncio.sleep(0.05)
                slot.observe(200, headers)

        await one()  # the first response teaches 5 per 1 s
        quota = limiter.quota()
        await asyncio.gather(*(one() for _ in range(4)))
    assert (quota.limit, quota.period) == (5, 1.0)
    assert max(in_flight) == 4  # after learning, the rest of the window at once


async def test_a_cancelled_waiter_and_a_cancelled_request_leak_nothing(
    redis_server: RedisServer,
) -> None:
    async with RedisLimiter.from_url(redis_server.url) as backend:
        limiter = key_limiter(backend, RateLimit(5, 0.3, margin=0.0))

        async def hold() -> None:
            async with limiter.slot(timeout=0.2):
                await asyncio.sleep(10)

        tasks = [asyncio.create_task(hold()) for _ in range(200)]
        await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # the 5 cancelled in flight count until their timeout (0.2 s) plus the window
        start = time.monotonic()
        await run_requests(limiter, 5)
        waited = time.monotonic() - start
        client = redis.asyncio.from_url(redis_server.url)
        try:
            reservations = [k async for k in client.scan_iter("*:res")]
            left = sum([await client.zcard(k) for k in reservations])
        finally:
            await client.aclose()
    assert waited < 0.7
    assert left == 0


def test_a_process_killed_holding_slots_leaks_them_only_for_the_lease(
    redis_server: RedisServer,
) -> None:
    code = f"""
import asyncio, sys
from plane_async import RateLimit, RedisLimiter
async def main():
    backend = RedisLimiter.from_url({redis_server.url!r}, lease_margin=0.0)
    limiter = backend.for_key({URL!r}, {KEY!r}, RateLimit(3, 0.2, margin=0.0))
    slots = [limiter.slot(timeout=1.0) for _ in range(3)]
    for s in slots:
        await s.__aenter__()
    print("holding", flush=True)
    await asyncio.sleep(60)
asyncio.run(main())
"""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "holding"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)

        async def after() -> float:
            async with RedisLimiter.from_url(redis_server.url) as backend:
                start = time.monotonic()
                await run_requests(key_limiter(backend, RateLimit(3, 0.2, margin=0.0)), 3)
                return time.monotonic() - start

        waited = asyncio.run(after())
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    assert waited < 1.5  # the leases (1 s) ran out; nothing was stuck for good


async def test_redis_keys_name_a_hash_under_the_prefix_never_the_key(
    redis_server: RedisServer,
) -> None:
    async with RedisLimiter.from_url(redis_server.url, prefix="acme:plane:") as backend:
        await run_requests(key_limiter(backend, None), 1, headers={"X-RateLimit-Remaining": "5"})
        assert KEY not in repr(backend) and KEY not in repr(key_limiter(backend, None))
    client = redis.asyncio.from_url(redis_server.url)
    try:
        keys = [k.decode() async for k in client.scan_iter("*")]
        values = [str(await client.hgetall(k)) for k in keys if k.endswith(":state")]
        values += [str(await client.zrange(k, 0, -1)) for k in keys if k.endswith(":log")]
    finally:
        await client.aclose()
    assert keys and all(k.startswith("acme:plane:{") for k in keys)
    assert not any(KEY in text or "plane_api" in text for text in keys + values)


async def test_a_redis_the_caller_owns_is_used_and_never_closed(
    redis_server: RedisServer,
) -> None:
    client = redis.asyncio.from_url(redis_server.url)
    try:
        async with RedisLimiter(client) as backend:
            await run_requests(key_limiter(backend, RateLimit(5, 1.0)), 2)
        assert await client.ping()
    finally:
        await client.aclose()


async def test_unreachable_redis_raises_before_any_request() -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    async with RedisLimiter.from_url(dead) as backend:
        with pytest.raises(LimiterUnavailableError, match="no request was sent") as info:
            async with key_limiter(backend, RateLimit()).slot():
                pytest.fail("a request went without the shared limiter")
    assert "fallback='local'" in str(info.value)


async def test_fallback_local_uses_the_in_process_limiter_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    caplog.set_level(logging.WARNING, logger="plane_async")
    async with RedisLimiter.from_url(dead, fallback="local") as backend:
        times = await run_requests(key_limiter(backend, RateLimit(2, 0.3, margin=0.0)), 3)
    assert times[2] >= 0.3  # still limited, by the in-process window
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "in-process limiter" in warnings[0].getMessage()


async def test_redis_restarted_mid_run_fails_clearly_then_recovers(
    redis_server: RedisServer,
) -> None:
    async with RedisLimiter.from_url(redis_server.url) as backend:
        limiter = key_limiter(backend, RateLimit(50, 1.0))
        await run_requests(limiter, 5)
        redis_server.stop()
        with pytest.raises(LimiterUnavailableError):
            await run_requests(limiter, 1)
        redis_server.start()
        assert len(await run_requests(limiter, 5)) == 5


def test_bad_settings_are_refused_with_what_would_do() -> None:
    with pytest.raises(PlaneValueError, match="redis://host:6379/0"):
        RedisLimiter.from_url("localhost:6379")
    with pytest.raises(PlaneValueError, match="'error' or 'local'"):
        RedisLimiter.from_url("redis://localhost", fallback="burst")  # type: ignore[arg-type]
    with pytest.raises(PlaneValueError, match="lease_margin"):
        RedisLimiter.from_url("redis://localhost", lease_margin=-1)
    with pytest.raises(PlaneValueError, match="lease_margin must be a finite"):
        RedisLimiter.from_url("redis://localhost", lease_margin=float("inf"))
    assert "secret" not in repr(RedisLimiter.from_url("redis://:secret@localhost:6379/0"))


async def test_asyncplane_with_a_redis_limiter_closes_its_connections(
    redis_server: RedisServer, mocked: object
) -> None:
    from aioresponses import aioresponses

    assert isinstance(mocked, aioresponses)
    mocked.get(f"{URL}/api/v1/users/me/", payload={"id": "u"},
               headers={"X-RateLimit-Remaining": "59"})  # fmt: skip
    backend = RedisLimiter.from_url(redis_server.url)
    async with AsyncPlane(api_key=KEY, base_url=URL, limiter=backend) as plane:
        assert await plane.request("GET", "users/me/") == {"id": "u"}
        assert plane.quota().limit == 60
    # nothing left open: filterwarnings=error would turn an unclosed connection into a failure


def test_a_check_in_its_own_asyncio_run_leaves_no_connection_open(
    redis_server: RedisServer,
) -> None:
    # a worker's start-up check, `asyncio.run(limiter.check())`, before any client: the
    # connection it opened stayed open after its loop had closed, for the garbage collector
    # to find (ResourceWarning: unclosed Connection), one per check
    backend = RedisLimiter.from_url(redis_server.url)
    opened: list[redis.asyncio.Redis] = []
    conn_of_loop = backend._conn

    def spy() -> LoopConn:
        conn = conn_of_loop()
        if conn.client not in opened:
            opened.append(conn.client)
        return conn

    backend._conn = spy  # type: ignore[method-assign]
    asyncio.run(backend.check())
    asyncio.run(backend.check())
    assert len(opened) == 2
    assert not backend._conns  # nothing kept for a loop no client uses
    connections = [
        connection
        for client in opened
        for connection in (
            *client.connection_pool._available_connections,
            *client.connection_pool._in_use_connections,
        )
    ]
    assert connections and not any(connection.is_connected for connection in connections)


@pytest.fixture
def no_redis_package(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)
    yield


def test_without_redis_py_the_error_says_what_to_install(no_redis_package: None) -> None:
    with pytest.raises(PlaneValueError, match=r"plane-async\[redis\]"):
        RedisLimiter.from_url("redis://localhost")


async def test_a_waiter_cancelled_while_holding_a_ticket_hands_it_back(
    redis_server: RedisServer,
) -> None:
    async with RedisLimiter.from_url(redis_server.url) as backend:
        limiter = key_limiter(backend, RateLimit(2, 0.5, margin=0.0))
        await run_requests(limiter, 2)  # the window is full for 0.5 s
        start = time.monotonic()
        ticketed = [asyncio.create_task(run_requests(limiter, 1)) for _ in range(2)]
        await asyncio.sleep(0.1)  # both hold a ticket for the moment the window frees
        assert limiter.quota().in_flight == 2
        for task in ticketed:
            task.cancel()
        await asyncio.gather(*ticketed, return_exceptions=True)
        await asyncio.sleep(0.05)  # the hand-back runs in the background
        times = await run_requests(limiter, 2)
        waited = time.monotonic() - start
    assert all(t < 0.6 for t in times) and waited < 0.7  # the handed-back moments were reused


@pytest.mark.parametrize("awaited", [True, False], ids=["cancelled-then-closed", "closed-at-once"])
async def test_closing_right_after_cancelled_tickets_hands_them_back_and_leaves_nothing_open(
    redis_server: RedisServer, awaited: bool
) -> None:
    # Before: the hand-backs of the cancelled tickets ran on after aclose() had closed the
    # pool; redis-py's retry reconnected them, and nothing ever closed those connections
    # (on redis-py 5, a ResourceWarning for an unclosed socket in some later test).
    observer = redis.asyncio.from_url(redis_server.url, decode_responses=True)
    try:
        backend = RedisLimiter.from_url(redis_server.url, client_name="limiter")
        limiter = key_limiter(backend, RateLimit(10, 5.0, margin=0.0))
        await run_requests(limiter, 10)  # the window is full for 5 s
        ticketed = [asyncio.create_task(run_requests(limiter, 1)) for _ in range(10)]
        while limiter.quota().in_flight < 10:  # noqa: ASYNC110 (nothing signals a ticket)
            await asyncio.sleep(0.01)
        for task in ticketed:
            task.cancel()
        if awaited:
            await asyncio.gather(*ticketed, return_exceptions=True)
        await backend.aclose()
        # when aclose() returns, the tickets are handed back ...
        held = [await observer.hlen(key) async for key in observer.scan_iter("*:held")]
        # ... and whatever the loop still runs opens no connection again
        await asyncio.gather(*ticketed, return_exceptions=True)
        others = asyncio.all_tasks() - {asyncio.current_task()}
        if others:
            await asyncio.wait(others, timeout=5.0)
        clients = await observer.client_list()
    finally:
        await observer.aclose()
    assert sum(held) == 0
    assert [c for c in clients if c["name"] == "limiter"] == []


# A user's program: one request through a RedisLimiter, in its own process under -W error
# (redis-py 8 warns when handed its synchronous Retry; no version of redis-py we support may).
REDIS_PROGRAM = """
import asyncio, os
from plane_async import AsyncPlane, RedisLimiter

async def main() -> None:
    limiter = RedisLimiter.from_url(os.environ["REDIS_URL"])
    async with AsyncPlane(limiter=limiter) as plane:
        async for project in plane.projects.list():
            print(project.identifier)
    await limiter.aclose()

asyncio.run(main())
"""


async def test_a_request_through_redis_warns_nothing_under_w_error(
    redis_server: RedisServer,
) -> None:
    async with FakePlane(seed=Seed(projects=2, issues_per_project=1)) as server:
        code, out, err = await run_python(
            ["-c", REDIS_PROGRAM], plane_env(server, REDIS_URL=redis_server.url)
        )
    assert code == 0, err
    assert len(out.split()) == 2
    assert not any(word in err for word in TROUBLE), err
