"""The limiter at its edges: odd rate headers, a headerless 429, origins spelled several ways,
many keys, and a 500 under a fleet. On a virtual clock: every wait below takes no real time."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Iterator
from email.utils import formatdate
from typing import Any

import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane, RateLimit, ServerError
from plane_async._ratelimit import LocalLimiters, shared_limiter
from plane_async._ratelimit import headers as _headers
from plane_async._ratelimit.headers import learned_limit
from plane_async._ratelimit.keys import key_digest
from plane_async._ratelimit.window import SlidingWindowLimiter
from tests.conftest import loop_clock
from tests.support import vclock

KEY = "plane_api_0123456789abcdef0123456789abcdef"
BASE = "https://plane.test"
ME = f"{BASE}/api/v1/users/me/"
ME_BODY = {"id": "88443cc8-51b0-4591-9593-79be51aa5ba6", "display_name": "ada"}
NOW = 1796040000.0  # the server's clock in these headers (a whole second)
YEAR = 365 * 86400


def headers(remaining: int, reset: float, *, date: float = NOW) -> dict[str, str]:
    """Rate headers as a server sends them: Reset in epoch seconds, Date its own clock."""
    return {
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(int(reset)),
        "Date": formatdate(date, usegmt=True),
    }


def plane_headers(remaining: int, period: int, lag: float) -> dict[str, str]:
    """What Plane sends at the real moment NOW + 0.5: Reset = int(now + period); the Date
    of its uvicorn/gunicorn lags the clock by ``lag`` seconds (0.7-1.7 s measured)."""
    now = NOW + 0.5
    return headers(remaining, int(now + period), date=int(now - lag))


def window_limiter(rate: RateLimit | None = None) -> SlidingWindowLimiter:
    return SlidingWindowLimiter(rate, clock=loop_clock)


async def answer(limiter: SlidingWindowLimiter, status: int, sent: dict[str, str]) -> float:
    """One request through the limiter answered with ``status`` and ``sent``; returns the
    seconds it waited for its slot."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with limiter.slot(timeout=10.0) as slot:
        waited = loop.time() - start
        slot.observe(status, sent)
    return waited


@pytest.fixture(autouse=True)
def _warn_afresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(_headers, "_warned", set())
    yield


# -- 1. an implausible X-RateLimit-Reset never freezes a key -------------------------------


@pytest.mark.parametrize(
    "sent",
    [
        headers(2, NOW + YEAR),  # a year ahead
        headers(2, NOW * 1000 + 60_000),  # milliseconds since the epoch
        headers(2, NOW + 60, date=NOW - YEAR),  # a proxy's Date a year behind
        headers(2, NOW + 2 * 86400),  # two days: no DRF period is longer than one
    ],
    ids=["reset-a-year-ahead", "reset-in-milliseconds", "date-a-year-behind", "two-days"],
)
def test_an_implausible_reset_is_ignored_and_logged_once(
    sent: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="plane_async")
    first = learned_limit(sent)
    second = learned_limit(sent)
    # the Reset is ignored: Remaining + 1 per Plane's default minute, never years
    assert first == second == RateLimit(3, 60.0)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "X-RateLimit-Reset" in warnings[0]
    assert KEY not in warnings[0]


def test_a_far_future_reset_does_not_freeze_the_key_for_this_or_a_new_client() -> None:
    async def main() -> tuple[list[float], float, float]:
        limiter = shared_limiter(BASE, KEY, None)
        assert isinstance(limiter, SlidingWindowLimiter)
        waits = [await answer(limiter, 200, headers(2 - i, NOW + YEAR)) for i in range(3)]
        waits.append(await answer(limiter, 200, headers(59, NOW + 60)))  # the 4th request
        quota = limiter.quota()
        again = shared_limiter(BASE, KEY, None)  # a new client of the key: same window
        return waits, quota.period, again.quota().next_slot_in

    waits, period, next_in = vclock.run(main())
    assert max(waits) <= 60.1  # before: the 4th waited 31,536,001 s
    assert period == 60.0
    assert next_in <= 60.1


def test_the_learned_period_comes_back_down_when_the_servers_headers_do() -> None:
    async def main() -> list[float]:
        limiter = window_limiter(None)
        periods = []
        for sent in (plane_headers(59, 3600, 1.0), plane_headers(59, 60, 1.0),
                     plane_headers(19, 1, 1.0)):  # fmt: skip
            await answer(limiter, 200, sent)
            learned = limiter.learned
            assert learned is not None
            periods.append(learned.period)
        return periods

    # before: the largest period ever seen stayed (3600, 3600, 3600)
    assert vclock.run(main()) == [3600.0, 60.0, 1.0]


# -- 2. Plane's lagging Date: the period is exactly one of DRF's ----------------------------


@pytest.mark.parametrize("lag", [0.0, 0.7, 1.0, 1.7, 2.5, 4.0])
@pytest.mark.parametrize("period", [1, 60, 3600, 86400])
def test_a_lagging_date_still_gives_the_exact_drf_period(lag: float, period: int) -> None:
    # before: 60 s read as 62-65 s, 1 s as 3-6 s
    assert learned_limit(plane_headers(9, period, lag)) == RateLimit(10, float(period))


def test_the_learned_window_never_drifts_as_the_lag_changes() -> None:
    async def main() -> RateLimit | None:
        limiter = window_limiter(None)
        for lag in (0.7, 1.2, 1.7, 3.0, 0.9):
            await answer(limiter, 200, plane_headers(57, 60, lag))
        return limiter.learned

    # before: RateLimit(58, 64.0), the largest period any response suggested
    assert vclock.run(main()) == RateLimit(58, 60.0)


# -- 4. a 429 from a server that sends no rate headers -------------------------------------


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


def test_a_headerless_429_waits_retry_after_and_the_limit_recovers(
    mocked: aioresponses,
) -> None:
    mocked.get(ME, payload=ME_BODY)  # no X-RateLimit-* at all
    mocked.get(ME, status=429, headers={"Retry-After": "1"})
    for _ in range(70):
        mocked.get(ME, payload=ME_BODY)

    async def main() -> tuple[float, float, int, float]:
        loop = asyncio.get_running_loop()
        async with AsyncPlane(api_key=KEY, workspace="acme", base_url=BASE) as plane:
            await plane.request("GET", "users/me/")
            start = loop.time()
            await plane.request("GET", "users/me/")  # 429, then its retry
            retried_after = loop.time() - start
            start = loop.time()
            await asyncio.gather(*(plane.request("GET", "users/me/") for _ in range(50)))
            fifty = loop.time() - start
            quota = plane.quota()
        return retried_after, fifty, quota.limit, quota.period

    retried_after, fifty, limit, period = vclock.run(main())
    assert 1.0 <= retried_after < 2.0  # before: 60 s
    assert (limit, period) == (60, 60.0)  # before: RateLimit(1, 60) for good
    assert fifty < 60.0  # before: one per minute (50 minutes)


def test_a_429_with_rate_headers_before_still_shrinks_the_learned_limit() -> None:
    async def main() -> int:
        limiter = window_limiter(None)
        await answer(limiter, 200, headers(9, NOW + 60))
        await answer(limiter, 200, headers(8, NOW + 60))
        await answer(limiter, 429, {"Retry-After": "30"})
        return limiter.quota().limit

    assert vclock.run(main()) == 2


# -- 17. one origin, one window ------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "https://api.plane.so:443",
        "https://api.plane.so.",
        "https://API.Plane.SO/",
        "https://api.plane.so/api/v1/",
        "HTTPS://api.plane.so:443/api/v1",
    ],
)
def test_spellings_of_one_origin_share_one_window(spelling: str) -> None:
    assert key_digest(spelling, KEY) == key_digest("https://api.plane.so", KEY)
    assert shared_limiter(spelling, KEY, None) is shared_limiter("https://api.plane.so", KEY, None)


def test_an_idna_and_a_unicode_host_are_one_origin() -> None:
    assert key_digest("https://xn--bcher-kva.example", KEY) == key_digest(
        "https://bücher.example", KEY
    )
    assert key_digest("http://localhost:80", KEY) == key_digest("http://localhost", KEY)


def test_other_ports_schemes_and_paths_are_other_windows() -> None:
    base = key_digest("https://plane.example", KEY)
    assert key_digest("https://plane.example:8443", KEY) != base
    assert key_digest("http://plane.example", KEY) != base
    assert key_digest("https://plane.example/team-b", KEY) != base
    assert key_digest("https://plane.example", KEY + "x") != base


# -- 18. the process-wide registry is bounded ----------------------------------------------


def test_the_registry_drops_idle_windows_and_keeps_busy_or_held_ones(
    local_limiters: LocalLimiters,
) -> None:
    async def main() -> tuple[int, bool, bool]:
        loop = asyncio.get_running_loop()
        held = shared_limiter(BASE, "held-key", RateLimit(5, 1.0))
        busy = shared_limiter(BASE, "busy-key", RateLimit(5, 60.0))
        async with busy.slot() as slot:
            slot.observe(200, {})
        busy_id = id(busy)
        del busy
        for i in range(5000):
            limiter = shared_limiter(BASE, f"key-{i}", RateLimit(5, 1.0))
            async with limiter.slot() as slot:
                slot.observe(200, {})
            del limiter, slot
            if i % 500 == 0:
                await asyncio.sleep(2.0)  # their one-second windows empty
        await asyncio.sleep(2.0)
        shared_limiter(BASE, "one-more", None)
        gc.collect()
        size = local_limiters.count()
        kept_busy = id(shared_limiter(BASE, "busy-key", RateLimit(5, 60.0))) == busy_id
        kept_held = shared_limiter(BASE, "held-key", RateLimit(5, 1.0)) is held
        del loop
        return size, kept_busy, kept_held

    size, kept_busy, kept_held = vclock.run(main())
    assert size < 1100  # before: 5003, about 4 KB each for the life of the process
    assert kept_busy  # its request is still in its 60 s window
    assert kept_held  # a client still holds it: a second window for the key would double it


# -- 22. a 500 is retried for idempotent requests ------------------------------------------


def test_a_500_is_retried_for_a_get_with_the_same_backoff_and_budget(
    mocked: aioresponses,
) -> None:
    mocked.get(ME, status=500, payload={"error": "Something went wrong please try again later"})
    mocked.get(ME, payload=ME_BODY)
    for _ in range(4):
        mocked.get(f"{BASE}/api/v1/users/me/?x=1", status=500, body="busy")

    async def main() -> tuple[Any, Any]:
        async with AsyncPlane(api_key=KEY, workspace="acme", base_url=BASE,
                              rate_limit=RateLimit(1000, 1.0), max_retries=3) as plane:  # fmt: skip
            body = await plane.request("GET", "users/me/")
            with pytest.raises(ServerError) as info:
                await plane.request("GET", "users/me/", params={"x": "1"})
            return body, info.value

    body, error = vclock.run(main())
    assert body == ME_BODY
    assert error.status == 500 and error.attempts == 4


def test_a_500_on_a_post_is_not_repeated_unless_opted_in(mocked: aioresponses) -> None:
    url = f"{BASE}/api/v1/workspaces/acme/projects/"
    mocked.post(url, status=500, body="oops")
    mocked.post(url, status=201, payload={"id": "x"})

    async def once(**kw: Any) -> Any:
        async with AsyncPlane(api_key=KEY, workspace="acme", base_url=BASE,
                              rate_limit=RateLimit(1000, 1.0), **kw) as plane:  # fmt: skip
            return await plane.request("POST", "workspaces/acme/projects/", json={"name": "A"})

    with pytest.raises(ServerError):
        vclock.run(once())
    mocked.post(url, status=500, body="oops")
    mocked.post(url, status=201, payload={"id": "x"})
    assert vclock.run(once(retry_post=True)) == {"id": "x"}
