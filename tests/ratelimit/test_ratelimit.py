"""The rate limiter, on a virtual clock: every wait below takes no real time."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plane_async._errors import PlaneValueError
from plane_async._ratelimit import LocalLimiters, shared_limiter
from plane_async._ratelimit.backend import Limiter
from plane_async._ratelimit.headers import (
    learned_limit,
    parse_rate_remaining,
    parse_retry_after_pause,
)
from plane_async._ratelimit.rate import Quota, RateLimit
from plane_async._ratelimit.window import SlidingWindowLimiter
from tests.conftest import loop_clock
from tests.support import vclock

KEY = "plane_api_0123456789abcdef"
URL = "https://plane.example.com"


def window_limiter(rate: RateLimit | None = None) -> SlidingWindowLimiter:
    """An in-process limiter on the running loop's (virtual) clock."""
    return SlidingWindowLimiter(rate, clock=loop_clock)


def now() -> float:
    return asyncio.get_running_loop().time()


async def request(
    limiter: Limiter,
    log: list[tuple[str, float]],
    name: str,
    *,
    latency: float = 0.0,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> None:
    """One simulated request: records when it was let through."""
    async with limiter.slot() as slot:
        log.append((name, now()))
        if latency:
            await asyncio.sleep(latency)
        slot.observe(status, headers or {})


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


# -- RateLimit ------------------------------------------------------------------------------


def test_rate_limit_defaults_match_plane() -> None:
    rate = RateLimit()
    assert (rate.requests, rate.period) == (60, 60.0)
    assert 0 < rate.margin <= 0.25
    assert rate.max_retry_after == 300.0


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"requests": 0}, "requests must be an int >= 1"),
        ({"requests": -5}, "requests must be an int >= 1"),
        ({"requests": 1.5}, "requests must be an int >= 1"),
        ({"requests": True}, "requests must be an int >= 1"),
        ({"period": 0}, "period must be a finite number of seconds > 0"),
        ({"period": -1.0}, "period must be a finite number of seconds > 0"),
        ({"period": float("inf")}, "period must be a finite number of seconds > 0"),
        ({"period": float("nan")}, "period must be a finite number of seconds > 0"),
        ({"margin": -0.1}, "margin must be a finite number of seconds >= 0"),
        ({"max_retry_after": 0}, "max_retry_after must be a finite number of seconds > 0"),
        ({"period": True}, "durations are numbers of seconds"),
        ({"period": "60"}, "durations are numbers of seconds"),
        ({"margin": None}, "durations are numbers of seconds"),
    ],
)
def test_rate_limit_refuses_bad_values_saying_what_is_accepted(
    kwargs: dict[str, object], fragment: str
) -> None:
    with pytest.raises(PlaneValueError, match=fragment):
        RateLimit(**kwargs)  # type: ignore[arg-type]


def test_rate_limit_is_frozen() -> None:
    with pytest.raises(AttributeError):
        RateLimit().requests = 5  # type: ignore[misc]


# -- header parsing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "17"}, 17.0),
        ({"retry-after": "17"}, 17.0),
        ({}, 60.0),
        ({"Retry-After": "0"}, 1.0),
        ({"Retry-After": "-3"}, 1.0),
        ({"Retry-After": "100000"}, 300.0),
        ({"Retry-After": "soon"}, 60.0),
        ({"Retry-After": "nan"}, 60.0),
        ({"Retry-After": " 5 "}, 5.0),
    ],
)
def test_retry_after_pause(headers: dict[str, str], expected: float) -> None:
    assert parse_retry_after_pause(headers) == expected


def test_retry_after_cap_is_configurable() -> None:
    assert parse_retry_after_pause({"Retry-After": "900"}, cap=600.0) == 600.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-RateLimit-Remaining": "12"}, 12),
        ({"x-ratelimit-remaining": "0"}, 0),
        ({"X-RateLimit-Remaining": "-1"}, 0),
        ({"X-RateLimit-Remaining": "many"}, None),
        ({}, None),
    ],
)
def test_rate_remaining(headers: dict[str, str], expected: int | None) -> None:
    assert parse_rate_remaining(headers) == expected


# -- the sliding window ---------------------------------------------------------------------


def test_burst_then_each_next_as_the_oldest_leaves_the_window() -> None:
    async def main() -> list[float]:
        limiter = window_limiter(RateLimit(3, 10.0, margin=0.5))
        log: list[tuple[str, float]] = []
        start = now()
        await asyncio.gather(*(request(limiter, log, str(i)) for i in range(8)))
        return [t - start for _, t in log]

    assert vclock.run(main()) == [0.0] * 3 + [10.5] * 3 + [21.0] * 2


def test_n_requests_finish_in_the_theoretical_minimum() -> None:
    async def main() -> float:
        limiter = window_limiter(RateLimit(20, 1.0, margin=0.0))
        log: list[tuple[str, float]] = []
        start = now()
        await asyncio.gather(*(request(limiter, log, str(i)) for i in range(200)))
        return now() - start

    # 200 requests at 20 per second: the last 20 may start 9 s after the first 20.
    assert vclock.run(main()) == pytest.approx(9.0)


def test_slot_is_stamped_when_the_response_arrives_not_when_sent() -> None:
    async def main() -> list[tuple[str, float]]:
        limiter = window_limiter(RateLimit(1, 10.0, margin=0.0))
        log: list[tuple[str, float]] = []
        start = now()
        slow = asyncio.create_task(request(limiter, log, "slow", latency=4.0))
        await settle()
        await request(limiter, log, "next")
        await slow
        return [(name, t - start) for name, t in log]

    # The slow request finished at 4 s, so its slot frees at 14 s, not 10 s.
    assert vclock.run(main()) == [("slow", 0.0), ("next", 14.0)]


def test_in_flight_requests_count_as_used() -> None:
    async def main() -> tuple[Quota, Quota]:
        limiter = window_limiter(RateLimit(5, 60.0, margin=0.1))
        log: list[tuple[str, float]] = []
        tasks = [asyncio.create_task(request(limiter, log, "r", latency=3.0)) for _ in range(2)]
        await settle()
        during = limiter.quota()
        await asyncio.gather(*tasks)
        return during, limiter.quota()

    during, after = vclock.run(main())
    assert during == Quota(
        limit=5, period=60.0, remaining=3, next_slot_in=0.0, paused_for=0.0, in_flight=2
    )
    assert after.remaining == 3 and after.in_flight == 0


def test_quota_says_when_the_next_slot_frees() -> None:
    async def main() -> tuple[Quota, Quota, Quota]:
        limiter = window_limiter(RateLimit(2, 60.0, margin=0.5))
        fresh = limiter.quota()
        log: list[tuple[str, float]] = []
        await request(limiter, log, "a")
        await asyncio.sleep(10)
        await request(limiter, log, "b")
        full = limiter.quota()
        await asyncio.sleep(50.5)
        return fresh, full, limiter.quota()

    fresh, full, later = vclock.run(main())
    assert fresh == Quota(limit=2, period=60.0, remaining=2, next_slot_in=0.0, paused_for=0.0)
    assert full.remaining == 0
    assert full.next_slot_in == pytest.approx(50.5)
    assert later.remaining == 1
    assert later.next_slot_in == 0.0


# -- fairness and cancellation --------------------------------------------------------------


def test_waiters_are_served_first_come_first_served() -> None:
    async def main() -> list[str]:
        limiter = window_limiter(RateLimit(2, 5.0, margin=0.0))
        log: list[tuple[str, float]] = []
        tasks = []
        for i in range(9):
            tasks.append(asyncio.create_task(request(limiter, log, f"r{i}")))
            await asyncio.sleep(0.01)  # a known arrival order
        await asyncio.gather(*tasks)
        return [name for name, _ in log]

    assert vclock.run(main()) == [f"r{i}" for i in range(9)]


def test_cancelled_waiter_takes_no_slot_and_disturbs_no_one() -> None:
    async def main() -> tuple[list[tuple[str, float]], Quota]:
        limiter = window_limiter(RateLimit(2, 10.0, margin=0.0))
        log: list[tuple[str, float]] = []
        start = now()
        await request(limiter, log, "first")
        await request(limiter, log, "second")
        tasks = {}
        for name in ("a", "b", "c", "d"):
            tasks[name] = asyncio.create_task(request(limiter, log, name))
            await settle()
        await asyncio.sleep(3)
        tasks["b"].cancel()
        with pytest.raises(asyncio.CancelledError):
            await tasks["b"]
        await asyncio.gather(tasks["a"], tasks["c"], tasks["d"])
        return [(n, t - start) for n, t in log], limiter.quota()

    log, quota = vclock.run(main())
    # "b" never ran; "c" took its place at the same moment "a" went.
    assert log == [("first", 0.0), ("second", 0.0), ("a", 10.0), ("c", 10.0), ("d", 20.0)]
    assert quota.remaining == 1


def test_waiter_cancelled_right_after_admission_passes_its_slot_on() -> None:
    async def main() -> list[str]:
        limiter = window_limiter(RateLimit(5, 10.0, margin=0.0))
        log: list[tuple[str, float]] = []
        # A 429 makes the limiter admit one request at a time, on each exit.
        await request(limiter, log, "hit", status=429, headers={"Retry-After": "2"})
        probe = limiter.slot()
        await probe.__aenter__()
        waiter_a = asyncio.create_task(request(limiter, log, "a"))
        waiter_b = asyncio.create_task(request(limiter, log, "b"))
        await settle()
        await probe.__aexit__(None, None, None)  # admits "a" before "a" gets to run...
        waiter_a.cancel()  # ...which is cancelled before it sends anything
        with pytest.raises(asyncio.CancelledError):
            await waiter_a
        await waiter_b
        return [name for name, _ in log]

    assert vclock.run(main()) == ["hit", "b"]


def test_a_request_abandoned_without_a_response_holds_its_slot_until_its_timeout() -> None:
    # The server may get to a request the client gave up on until its timeout has passed,
    # and counts it then: the slot is stamped at that latest moment, not when we gave up.
    async def main() -> tuple[Quota, float]:
        limiter = window_limiter(RateLimit(2, 30.0, margin=0.0))
        start = now()
        with pytest.raises(OSError):
            async with limiter.slot(timeout=5.0):
                raise OSError("connection reset")

        async def hang() -> None:
            async with limiter.slot(timeout=5.0):
                await asyncio.sleep(100)

        task = asyncio.create_task(hang())
        await asyncio.sleep(1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        quota = limiter.quota()
        async with limiter.slot():
            entered = now() - start
        return quota, entered

    quota, entered = vclock.run(main())
    assert quota.remaining == 0
    assert entered == pytest.approx(35.0)  # both counted at 5 s, so free at 5 + 30 s


def test_an_abandoned_request_without_a_timeout_is_held_a_whole_period() -> None:
    async def main() -> float:
        limiter = window_limiter(RateLimit(1, 10.0, margin=0.0))
        start = now()
        with pytest.raises(OSError):
            async with limiter.slot():
                raise OSError("connection reset")
        async with limiter.slot():
            return now() - start

    assert vclock.run(main()) == pytest.approx(20.0)


def test_a_request_answered_is_stamped_when_its_response_arrives_not_at_its_timeout() -> None:
    async def main() -> float:
        limiter = window_limiter(RateLimit(1, 10.0, margin=0.0))
        start = now()
        async with limiter.slot(timeout=30.0) as slot:
            await asyncio.sleep(1)
            slot.observe(200, {})
        async with limiter.slot():
            return now() - start

    assert vclock.run(main()) == pytest.approx(11.0)


def test_a_slot_is_single_use() -> None:
    async def main() -> None:
        limiter = window_limiter(RateLimit())
        slot = limiter.slot()
        async with slot:
            pass
        with pytest.raises(RuntimeError, match="single-use"):
            async with slot:
                pass

    vclock.run(main())


# -- listening to the server ----------------------------------------------------------------


def test_a_429_pauses_every_sender_until_retry_after() -> None:
    async def main() -> tuple[Quota, list[tuple[str, float]]]:
        limiter = window_limiter(RateLimit(100, 60.0, margin=0.0))
        log: list[tuple[str, float]] = []
        start = now()
        await request(limiter, log, "hit", status=429, headers={"Retry-After": "7"})
        paused = limiter.quota()
        ok = {"X-RateLimit-Remaining": "50"}
        await asyncio.gather(*(request(limiter, log, f"w{i}", headers=ok) for i in range(3)))
        return paused, [(n, t - start) for n, t in log]

    paused, log = vclock.run(main())
    assert paused.paused_for == pytest.approx(7.0)
    assert paused.remaining == 100  # a 429 was not counted; the pause holds everyone
    assert log == [("hit", 0.0), ("w0", 7.0), ("w1", 7.0), ("w2", 7.0)]


def test_after_a_429_waiters_resume_one_at_a_time_in_order() -> None:
    async def main() -> list[tuple[str, float]]:
        limiter = window_limiter(RateLimit(100, 60.0, margin=0.0))
        log: list[tuple[str, float]] = []
        start = now()
        await request(limiter, log, "hit", status=429, headers={"Retry-After": "5"})
        # No rate headers come back, so the limiter cannot know how much the server has left:
        # each request waits for the previous one's response.
        await asyncio.gather(*(request(limiter, log, f"w{i}", latency=0.5) for i in range(4)))
        return [(n, t - start) for n, t in log]

    assert vclock.run(main()) == [
        ("hit", 0.0),
        ("w0", 5.0),
        ("w1", 5.5),
        ("w2", 6.0),
        ("w3", 6.5),
    ]


def test_after_a_429_the_servers_count_releases_the_queue() -> None:
    async def main() -> list[tuple[str, float]]:
        limiter = window_limiter(RateLimit(10, 60.0, margin=0.0))
        log: list[tuple[str, float]] = []
        start = now()
        await request(limiter, log, "hit", status=429, headers={"Retry-After": "5"})
        # The first request after the pause learns that 2 more may go now.
        await request(limiter, log, "probe", headers={"X-RateLimit-Remaining": "2"})
        await asyncio.gather(*(request(limiter, log, f"w{i}") for i in range(3)))
        return [(n, t - start) for n, t in log]

    assert vclock.run(main()) == [
        ("hit", 0.0),
        ("probe", 5.0),
        ("w0", 5.0),
        ("w1", 5.0),
        ("w2", 65.0),  # the refused request was not counted: the first stamp leaves at 65 s
    ]


def test_a_second_429_extends_the_shared_pause() -> None:
    async def main() -> float:
        limiter = window_limiter(RateLimit(10, 60.0, margin=0.0))
        log: list[tuple[str, float]] = []
        start = now()
        await request(limiter, log, "a", status=429, headers={"Retry-After": "5"})
        await request(limiter, log, "b", status=429, headers={"Retry-After": "20"})
        return limiter.quota().paused_for + now() - start

    assert vclock.run(main()) == pytest.approx(25.0)


def test_retry_after_is_capped_by_the_rate_limit() -> None:
    async def main() -> float:
        limiter = window_limiter(RateLimit(10, 60.0, max_retry_after=30.0))
        log: list[tuple[str, float]] = []
        await request(limiter, log, "a", status=429, headers={"Retry-After": "3600"})
        return limiter.quota().paused_for

    assert vclock.run(main()) == pytest.approx(30.0)


def test_server_remaining_below_our_count_means_another_user_of_the_key() -> None:
    async def main() -> tuple[Quota, list[tuple[str, float]]]:
        limiter = window_limiter(RateLimit(10, 60.0, margin=0.0))
        log: list[tuple[str, float]] = []
        start = now()
        # We sent 1, so we think 9 remain; the server says 2: 7 were sent by someone else.
        await request(limiter, log, "first", headers={"X-RateLimit-Remaining": "2"})
        synced = limiter.quota()
        await asyncio.gather(*(request(limiter, log, f"r{i}") for i in range(4)))
        return synced, [(n, t - start) for n, t in log]

    synced, log = vclock.run(main())
    assert synced.remaining == 2
    assert log == [("first", 0.0), ("r0", 0.0), ("r1", 0.0), ("r2", 60.0), ("r3", 60.0)]


def test_server_remaining_at_or_above_our_count_changes_nothing() -> None:
    async def main() -> Quota:
        limiter = window_limiter(RateLimit(10, 60.0, margin=0.0))
        log: list[tuple[str, float]] = []
        for remaining in ("9", "9", "8"):  # stale or generous counts never free a slot early
            await request(limiter, log, "r", headers={"X-RateLimit-Remaining": remaining})
        return limiter.quota()

    assert vclock.run(main()).remaining == 7


def test_401_and_403_without_rate_headers_take_no_slot() -> None:
    async def main() -> tuple[Quota, list[tuple[str, float]]]:
        limiter = window_limiter(RateLimit(2, 60.0, margin=0.0))
        log: list[tuple[str, float]] = []
        start = now()
        # Plane checks the key and permissions before its throttle: these were not counted.
        await request(limiter, log, "no-key", status=401)
        await request(limiter, log, "bad-key", status=403)
        after_auth = limiter.quota()
        await asyncio.gather(*(request(limiter, log, f"r{i}") for i in range(3)))
        return after_auth, [(n, t - start) for n, t in log]

    after_auth, log = vclock.run(main())
    assert after_auth.remaining == 2
    assert [t for _, t in log] == [0.0, 0.0, 0.0, 0.0, 60.0]


def test_403_with_rate_headers_was_counted_and_keeps_its_slot() -> None:
    async def main() -> Quota:
        limiter = window_limiter(RateLimit(5, 60.0, margin=0.0))
        log: list[tuple[str, float]] = []
        # A 403 from the view itself, after the throttle, carries the rate headers.
        await request(limiter, log, "r", status=403, headers={"X-RateLimit-Remaining": "4"})
        return limiter.quota()

    assert vclock.run(main()).remaining == 4


def test_headers_are_read_case_insensitively() -> None:
    async def main() -> Quota:
        limiter = window_limiter(RateLimit(10, 60.0))
        log: list[tuple[str, float]] = []
        await request(limiter, log, "r", headers={"x-ratelimit-remaining": "0"})
        return limiter.quota()

    assert vclock.run(main()).remaining == 0


# -- sharing per key ------------------------------------------------------------------------


def test_two_clients_with_one_key_share_one_limiter() -> None:
    async def main() -> list[tuple[str, float]]:
        first = shared_limiter(URL, KEY, RateLimit(2, 10.0, margin=0.0))
        second = shared_limiter(URL + "/api/v1/", KEY, RateLimit(2, 10.0, margin=0.0))
        assert first is second
        log: list[tuple[str, float]] = []
        start = now()
        await asyncio.gather(
            request(first, log, "a1"),
            request(second, log, "b1"),
            request(first, log, "a2"),
            request(second, log, "b2"),
        )
        return [(n, t - start) for n, t in log]

    assert vclock.run(main()) == [("a1", 0.0), ("b1", 0.0), ("a2", 10.0), ("b2", 10.0)]


def test_different_keys_and_servers_are_independent() -> None:
    async def main() -> None:
        rate = RateLimit(1, 60.0)
        a = shared_limiter(URL, KEY, rate)
        b = shared_limiter(URL, KEY + "x", rate)
        c = shared_limiter("https://other.example.com", KEY, rate)
        assert len({id(a), id(b), id(c)}) == 3
        log: list[tuple[str, float]] = []
        start = now()
        await asyncio.gather(request(a, log, "a"), request(b, log, "b"), request(c, log, "c"))
        assert [t - start for _, t in log] == [0.0, 0.0, 0.0]

    vclock.run(main())


def test_the_stricter_limit_applies_to_every_client_of_the_key() -> None:
    async def main() -> None:
        loose = shared_limiter(URL, KEY, RateLimit(60, 60.0))
        strict = shared_limiter(URL, KEY, RateLimit(10, 60.0))
        assert loose is strict
        assert loose.quota().limit == 10
        again = shared_limiter(URL, KEY, RateLimit(60, 60.0))
        assert again.quota().limit == 10

    vclock.run(main())


def test_every_limit_given_for_a_key_is_enforced_and_none_wastes_a_slot() -> None:
    per_second = RateLimit(10, 1.0, margin=0.0)
    per_minute = RateLimit(60, 60.0, margin=0.0)

    async def main() -> list[float]:
        burst = shared_limiter(URL, KEY, per_second)
        steady = shared_limiter(URL, KEY, per_minute)
        assert burst is steady
        log: list[tuple[str, float]] = []
        start = now()
        await asyncio.gather(
            *(request(burst if i % 2 else steady, log, str(i)) for i in range(150))
        )
        return [t - start for _, t in log]

    sent = vclock.run(main())
    for i, at in enumerate(sent):
        assert sum(1 for t in sent[: i + 1] if t > at - 1.0 + 1e-9) <= 10
        assert sum(1 for t in sent[: i + 1] if t > at - 60.0 + 1e-9) <= 60
    # The theoretical minimum: 10 a second until 60 are in the minute, then the next 10
    # the moment the first 10 leave it, and so on.
    assert sent == [60.0 * (i // 60) + (i % 60) // 10 for i in range(150)]


def test_quota_reports_the_window_that_binds() -> None:
    async def main() -> list[Quota]:
        limiter = window_limiter(RateLimit(10, 1.0, margin=0.0))
        limiter.tighten(RateLimit(60, 60.0, margin=0.0))
        log: list[tuple[str, float]] = []
        seen = [limiter.quota()]
        await asyncio.gather(*(request(limiter, log, "r") for i in range(10)))
        seen.append(limiter.quota())
        await asyncio.gather(*(request(limiter, log, "r") for i in range(50)))
        seen.append(limiter.quota())
        return seen

    fresh, second_full, minute_full = vclock.run(main())
    assert fresh == Quota(limit=10, period=1.0, remaining=10, next_slot_in=0.0, paused_for=0.0)
    assert (second_full.limit, second_full.remaining) == (10, 0)
    assert second_full.next_slot_in == pytest.approx(1.0)
    assert (minute_full.limit, minute_full.remaining) == (60, 0)
    assert minute_full.next_slot_in == pytest.approx(55.0)  # the first 10 leave at 60 s


def test_a_limit_implied_by_another_is_dropped() -> None:
    limiter = window_limiter(RateLimit(10, 1.0))
    limiter.tighten(RateLimit(60, 60.0))
    limiter.tighten(RateLimit(20, 1.0))  # implied by 10 per second
    limiter.tighten(RateLimit(30, 60.0))  # replaces 60 per minute
    assert limiter.windows == (RateLimit(10, 1.0), RateLimit(30, 60.0))
    assert "10 per 1s + 30 per 60s" in repr(limiter)


def test_a_429_pauses_and_probes_one_at_a_time_across_all_windows() -> None:
    async def main() -> list[tuple[str, float]]:
        limiter = window_limiter(RateLimit(10, 1.0, margin=0.0))
        limiter.tighten(RateLimit(60, 60.0, margin=0.0))
        log: list[tuple[str, float]] = []
        start = now()
        await request(limiter, log, "hit", status=429, headers={"Retry-After": "5"})
        await asyncio.gather(*(request(limiter, log, f"r{i}", latency=0.5) for i in range(3)))
        return [(n, t - start) for n, t in log]

    assert vclock.run(main()) == [("hit", 0.0), ("r0", 5.0), ("r1", 5.5), ("r2", 6.0)]


def test_the_server_count_resyncs_against_the_tightest_window() -> None:
    async def main() -> list[float]:
        limiter = window_limiter(RateLimit(10, 1.0, margin=0.0))
        limiter.tighten(RateLimit(60, 60.0, margin=0.0))
        log: list[tuple[str, float]] = []
        start = now()
        # Someone else is using the key: the server says only 2 remain, where our count of
        # the tightest window (10 a second) says 9.
        await request(limiter, log, "sync", headers={"X-RateLimit-Remaining": "2"})
        await asyncio.gather(*(request(limiter, log, f"r{i}") for i in range(4)))
        return [t - start for _, t in log]

    assert vclock.run(main()) == [0.0, 0.0, 0.0, 1.0, 1.0]


def test_one_limiter_per_key_for_the_whole_process_whatever_the_event_loop() -> None:
    async def get() -> Limiter:
        return shared_limiter(URL, KEY, RateLimit())

    first = vclock.run(get())
    assert vclock.run(get()) is first
    assert shared_limiter(URL, KEY, RateLimit()) is first  # no loop running: the same one


def test_registry_holds_no_plaintext_key_and_no_event_loop(local_limiters: LocalLimiters) -> None:
    loop_ref: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def main() -> None:
        loop_ref.append(weakref.ref(asyncio.get_running_loop()))
        limiter = shared_limiter(URL, KEY, RateLimit(2, 1.0))
        for _ in range(3):  # the third waits on a timer of this loop
            async with limiter.slot() as slot:
                slot.observe(200, {})
        entries = local_limiters.limiters()
        assert entries
        assert all(KEY not in name for name in entries)
        assert KEY not in repr(entries)

    vclock.run(main())
    gc.collect()
    assert loop_ref[0]() is None


def test_repr_never_shows_the_key() -> None:
    async def main() -> str:
        limiter = shared_limiter(URL, KEY, RateLimit())
        return repr(limiter)

    text = vclock.run(main())
    assert KEY not in text
    assert "60 per 60s" in text


def test_shared_limiter_needs_no_running_loop() -> None:
    limiter = shared_limiter(URL, KEY, RateLimit(7, 1.0))
    assert limiter.quota().limit == 7


# -- the server's view ----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    jobs=st.lists(
        st.tuples(
            st.floats(min_value=0.0, max_value=30.0),  # when the coroutine asks for a slot
            st.floats(min_value=0.0, max_value=3.0),  # network time there and back
            st.floats(min_value=0.0, max_value=1.0),  # where in it the server stamps
        ),
        min_size=1,
        max_size=40,
    ),
    requests=st.integers(min_value=1, max_value=6),
)
def test_an_exact_window_server_never_refuses_and_no_free_slot_is_left_idle(
    jobs: list[tuple[float, float, float]], requests: int
) -> None:
    period = 5.0

    async def main() -> tuple[list[float], list[tuple[float, float]], list[float]]:
        limiter = window_limiter(RateLimit(requests, period, margin=0.0))
        server_stamps: list[float] = []
        waits: list[tuple[float, float]] = []  # (asked, sent) for every request
        exits: list[float] = []
        start = now()

        async def job(arrive: float, latency: float, where: float) -> None:
            await asyncio.sleep(arrive)
            asked = now() - start
            async with limiter.slot() as slot:
                waits.append((asked, now() - start))
                await asyncio.sleep(latency * where)
                server_stamps.append(now() - start)
                await asyncio.sleep(latency * (1 - where))
                slot.observe(200, {})
            exits.append(now() - start)

        await asyncio.gather(*(job(*j) for j in jobs))
        return server_stamps, waits, exits

    server_stamps, waits, exits = vclock.run(main())
    server_stamps.sort()
    for i, stamp in enumerate(server_stamps):
        # DRF's count when this request arrived: earlier stamps newer than stamp - period.
        in_window = sum(1 for s in server_stamps[: i + 1] if s > stamp - period + 1e-9)
        assert in_window <= requests
    for asked, sent in waits:
        # A request that waited went the moment a slot left the window: never later.
        if sent > asked + 1e-6:
            assert any(abs(sent - (e + period)) < 1e-6 for e in exits)


# -- the learned limit and the default margin -----------------------------------------------

DATE = "Mon, 30 Nov 2026 12:00:00 GMT"
DATE_EPOCH = 1796040000


def rate_headers(remaining: int, reset_in: int) -> dict[str, str]:
    return {
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(DATE_EPOCH + reset_in),
        "Date": DATE,
    }


def test_the_default_margin_is_one_percent_of_the_period_at_most_100_ms() -> None:
    assert RateLimit(20, 1.0).margin == pytest.approx(0.01)
    assert RateLimit(60, 5.0).margin == pytest.approx(0.05)
    assert RateLimit(60, 60.0).margin == pytest.approx(0.1)
    assert RateLimit(60, 60.0, margin=0.0).margin == 0.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (rate_headers(59, 60), RateLimit(60, 60.0)),
        (rate_headers(59, 59), RateLimit(60, 60.0)),  # Date taken in the next second
        (rate_headers(4, 1), RateLimit(5, 1.0)),
        (rate_headers(4, 0), RateLimit(5, 1.0)),
        (rate_headers(299, 3600), RateLimit(300, 3600.0)),
        (rate_headers(9, 5), RateLimit(10, 1.0)),  # a Date that lags 4 s: still 1 s
        (rate_headers(9, 7), RateLimit(10, 60.0)),  # not one of Plane's: the next above
        (rate_headers(9, 62), RateLimit(10, 60.0)),  # Plane's lagging Date: exactly 60 s
        ({"X-RateLimit-Remaining": "9"}, RateLimit(10, 60.0)),
        ({"X-RateLimit-Reset": "123"}, None),
        ({}, None),
    ],
)
def test_learned_limit_from_the_headers(
    headers: dict[str, str], expected: RateLimit | None
) -> None:
    assert learned_limit(headers) == expected


def test_learned_limit_without_a_date_reads_the_wall_clock() -> None:
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(DATE_EPOCH + 60)}
    assert learned_limit(headers, wall=lambda: DATE_EPOCH + 0.4) == RateLimit(1, 60.0)
    # Reset = int(now + 1) read a moment later, past the next second: still a 1 s window
    one_second = {"X-RateLimit-Remaining": "4", "X-RateLimit-Reset": str(DATE_EPOCH + 1)}
    assert learned_limit(one_second, wall=lambda: DATE_EPOCH + 1.3) == RateLimit(5, 1.0)


def test_learning_sends_one_at_a_time_until_the_first_response_then_its_window() -> None:
    async def main() -> tuple[list[tuple[str, float]], Quota, Quota]:
        limiter = window_limiter(None)
        before = limiter.quota()
        log: list[tuple[str, float]] = []
        start = now()
        await asyncio.gather(
            *(request(limiter, log, f"r{i}", latency=0.5, headers=rate_headers(4 - i, 1))
              for i in range(7))
        )  # fmt: skip
        return [(n, t - start) for n, t in log], before, limiter.quota()

    log, before, after = vclock.run(main())
    assert (before.limit, before.remaining) == (1, 1)
    # the first response (at 0.5 s) teaches 5 per 1 s: the other four go at once; then each
    # next as a stamp leaves, 1.01 s later (the default margin is 1% of the period)
    assert [t for _, t in log] == pytest.approx([0.0, 0.5, 0.5, 0.5, 0.5, 1.51, 2.01])
    assert (after.limit, after.period) == (5, 1.0)


def test_a_response_without_rate_headers_means_plane_default() -> None:
    async def main() -> Quota:
        limiter = window_limiter(None)
        await request(limiter, [], "r")
        return limiter.quota()

    quota = vclock.run(main())
    assert (quota.limit, quota.period, quota.remaining) == (60, 60.0, 59)


def test_an_explicit_limit_stays_the_cap_whatever_the_server_says() -> None:
    async def main() -> list[float]:
        limiter = window_limiter(RateLimit(2, 10.0, margin=0.0))
        log: list[tuple[str, float]] = []
        start = now()
        headers = rate_headers(299, 60)  # the server would allow far more
        await asyncio.gather(*(request(limiter, log, f"r{i}", headers=headers) for i in range(3)))
        return [t - start for _, t in log]

    assert vclock.run(main()) == [0.0, 0.0, 10.0]


def test_a_429_shrinks_the_learned_limit_to_what_the_window_held() -> None:
    async def main() -> Quota:
        limiter = window_limiter(None)
        await request(limiter, [], "a", headers=rate_headers(9, 60))  # 10 per minute
        await request(limiter, [], "b", headers=rate_headers(8, 60))
        await request(limiter, [], "c", status=429, headers={"Retry-After": "30"})
        return limiter.quota()

    quota = vclock.run(main())
    assert quota.limit == 2  # the server refused the third: it allows no more than two now


def test_clients_on_threads_with_their_own_loops_share_one_limiter() -> None:
    import threading

    seen: list[Limiter] = []

    def worker() -> None:
        async def main() -> None:
            seen.append(shared_limiter(URL, KEY, None))

        asyncio.run(main())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 4 and all(s is seen[0] for s in seen)
