"""RedisLimiter when a process dies holding reservations (a real redis-server, real OS
processes, SIGKILL), and when a live one stalls past its liveness.

A dead process's tickets (moments reserved ahead, never sent) must be freed about a second
after its death; its requests that may have gone must keep counting, as stamps as late as
the server could have counted them; and no process may ever send on a reservation it lost.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from importlib import resources

import pytest
import redis

from benchmarks._fleet import collect as collect_workers
from benchmarks._fleet import fake_plane, kill_holding, start_workers
from plane_async import RateLimit, RedisLimiter
from plane_async._ratelimit import Limiter
from plane_async._ratelimit.redis_owner import ALIVE_FOR
from tests.support.redis_server import RedisServer

URL = "https://plane.example.com"
KEY = "plane_api_0123456789abcdef0123456789abcdef"


def key_limiter(backend: RedisLimiter, rate: RateLimit) -> Limiter:
    return backend.for_key(URL, KEY, rate)


def held(client: redis.Redis) -> dict[str, str]:
    """Every reservation in Redis: token -> its record (owner|kind|time|timeout)."""
    records: dict[str, str] = {}
    for key in client.scan_iter("*:held"):
        records.update(client.hgetall(key))
    return records


def stamp_of(client: redis.Redis, token: str) -> float | None:
    for key in client.scan_iter("*:log"):
        score = client.zscore(key, token)
        if score is not None:
            return float(score)
    return None


# The child: two requests answered (stamps), two sent and never answered, two tickets for
# the moments those stamps leave the window (3 s ahead); then it waits to be killed.
HOLDER = f"""
import asyncio, sys
from plane_async import RateLimit, RedisLimiter

async def main():
    backend = RedisLimiter.from_url(sys.argv[1])
    limiter = backend.for_key({URL!r}, {KEY!r}, RateLimit(4, 3.0, margin=0.0))
    for _ in range(2):
        async with limiter.slot(timeout=1.0) as slot:
            slot.observe(200, {{}})
    sent = [limiter.slot(timeout=1.0) for _ in range(2)]
    for slot in sent:
        await slot.__aenter__()

    async def ticket():
        async with limiter.slot(timeout=1.0):
            await asyncio.sleep(60)

    waiting = [asyncio.create_task(ticket()) for _ in range(2)]
    while limiter.quota().in_flight < 4:
        await asyncio.sleep(0.01)
    print("holding", flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


def test_a_killed_process_frees_its_tickets_at_once_and_stamps_what_it_sent(
    redis_server: RedisServer,
) -> None:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, redis_server.url],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "holding"
        before = held(client)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        killed = time.monotonic()

        async def after() -> float:
            # Another process wants two slots: the window holds two stamps and the dead
            # process's four reservations. It gets the moments the dead tickets had.
            async with RedisLimiter.from_url(redis_server.url) as backend:
                limiter = key_limiter(backend, RateLimit(4, 3.0, margin=0.0))

                async def one() -> None:
                    async with limiter.slot(timeout=1.0) as slot:
                        slot.observe(200, {})

                await asyncio.gather(one(), one())
                return time.monotonic() - killed

        waited = asyncio.run(after())
        left = held(client)
        sent = {t: r for t, r in before.items() if r.split("|")[1] == "s"}
        tickets = [t for t, r in before.items() if r.split("|")[1] == "t"]
        stamps = {t: stamp_of(client, t) for t in [*sent, *tickets]}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        client.close()
    assert len(sent) == 2 and len(tickets) == 2
    assert not any(token in left for token in before)  # everything it held has ended
    # its sent requests count on, as stamps at their send plus their timeout (1 s) ...
    for token, record in sent.items():
        sent_at = float(record.split("|")[2])
        assert stamps[token] == pytest.approx(sent_at + 1.0, abs=0.001)
    # ... its tickets were never sent: no stamp, and their moments (the old stamps leaving,
    # under 3 s after the kill) went to the other process. Held until their leases (11 s),
    # or counted as sent, they would have kept it waiting 4 s or more.
    assert stamps[tickets[0]] is None and stamps[tickets[1]] is None
    assert waited < 3.5


def test_a_worker_killed_mid_run_costs_the_fleet_no_429_and_frees_what_it_held(
    redis_server: RedisServer,
) -> None:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        with fake_plane(10, 0.5, latency=0.1) as server:
            workers = start_workers(server, 3, requests=20, coroutines=20, rate=(10, 0.5),
                                    redis_url=redis_server.url, timeout=2.0)  # fmt: skip
            report = kill_holding(client, workers, 0, kill_from=0.3, kill_by=2.0, low=1, high=10)
            results = collect_workers(workers)
    finally:
        client.close()
    assert results[0] == {"exit": -signal.SIGKILL}
    assert [r.get("done") for r in results[1:]] == [20, 20]
    assert server.stats.refused == 0
    assert server.stats.max_in_window <= 10
    # what it held ended about ALIVE_FOR after its death (2 s leaves room for a loaded
    # machine; the leases were 12 s): tickets freed, sent requests turned into stamps
    assert report["tickets_freed_s"] < 2.0
    assert report["sent_settled_s"] < 2.0
    assert report["sent_stamped"] == report["on_the_wire"]


def test_a_loop_stalled_past_its_liveness_never_sends_on_a_ticket_it_lost(
    redis_server: RedisServer,
) -> None:
    # A process whose loop is blocked for longer than ALIVE_FOR is taken for dead: its
    # ticket goes to another process. When it wakes it must not send on it (that would be
    # a third request in a window of two): it asks again.
    rate = RateLimit(2, 1.0, margin=0.0)
    entered: list[float] = []
    ticketed = threading.Event()

    async def through(limiter: Limiter) -> None:
        async with limiter.slot(timeout=5.0) as slot:
            entered.append(time.monotonic())
            slot.observe(200, {})

    async def stalled() -> None:
        async with RedisLimiter.from_url(redis_server.url) as backend:
            limiter = key_limiter(backend, rate)
            await asyncio.gather(through(limiter), through(limiter))  # full for 1 s
            task = asyncio.create_task(through(limiter))
            # until it holds a ticket (the limiter's state: nothing signals it)
            while limiter.quota().in_flight < 1:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            ticketed.set()
            # the loop blocked (the point): no beat; its ticket's moment passes meanwhile
            time.sleep(1.6)  # noqa: ASYNC251
            await task

    def other() -> None:
        if not ticketed.wait(30):
            return
        time.sleep(1.2)  # the stalled loop's owner has not renewed for more than ALIVE_FOR

        async def main() -> None:
            async with RedisLimiter.from_url(redis_server.url) as backend:
                limiter = key_limiter(backend, rate)
                await asyncio.gather(through(limiter), through(limiter))

        asyncio.run(main())

    thread = threading.Thread(target=other)
    thread.start()
    try:
        asyncio.run(stalled())
    finally:
        thread.join(30)
    times = sorted(entered)
    assert len(times) == 5
    # never three in one second: the third of any three went a window after the first
    assert all(times[i + 2] - times[i] >= 1.0 - 0.02 for i in range(len(times) - 2))


def test_the_script_and_the_client_agree_on_how_long_an_owner_lives() -> None:
    script = resources.files("plane_async._ratelimit").joinpath("redis.lua").read_text("utf-8")
    found = re.search(r"^local ALIVE_FOR = ([0-9.]+)$", script, re.MULTILINE)
    assert found is not None and float(found.group(1)) == ALIVE_FOR


async def test_closing_the_limiter_while_a_slot_is_held_stops_its_beat(
    redis_server: RedisServer,
) -> None:
    backend = RedisLimiter.from_url(redis_server.url)
    slot = key_limiter(backend, RateLimit(5, 1.0)).slot(timeout=5.0)
    await slot.__aenter__()  # held: its loop beats for it
    await asyncio.wait_for(backend.aclose(), 5.0)  # before: the beat spun, and this hung
