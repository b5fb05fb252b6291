"""The wait budget: one bound on a whole call, limiter queue and retry pauses included,
per client (``wait_budget=``) and per call (``with_options``). Virtual clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aioresponses import aioresponses

from plane_async import (
    AsyncPlane,
    PlaneValueError,
    RateLimit,
    RedisLimiter,
    ServerError,
    WaitBudgetExceededError,
)
from plane_async.types import Quota
from tests.support import vclock
from tests.support.redis_server import RedisServer

KEY = "plane_api_0123456789abcdef0123456789abcdef"
BASE = "https://plane.test"
ME = f"{BASE}/api/v1/users/me/"
ME_BODY = {"id": "88443cc8-51b0-4591-9593-79be51aa5ba6", "display_name": "ada"}
ONE_PER_MINUTE = RateLimit(1, 60.0, margin=0.0)


def client(rate: RateLimit = ONE_PER_MINUTE, **kw: Any) -> AsyncPlane:
    return AsyncPlane(api_key=KEY, base_url=BASE, rate_limit=rate, **kw)


def now() -> float:
    return asyncio.get_running_loop().time()


def sent(mocked: aioresponses) -> int:
    return sum(len(calls) for calls in mocked.requests.values())


def test_a_call_that_cannot_get_a_slot_in_its_budget_is_refused_at_once(
    mocked: aioresponses,
) -> None:
    mocked.get(ME, payload=ME_BODY, repeat=True)

    async def main() -> tuple[WaitBudgetExceededError, float]:
        async with client(wait_budget=5.0) as plane:
            await plane.request("GET", "users/me/")  # the window is full for 60 s
            start = now()
            with pytest.raises(WaitBudgetExceededError) as caught:
                await plane.request("GET", "users/me/")
            return caught.value, now() - start

    err, took = vclock.run(main())
    assert took == 0.0  # a service answers "503, retry in 60 s" now, not 5 s later
    assert err.retry_after == pytest.approx(60.0)
    assert err.budget == 5.0 and err.sent is False
    assert isinstance(err, TimeoutError)
    assert "wait_budget of 5 s" in str(err) and "60.0 s" in str(err)
    assert sent(mocked) == 1


def test_a_budget_long_enough_waits_for_the_slot(mocked: aioresponses) -> None:
    mocked.get(ME, payload=ME_BODY, repeat=True)

    async def main() -> float:
        async with client(wait_budget=61.0) as plane:
            await plane.request("GET", "users/me/")
            start = now()
            await plane.request("GET", "users/me/")
            return now() - start

    assert vclock.run(main()) == pytest.approx(60.0)


def test_no_budget_by_default_a_batch_job_waits_as_before(mocked: aioresponses) -> None:
    mocked.get(ME, payload=ME_BODY, repeat=True)

    async def main() -> float:
        async with client() as plane:
            assert plane.wait_budget is None
            start = now()
            for _ in range(3):
                await plane.request("GET", "users/me/")
            return now() - start

    assert vclock.run(main()) == pytest.approx(120.0)


def test_with_options_sets_the_budget_of_one_call_and_shares_the_rest(
    mocked: aioresponses,
) -> None:
    mocked.get(ME, payload=ME_BODY, repeat=True)

    async def main() -> tuple[float, WaitBudgetExceededError]:
        async with client() as plane:
            fast = plane.with_options(wait_budget=2.0)
            assert fast.wait_budget == 2.0 and plane.wait_budget is None
            assert fast.limiter is plane.limiter
            await fast.users.me()  # a namespace call of the view
            with pytest.raises(WaitBudgetExceededError) as caught:
                await fast.users.me()
            start = now()
            await plane.users.me()  # the client itself still waits
            waited = now() - start
        assert fast.closed  # closing the client closes its views
        return waited, caught.value

    waited, err = vclock.run(main())
    assert waited == pytest.approx(60.0)
    assert err.retry_after == pytest.approx(60.0)


def test_a_per_call_budget_on_request(mocked: aioresponses) -> None:
    mocked.get(ME, payload=ME_BODY, repeat=True)

    async def main() -> None:
        async with client() as plane:
            await plane.request("GET", "users/me/")
            with pytest.raises(WaitBudgetExceededError):
                await plane.request("GET", "users/me/", wait_budget=1.0)

    vclock.run(main())


def test_a_429_pause_longer_than_the_budget_answers_at_once(mocked: aioresponses) -> None:
    mocked.get(ME, status=429, headers={"Retry-After": "30"}, payload={"detail": "slow"})
    mocked.get(ME, payload=ME_BODY)

    async def main() -> tuple[WaitBudgetExceededError, float]:
        async with client(RateLimit(100, 60.0, margin=0.0), wait_budget=10.0) as plane:
            start = now()
            with pytest.raises(WaitBudgetExceededError) as caught:
                await plane.request("GET", "users/me/")
            return caught.value, now() - start

    err, took = vclock.run(main())
    assert took == 0.0
    assert err.retry_after == pytest.approx(30.0)
    assert err.sent is False  # a 429 was not acted on by the server


def test_a_retry_pause_past_the_budget_ends_the_call_with_the_cause(
    mocked: aioresponses,
) -> None:
    mocked.get(ME, status=503, headers={"Retry-After": "20"}, body="busy")
    mocked.get(ME, payload=ME_BODY)

    async def main() -> tuple[WaitBudgetExceededError, float]:
        async with client(RateLimit(100, 60.0), wait_budget=10.0) as plane:
            start = now()
            with pytest.raises(WaitBudgetExceededError) as caught:
                await plane.request("GET", "users/me/")
            return caught.value, now() - start

    err, took = vclock.run(main())
    assert took == 0.0
    assert err.sent is True  # the server saw the first attempt
    assert isinstance(err.__cause__, ServerError) and err.__cause__.status == 503
    assert err.retry_after == pytest.approx(20.0)


class StuckLimiter:
    """A backend whose wait cannot be predicted (its quota looks free): the budget must
    still bound it, and the abandoned wait is given back."""

    def __init__(self) -> None:
        self.waiting = 0
        self.abandoned = 0

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[Any]:
        self.waiting += 1
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.abandoned += 1
            raise
        finally:
            self.waiting -= 1
        yield self  # pragma: no cover

    def slot(self, *, timeout: float | None = None) -> Any:
        return self._slot()

    def quota(self) -> Quota:
        return Quota(limit=1, period=1.0, remaining=1, next_slot_in=0.0, paused_for=0.0)


def test_a_wait_the_client_cannot_predict_ends_at_the_budget_and_frees_the_place(
    mocked: aioresponses,
) -> None:
    limiter = StuckLimiter()

    async def main() -> tuple[WaitBudgetExceededError, float]:
        async with client(limiter=limiter, wait_budget=5.0) as plane:
            start = now()
            with pytest.raises(WaitBudgetExceededError) as caught:
                await plane.request("GET", "users/me/")
            return caught.value, now() - start

    err, took = vclock.run(main())
    assert took == pytest.approx(5.0)
    assert err.sent is False and err.retry_after == 0.0
    assert limiter.abandoned == 1 and limiter.waiting == 0
    assert sent(mocked) == 0


def test_calls_that_give_up_leave_the_in_process_queue_clean(mocked: aioresponses) -> None:
    mocked.get(ME, payload=ME_BODY, repeat=True)

    async def main() -> tuple[list[str], Quota, float]:
        async with client(RateLimit(2, 10.0, margin=0.0)) as plane:
            patient = plane.with_options(wait_budget=25.0)
            calls = [asyncio.create_task(patient.request("GET", "users/me/")) for _ in range(8)]
            outcomes = []
            for task in calls:
                try:
                    await task
                    outcomes.append("ok")
                except WaitBudgetExceededError:
                    outcomes.append("503")
            quota = plane.quota()
            start = now()
            # the window frees at 30 s; nobody who gave up holds a place before this call
            await plane.request("GET", "users/me/")
            return outcomes, quota, now() - start

    outcomes, quota, waited = vclock.run(main())
    # 2 now, 2 at 10 s, 2 at 20 s; the last two would go at 30 s: refused at once
    assert outcomes == ["ok"] * 6 + ["503"] * 2
    assert quota.waiting == 0 and quota.in_flight == 0
    assert waited == pytest.approx(10.0)


@pytest.mark.parametrize("bad", [0, -1.0, "5", True, float("nan")])
def test_a_bad_budget_is_refused_before_any_request(bad: Any, mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="wait_budget"):
        client(wait_budget=bad)
    plane = client()
    with pytest.raises(PlaneValueError, match="wait_budget"):
        plane.with_options(wait_budget=bad)
    with pytest.raises(PlaneValueError, match="wait_budget"):
        vclock.run(plane.request("GET", "users/me/", wait_budget=bad))
    assert sent(mocked) == 0


async def test_a_call_that_gives_up_waiting_on_redis_takes_no_slot(
    mocked: aioresponses, redis_server: RedisServer
) -> None:
    """Two processes on one key (two backends): the one whose snapshot cannot see the full
    window waits in Redis until its budget ends; the slot it waited for stays free."""
    mocked.get(ME, payload=ME_BODY, repeat=True)
    rate = RateLimit(1, 1.0, margin=0.0)
    loop = asyncio.get_running_loop()
    async with (
        RedisLimiter.from_url(redis_server.url) as theirs,
        RedisLimiter.from_url(redis_server.url) as ours,
        client(rate, limiter=theirs) as other,
        client(rate, limiter=ours, wait_budget=0.3) as plane,
    ):
        await other.request("GET", "users/me/")  # the window is full for 1 s
        start = loop.time()
        with pytest.raises(WaitBudgetExceededError) as caught:
            await plane.request("GET", "users/me/")
        gave_up = loop.time() - start
        await other.request("GET", "users/me/")  # when the first leaves the window
        next_went = loop.time() - start
    assert 0.25 <= gave_up < 0.9 and caught.value.sent is False
    assert next_went < 1.6  # not a window later: the abandoned wait reserved nothing
    assert sent(mocked) == 2
