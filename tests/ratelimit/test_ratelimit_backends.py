"""The limiter backends: what ``limiter=`` becomes, and registries that share nothing."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest

from plane_async import PlaneValueError, RateLimit
from plane_async._ratelimit import (
    LimiterBackend,
    LocalLimiters,
    OneLimiter,
    RedisLimiter,
    SlotHandle,
    limiter_backend,
    process_registry,
    shared_limiter,
    use_registry,
)
from plane_async.types import Quota
from tests.conftest import loop_clock
from tests.support import vclock

KEY = "plane_api_0123456789abcdef"
URL = "https://plane.example.com"


class _Handle:
    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        pass

    def unsent(self) -> None:
        pass


class CountingLimiter:
    """A user's own Limiter: counts its slots."""

    def __init__(self) -> None:
        self.slots = 0

    def slot(self, *, timeout: float | None = None) -> AbstractAsyncContextManager[SlotHandle]:
        @asynccontextmanager
        async def held() -> Any:
            self.slots += 1
            yield _Handle()

        return held()

    def quota(self) -> Quota:
        return Quota(10, 1.0, 10, 0.0, 0.0)


def test_no_limiter_is_the_process_registry_in_place(local_limiters: LocalLimiters) -> None:
    backend = limiter_backend(None)
    assert backend is local_limiters is process_registry()
    assert backend.for_key(URL, KEY, None) is shared_limiter(URL, KEY, None)


def test_a_redis_limiter_is_its_own_backend() -> None:
    redis = RedisLimiter.from_url("redis://127.0.0.1:1/0")
    assert limiter_backend(redis) is redis
    assert isinstance(redis, LimiterBackend)


def test_a_users_limiter_serves_every_key_and_is_never_closed() -> None:
    mine = CountingLimiter()
    backend = limiter_backend(mine)
    assert isinstance(backend, OneLimiter)
    assert backend.for_key(URL, KEY, None) is mine
    assert backend.for_key("https://other.example", "plane_api_other", RateLimit()) is mine

    async def main() -> None:
        async with backend.for_key(URL, KEY, None).slot() as slot:
            slot.observe(200, {})
        await backend.release_key(mine)

    vclock.run(main())
    assert mine.slots == 1


@pytest.mark.parametrize(
    "given",
    [object(), "redis://localhost", RateLimit(), type("Half", (), {"slot": None, "quota": 1})()],
    ids=["object", "url", "rate", "not-callable"],
)
def test_anything_else_is_refused_before_any_request(given: Any) -> None:
    with pytest.raises(PlaneValueError, match=r"implement plane_async\.types\.Limiter"):
        limiter_backend(given)


def test_two_registries_share_no_window() -> None:
    first, second = LocalLimiters(clock=loop_clock), LocalLimiters(clock=loop_clock)
    one = first.for_key(URL, KEY, RateLimit(1, 60.0))
    assert first.for_key(URL, KEY, None) is one
    assert second.for_key(URL, KEY, RateLimit(1, 60.0)) is not one
    assert first.count() == second.count() == 1
    assert KEY not in repr(first) and all(KEY not in name for name in first.limiters())


def test_use_registry_puts_the_previous_one_back(local_limiters: LocalLimiters) -> None:
    fresh = LocalLimiters(clock=loop_clock)
    with use_registry(fresh):
        assert process_registry() is fresh
        assert shared_limiter(URL, KEY, None) is fresh.for_key(URL, KEY, None)
    assert process_registry() is local_limiters
    assert local_limiters.count() == 0
