"""RedisLimiter at its edges: odd rate headers, keys that must expire, a dead Redis, a Redis
that lost its state. Against a real redis-server, in real time on short windows."""

from __future__ import annotations

import asyncio
import logging
import time
from email.utils import formatdate
from typing import Any

import pytest
import redis.asyncio
from redis.asyncio.connection import Connection

from plane_async import LimiterUnavailableError, RateLimit, RedisLimiter
from plane_async._ratelimit import Limiter
from tests.support.redis_server import RedisServer

URL = "https://plane.example.com"
KEY = "plane_api_0123456789abcdef0123456789abcdef"
YEAR = 365 * 86400


def key_limiter(backend: RedisLimiter, rate: RateLimit | None) -> Limiter:
    return backend.for_key(URL, KEY, rate)


def plane_headers(remaining: int, period: int, *, lag: float = 1.2) -> dict[str, str]:
    """As Plane sends them: Reset = int(now + period), a Date that lags the clock."""
    now = time.time()
    return {
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(int(now + period)),
        "Date": formatdate(int(now - lag), usegmt=True),
    }


async def answer(limiter: Limiter, status: int, sent: dict[str, str]) -> None:
    async with limiter.slot(timeout=5.0) as slot:
        slot.observe(status, sent)


async def ttls(server: RedisServer) -> dict[str, float]:
    client = redis.asyncio.from_url(server.url)
    try:
        return {k.decode(): await client.pttl(k) / 1000 async for k in client.scan_iter("*")}
    finally:
        await client.aclose()


# -- 1. every key expires; a far-future Reset is ignored -----------------------------------


async def test_every_key_the_limiter_writes_expires(redis_server: RedisServer) -> None:
    async with RedisLimiter.from_url(redis_server.url) as backend:
        learned = key_limiter(backend, None)
        await answer(learned, 200, plane_headers(2, 60) | {"X-RateLimit-Reset": str(
            int(time.time()) + YEAR)})  # fmt: skip
        explicit = backend.for_key(URL, KEY + "2", RateLimit(5, 1.0))
        await answer(explicit, 200, {})
        paused = backend.for_key(URL, KEY + "3", RateLimit(5, 1.0))
        await answer(paused, 429, {"Retry-After": "2"})

        async def hold() -> None:  # a reservation in flight while we look
            async with explicit.slot(timeout=30.0):
                await asyncio.sleep(0.5)

        holding = asyncio.create_task(hold())
        await asyncio.sleep(0.2)
        found = await ttls(redis_server)
        await holding
        quota = learned.quota()
    assert {k.rsplit(":", 1)[1] for k in found} >= {"log", "res", "state"}
    # before: the state hashes (learned limit, pause) and reservations had no TTL (-1)
    assert all(0 < ttl <= 2 * 86400 for ttl in found.values()), found
    assert (quota.limit, quota.period) == (3, 60.0)  # before: 3 per 31,536,001 s


# -- 2. a lagging Date: the window stays exactly Plane's minute ------------------------------


async def test_the_fleets_learned_window_never_drifts_with_a_lagging_date(
    redis_server: RedisServer,
) -> None:
    async with RedisLimiter.from_url(redis_server.url) as backend:
        limiter = key_limiter(backend, None)
        for lag in (0.7, 1.7, 2.6, 4.0, 1.0):
            await answer(limiter, 200, plane_headers(57, 60, lag=lag))
        quota = limiter.quota()
    assert (quota.limit, quota.period) == (58, 60.0)  # before: 58 per 65 s


# -- 4. a 429 without rate headers does not leave the fleet at one per minute ---------------


async def test_a_headerless_429_does_not_shrink_the_fleets_default(
    redis_server: RedisServer,
) -> None:
    async with RedisLimiter.from_url(redis_server.url) as backend:
        limiter = key_limiter(backend, None)
        await answer(limiter, 200, {})  # no rate headers: Plane's default, 60 per minute
        start = time.monotonic()
        await answer(limiter, 429, {"Retry-After": "1"})
        await answer(limiter, 200, {})  # the retry: after Retry-After, not after a minute
        retried_after = time.monotonic() - start
        quota = limiter.quota()
    assert retried_after < 2.0
    assert (quota.limit, quota.period) == (60, 60.0)  # before: 1 per 60 s for good


# -- 3. a dead Redis answers every waiter at once ------------------------------------------


class CountingConnection(Connection):
    """A redis-py connection that counts its connection attempts."""

    attempts = 0

    async def connect(self, *args: Any, **kwargs: Any) -> None:
        CountingConnection.attempts += 1
        await super().connect(*args, **kwargs)


@pytest.mark.parametrize("fallback", ["error", "local"])
async def test_a_dead_redis_answers_every_queued_waiter_at_once(
    redis_server: RedisServer, fallback: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="plane_async")
    backend = RedisLimiter.from_url(redis_server.url, fallback=fallback,
                                    connection_class=CountingConnection)  # fmt: skip
    async with backend:
        limiter = key_limiter(backend, RateLimit(100, 1.0))
        await answer(limiter, 200, {})
        redis_server.stop()
        CountingConnection.attempts = 0

        async def one() -> str:
            try:
                await answer(limiter, 200, {})
            except LimiterUnavailableError:
                return "error"
            return "sent"

        outcomes = await asyncio.gather(*(one() for _ in range(40)))
    expected = "error" if fallback == "error" else "sent"
    assert outcomes == [expected] * 40
    # the head of the queue found Redis dead (with its own retries); the 39 behind it got
    # the answer without trying again (before: each one retried the dead Redis in turn)
    assert CountingConnection.attempts <= 8


# -- 19. a Redis that lost its state paces the first requests as a fresh start does ---------


async def test_after_redis_loses_its_state_the_first_requests_probe_one_at_a_time(
    redis_server: RedisServer,
) -> None:
    async with RedisLimiter.from_url(redis_server.url) as backend:
        limiter = key_limiter(backend, RateLimit(5, 30.0))
        for left in range(4, -1, -1):  # the server's window (and ours) is full for 30 s
            await answer(limiter, 200, {"X-RateLimit-Remaining": str(left)})
        client = redis.asyncio.from_url(redis_server.url)
        try:
            await client.flushall()  # a restart without persistence: every key is gone
        finally:
            await client.aclose()
        sent: list[float] = []

        async def one() -> None:
            async with limiter.slot(timeout=5.0) as slot:
                sent.append(time.monotonic())
                await asyncio.sleep(0.2)
                slot.observe(200, {"X-RateLimit-Remaining": "0"})  # the server is still full

        tasks = [asyncio.create_task(one()) for _ in range(5)]
        await asyncio.sleep(1.5)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    # one probe, whose answer says the window is full; before: all five at once (five 429s)
    assert len(sent) == 1
