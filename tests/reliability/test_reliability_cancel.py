"""Cancellation leaves nothing behind: no task, no held limiter slot, no open connection.

The fake server runs on its own event loop in a thread, so every task left on the test's
loop belongs to the client.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import pytest

from plane_async import AsyncPlane
from plane_async._errors import ClientClosedError, PlaneError
from plane_async.testing import FakePlane, Seed
from tests.reliability.test_reliability_faults import connect, project_id

WINDOW = (100, 0.5)
# Requests cancelled in flight hold their slot until their timeout: keep it short here.
ABANDON_TIMEOUT = 1.0


@contextmanager
def fake_in_thread(**options: Any) -> Iterator[FakePlane]:
    """A started FakePlane serving from its own loop in a daemon thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = FakePlane(**options)
    try:
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait (polling the real clock) until ``check()`` holds; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def held_slots(plane: AsyncPlane) -> tuple[int, int]:
    """(requests in flight, coroutines queued) in the client's limiter."""
    quota = plane.quota()
    return quota.in_flight, quota.waiting


def only_this_task() -> bool:
    return asyncio.all_tasks() == {asyncio.current_task()}


async def assert_nothing_left(plane: AsyncPlane) -> None:
    await eventually(only_this_task)
    assert held_slots(plane) == (0, 0)
    # Once the window has passed after the abandoned requests' timeout (the latest the
    # server could still count them), the whole quota is back: no slot was kept.
    assert plane.rate_limit is not None
    limit = plane.rate_limit.requests
    await eventually(lambda: plane.quota().remaining == limit)


def _server(**options: Any) -> Any:
    settings: dict[str, Any] = {
        "seed": Seed(issues_per_project=3000, modules=0, cycles=0, labels=0),
        "rate_limit": WINDOW,
        "latency": 0.002,
        "latency_jitter": 0.01,
    }
    return fake_in_thread(**{**settings, **options})


@pytest.mark.slow
@pytest.mark.parametrize("prefetch", [0, 4])
async def test_cancelling_a_running_export_leaves_nothing_behind(prefetch: int) -> None:
    with _server() as server:
        async with connect(server, window=WINDOW, timeout=ABANDON_TIMEOUT) as plane:
            pid = await project_id(plane, server)
            got: list[object] = []
            halfway = asyncio.Event()

            async def export() -> None:
                async for item in plane.issues.list(pid, per_page=50, prefetch=prefetch):
                    got.append(item.id)
                    if len(got) == 500:
                        halfway.set()

            task = asyncio.create_task(export())
            await halfway.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert 500 <= len(got) < 3000
            await assert_nothing_left(plane)
            # The client is still usable, and the export resumes from where it stood.
            rest = [
                i.id
                async for i in plane.issues.list(pid, per_page=50, cursor=f"50:{len(got) // 50}:0")
            ]
            assert len(got) // 50 * 50 + len(rest) == 3000
        await eventually(lambda: server.open_connections == 0)


@pytest.mark.slow
async def test_cancelling_a_fan_out_of_500_coroutines_leaves_nothing_behind() -> None:
    with _server() as server:
        async with connect(server, window=WINDOW, timeout=ABANDON_TIMEOUT) as plane:
            pid = await project_id(plane, server)
            ids = [issue.id for issue in list(server.store.issues.values())[:500]]
            done = 0
            enough = asyncio.Event()

            async def one(issue_id: str) -> None:
                nonlocal done
                await plane.issues.get(pid, issue_id)
                done += 1
                if done == 150:
                    enough.set()

            fan_out = asyncio.gather(*(one(i) for i in ids))
            await enough.wait()
            # Most coroutines are now queued in the limiter (100 per 0.5 s), some in flight.
            in_flight, queued = held_slots(plane)
            assert queued > 0 and in_flight <= WINDOW[0]
            fan_out.cancel()
            with pytest.raises(asyncio.CancelledError):
                await fan_out
            assert 150 <= done < 500
            await assert_nothing_left(plane)
            assert await plane.issues.get(pid, ids[-1])  # nothing is stuck behind them
        await eventually(lambda: server.open_connections == 0)
        assert not server.errors


async def test_closing_the_client_mid_flight_fails_the_calls_cleanly() -> None:
    with _server(latency=0.2) as server:
        async with connect(server, window=WINDOW, timeout=ABANDON_TIMEOUT) as plane:
            pid = await project_id(plane, server)
            tasks = [
                asyncio.create_task(plane.issues.get(pid, i))
                for i in list(server.store.issues)[:150]
            ]
            await eventually(lambda: server.open_connections >= 10)
            await plane.aclose()  # while 100 requests are in flight and 50 queued
        results = await asyncio.gather(*tasks, return_exceptions=True)
        # every call ends with the client's own error type, never a bare aiohttp one (on a
        # loaded machine a call or two may have finished before the close: those returned)
        failed = [r for r in results if isinstance(r, BaseException)]
        kinds = {type(r).__name__ for r in failed}
        assert all(isinstance(r, PlaneError) for r in failed), kinds
        assert failed, "the close cut no call"
        assert held_slots(plane) == (0, 0)
        await eventually(lambda: server.open_connections == 0)
        await eventually(only_this_task)


async def test_a_closed_caller_session_gives_a_clear_error() -> None:
    with _server() as server:
        async with aiohttp.ClientSession() as session:
            plane = AsyncPlane(api_key=server.api_key, base_url=server.base_url, session=session)
            assert await plane.request("GET", "users/me/")
            await session.close()
            with pytest.raises(ClientClosedError, match="session= is closed"):
                await plane.request("GET", "users/me/")
            await plane.aclose()
