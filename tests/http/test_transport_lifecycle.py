"""The client's lifecycle and its limiter, as a user sees them: closing with requests
queued or in flight, cancellation during a retry, event loops, two clients of one key,
and a limiter backend of one's own. Virtual clock: nothing sleeps for real."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane, RateLimit
from plane_async._errors import ClientClosedError, InvalidAPIKeyError, PlaneValueError
from plane_async.types import Limiter, Quota
from tests.support import vclock

KEY = "plane_api_0123456789abcdef0123456789abcdef"
BASE = "https://plane.test"
ME = f"{BASE}/api/v1/users/me/"
ME_BODY = {"id": "88443cc8-51b0-4591-9593-79be51aa5ba6", "display_name": "ada"}
RATE_LIMITED = {"error_code": 5900, "error_message": "RATE_LIMIT_EXCEEDED"}


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


def client(rate: RateLimit | None = None, **kw: Any) -> AsyncPlane:
    return AsyncPlane(
        api_key=KEY, base_url=BASE, rate_limit=rate or RateLimit(1000, 1.0, margin=0.0), **kw
    )


def elapsed_since(start: float) -> float:
    return asyncio.get_running_loop().time() - start


# ---------------------------------------------------------------------------- closing


def test_aclose_releases_queued_requests_at_once_and_they_take_no_slot(
    mocked: aioresponses,
) -> None:
    mocked.get(ME, payload=ME_BODY, repeat=True)
    rate = RateLimit(1, 60.0, margin=0.0)

    async def main() -> tuple[list[str], float, float]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        closing, other = client(rate), client(rate)  # one key: one shared window
        await closing.request("GET", "users/me/")  # the window is now full for 60 s
        queued = [asyncio.create_task(closing.request("GET", "users/me/")) for _ in range(3)]
        later = asyncio.create_task(other.request("GET", "users/me/"))  # queued behind them
        await asyncio.sleep(1)
        await closing.aclose()
        outcomes = []
        for task in queued:
            try:
                await task
                outcomes.append("sent")
            except ClientClosedError:
                outcomes.append("closed")
        closed_at = elapsed_since(start)
        await later
        other_at = elapsed_since(start)
        await other.aclose()
        return outcomes, closed_at, other_at

    outcomes, closed_at, other_at = vclock.run(main())
    assert outcomes == ["closed"] * 3
    assert closed_at == pytest.approx(1.0)  # no waiting for slots that would never be used
    # The other client of the key goes as soon as the first request leaves the window,
    # not three windows later behind the closed client's abandoned queue.
    assert other_at == pytest.approx(60.0)
    assert len(mocked.requests[("GET", _url(ME))]) == 2


def test_aclose_interrupts_a_retry_pause(mocked: aioresponses) -> None:
    mocked.get(ME, status=503, body="busy")
    mocked.get(ME, payload=ME_BODY)

    async def main() -> float:
        start = asyncio.get_running_loop().time()
        plane = client(retry_backoff=(30.0, 30.0))
        task = asyncio.create_task(plane.request("GET", "users/me/"))
        # the backoff is jittered (any length up to 30 s): wait for the 503 without
        # letting virtual time pass, so the task is inside its retry pause
        for _ in range(1000):
            if plane.stats.requests:
                break
            await asyncio.sleep(0)
        await plane.aclose()
        with pytest.raises(ClientClosedError, match="closed during a retry"):
            await task
        return elapsed_since(start)

    assert vclock.run(main()) == pytest.approx(0.0, abs=1e-6)


def test_aclose_with_a_request_in_flight_says_closed_and_does_not_retry() -> None:
    async def main() -> int:
        attempts = 0

        async def slow(url: Any, **kwargs: Any) -> None:
            nonlocal attempts
            attempts += 1
            await asyncio.sleep(10)
            raise aiohttp.ClientConnectionError("Connection closed")  # what aiohttp raises

        with aioresponses() as m:
            m.get(ME, callback=slow, repeat=True)
            plane = client()
            task = asyncio.create_task(plane.request("GET", "users/me/"))
            await asyncio.sleep(1)
            await plane.aclose()
            with pytest.raises(ClientClosedError, match="in flight"):
                await task
        return attempts

    assert vclock.run(main()) == 1


def test_a_user_cancelling_during_a_retry_pause_is_a_plain_cancel(mocked: aioresponses) -> None:
    mocked.get(ME, status=503, body="busy")
    mocked.get(ME, payload=ME_BODY)

    async def main() -> Quota:
        async with client(retry_backoff=(30.0, 30.0)) as plane:
            task = asyncio.create_task(plane.request("GET", "users/me/"))
            # the backoff is jittered (it may be any length up to 30 s): wait for the 503
            # without letting virtual time pass, so the task is inside its retry pause
            for _ in range(1000):
                if plane.stats.requests:
                    break
                await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert not plane.closed
            return plane.quota()

    quota = vclock.run(main())
    # the pause held no slot: one request was sent and counted, nothing is in flight
    assert (quota.in_flight, quota.waiting, quota.remaining) == (0, 0, 999)


# ---------------------------------------------------------------------------- event loops


def test_a_client_reused_in_a_second_event_loop_says_so(mocked: aioresponses) -> None:
    mocked.get(ME, payload=ME_BODY, repeat=True)
    plane = client()
    assert vclock.run(plane.request("GET", "users/me/")) == ME_BODY
    with pytest.raises(ClientClosedError, match="another event loop"):
        vclock.run(plane.request("GET", "users/me/"))
    vclock.run(plane.aclose())


def test_quota_read_in_one_loop_does_not_bind_the_client_to_it(mocked: aioresponses) -> None:
    mocked.get(ME, payload=ME_BODY)
    plane = client()

    async def look() -> Quota:
        return plane.quota()

    assert vclock.run(look()).remaining == 1000

    async def use() -> Any:
        async with plane:
            return await plane.request("GET", "users/me/")

    assert vclock.run(use()) == ME_BODY


def test_a_callers_session_from_another_loop_is_refused_clearly() -> None:
    async def make() -> aiohttp.ClientSession:
        return aiohttp.ClientSession()

    session = vclock.run(make())

    async def main() -> None:
        try:
            async with client(session=session) as plane:
                with pytest.raises(PlaneValueError, match="another event loop"):
                    await plane.request("GET", "users/me/")
        finally:
            await session.close()

    vclock.run(main())


# ---------------------------------------------------------------------------- the limiter


def test_every_retry_goes_through_the_limiter(mocked: aioresponses) -> None:
    mocked.get(ME, status=503, body="busy")
    mocked.get(ME, payload=ME_BODY)

    async def main() -> float:
        start = asyncio.get_running_loop().time()
        async with client(RateLimit(1, 10.0, margin=0.0), retry_backoff=(0.0, 0.0)) as plane:
            await plane.request("GET", "users/me/")
        return elapsed_since(start)

    # the retry had no backoff, but the window held one request: it waited for the slot
    assert vclock.run(main()) == pytest.approx(10.0)


def test_a_refused_key_does_not_use_up_the_window(mocked: aioresponses) -> None:
    mocked.get(ME, status=403, payload={"detail": "Given API token is not valid"})
    mocked.get(ME, payload=ME_BODY)

    async def main() -> float:
        start = asyncio.get_running_loop().time()
        async with client(RateLimit(1, 60.0, margin=0.0)) as plane:
            with pytest.raises(InvalidAPIKeyError):
                await plane.request("GET", "users/me/")
            await plane.request("GET", "users/me/")
        return elapsed_since(start)

    # Plane checks the key before its throttle: the 403 was not counted, so no 60 s wait
    assert vclock.run(main()) == 0.0


def test_a_429_on_one_client_pauses_every_client_of_the_key(mocked: aioresponses) -> None:
    projects = f"{BASE}/api/v1/workspaces/acme/projects/"
    mocked.get(ME, status=429, headers={"Retry-After": "7"}, payload=RATE_LIMITED)
    mocked.get(ME, payload=ME_BODY)
    mocked.get(projects, payload=[])

    async def main() -> tuple[float, float]:
        start = asyncio.get_running_loop().time()
        async with client() as first, client() as second:
            hit = asyncio.create_task(first.request("GET", "users/me/"))
            await asyncio.sleep(0.5)
            assert 6.0 < second.quota().paused_for <= 7.0
            await second.request("GET", "workspaces/acme/projects/")
            other_at = elapsed_since(start)
            await hit
            return other_at, elapsed_since(start)

    other_at, retried_at = vclock.run(main())
    assert other_at == pytest.approx(7.0)
    assert retried_at == pytest.approx(7.0)


def test_two_clients_of_one_key_with_different_limits_use_the_stricter(
    mocked: aioresponses,
) -> None:
    mocked.get(ME, payload=ME_BODY, repeat=True)

    async def main() -> list[float]:
        start = asyncio.get_running_loop().time()
        times = []
        loose = client(RateLimit(60, 60.0, margin=0.0))
        strict = client(RateLimit(2, 60.0, margin=0.0))
        async with loose, strict:
            await strict.request("GET", "users/me/")
            for _ in range(3):
                await loose.request("GET", "users/me/")
                times.append(elapsed_since(start))
            assert loose.quota().limit == strict.quota().limit == 2
        return times

    assert vclock.run(main()) == [0.0, 60.0, 60.0]


def test_two_keys_do_not_share_a_window(mocked: aioresponses) -> None:
    mocked.get(ME, payload=ME_BODY, repeat=True)
    rate = RateLimit(1, 60.0, margin=0.0)

    async def main() -> float:
        start = asyncio.get_running_loop().time()
        async with (
            client(rate) as one,
            AsyncPlane(api_key=KEY + "2", base_url=BASE, rate_limit=rate) as two,
        ):
            await one.request("GET", "users/me/")
            await two.request("GET", "users/me/")
        return elapsed_since(start)

    assert vclock.run(main()) == 0.0


class CountingLimiter:
    """A limiter backend of one's own: counts slots and remembers the responses seen."""

    def __init__(self) -> None:
        self.slots = 0
        self.seen: list[int] = []

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[CountingLimiter]:
        self.slots += 1
        yield self

    def slot(self, *, timeout: float | None = None) -> Any:
        return self._slot()

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        self.seen.append(status)

    def unsent(self) -> None:
        self.seen.append(0)

    def quota(self) -> Quota:
        return Quota(limit=1, period=1.0, remaining=1, next_slot_in=0.0, paused_for=0.0)


def test_another_limiter_backend_can_replace_the_in_process_one(mocked: aioresponses) -> None:
    mocked.get(ME, status=503, body="busy")
    mocked.get(ME, payload=ME_BODY)
    backend = CountingLimiter()
    limiter: Limiter = backend

    async def main() -> Any:
        async with client(limiter=limiter, retry_backoff=(0.0, 0.0)) as plane:
            assert plane.limiter is backend
            assert plane.quota().limit == 1
            return await plane.request("GET", "users/me/")

    assert vclock.run(main()) == ME_BODY
    assert backend.slots == 2 and backend.seen == [503, 200]


def test_a_limiter_that_is_not_one_is_refused() -> None:
    with pytest.raises(PlaneValueError, match="Limiter"):
        client(limiter=object())  # type: ignore[arg-type]


def _url(url: str) -> Any:
    from yarl import URL

    return URL(url)
