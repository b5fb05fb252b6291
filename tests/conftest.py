"""Fixtures shared by the tests (the fake server's come from plane_async's pytest plugin)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from aioresponses import aioresponses

from plane_async import _ratelimit
from tests.redis_server import RedisServer, redis_binary


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    """Every aiohttp request answered by aioresponses (add the answers to it)."""
    with aioresponses() as m:
        yield m


@pytest.fixture(autouse=True)
def _fresh_limiters(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no process-wide limiter, on a clock that follows the running
    event loop (the virtual one of tests/vclock.py, or the real monotonic one)."""
    monkeypatch.setattr(_ratelimit, "_clock", loop_clock)
    monkeypatch.setattr(_ratelimit, "_registry", {})
    yield


def loop_clock() -> float:
    """The running loop's time (virtual under tests/vclock.py); else time.monotonic()."""
    loop = asyncio._get_running_loop()
    return loop.time() if loop is not None else time.monotonic()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A fresh redis-server on a free loopback port for one test, stopped after it."""
    server = RedisServer(redis_binary())
    server.start()
    try:
        yield server
    finally:
        server.close()
