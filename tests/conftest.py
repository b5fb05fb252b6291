"""Fixtures shared by the tests; the fake server's come from plane_async's pytest plugin,
which a project opts into as this one does."""

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

from plane_async._ratelimit import LocalLimiters, use_registry
from tests.support.redis_server import RedisServer, redis_binary

pytest_plugins = ["plane_async.testing.pytest_plugin"]


class _SentWriter:
    """What aiohttp 3.14's ClientResponse reads of the request's stream writer once the
    request is sent: its size. aioresponses 0.7.x builds responses without one."""

    output_size = 0


class _MockedResponse(aiohttp.ClientResponse):
    """A ClientResponse that aioresponses 0.7.x can build on aiohttp 3.9 to 3.14 alike."""

    def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
        if "stream_writer" in _RESPONSE_PARAMETERS:
            kwargs.setdefault("stream_writer", _SentWriter())
        super().__init__(method, url, **kwargs)


_RESPONSE_PARAMETERS = inspect.signature(aiohttp.ClientResponse.__init__).parameters

# aioresponses builds every response it has no response_class for from this name.
aioresponses_core.ClientResponse = _MockedResponse  # type: ignore[misc]


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    """Every aiohttp request answered by aioresponses (add the answers to it)."""
    with aioresponses() as m:
        yield m


@pytest.fixture(autouse=True)
def local_limiters() -> Iterator[LocalLimiters]:
    """Each test starts with a fresh in-process registry as the process's, its limiters on a
    clock that follows the running event loop (the virtual one of tests/support/vclock.py,
    or the real monotonic one). A test that inspects the registry asks for it by name."""
    with use_registry(LocalLimiters(clock=loop_clock)) as registry:
        yield registry


def loop_clock() -> float:
    """The running loop's time (virtual under tests/support/vclock.py); else time.monotonic()."""
    loop = asyncio._get_running_loop()
    return loop.time() if loop is not None else time.monotonic()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test on a real redis-server belongs to the slow tier (``make check`` leaves it out)."""
    for item in items:
        if "redis_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A fresh redis-server on a free loopback port for one test, stopped after it."""
    server = RedisServer(redis_binary())
    server.start()
    try:
        yield server
    finally:
        server.close()
