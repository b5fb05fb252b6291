"""Fixtures shared by the tests (the fake server's come from plane_async's pytest plugin)."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from aioresponses import core as aioresponses_core

from plane_async import _ratelimit
from tests.redis_server import RedisServer, redis_binary


def _aioresponses_works() -> bool:
    """aioresponses 0.7.x builds responses without the ``stream_writer`` that aiohttp 3.14
    requires; on such a pair the tests that mock with it cannot run."""
    needed = inspect.signature(aiohttp.ClientResponse.__init__).parameters.get("stream_writer")
    if needed is None or needed.default is not inspect.Parameter.empty:
        return True
    return "stream_writer" in inspect.getsource(aioresponses_core)


AIORESPONSES_WORKS = _aioresponses_works()

if not AIORESPONSES_WORKS:
    # `make test` also runs the suite on the newest aiohttp (what `pip install plane-async`
    # brings). There, a test that starts an aioresponses mock is skipped at that moment;
    # everything on FakePlane or a loopback server runs.
    def _skip_start(self: Any) -> None:
        pytest.skip(f"needs aioresponses, which cannot mock aiohttp {aiohttp.__version__}")

    aioresponses.start = _skip_start  # type: ignore[method-assign]


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
