"""``limiter=``: what the client was given decides which limiter its requests wait on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from plane_async import AsyncPlane, RateLimit
from plane_async._ratelimit import Limiter, LimiterBackend
from plane_async.types import Quota
from tests.support import vclock

KEY = "plane_api_0123456789abcdef0123456789abcdef"


class KeyLimiter:
    """A limiter a backend made for one key; it records being closed."""

    def __init__(self) -> None:
        self.closed = False

    @asynccontextmanager
    async def slot(self, *, timeout: float | None = None) -> AsyncIterator[Any]:
        yield None

    def quota(self) -> Quota:
        return Quota(limit=5, period=1.0, remaining=5, next_slot_in=0.0, paused_for=0.0)

    async def aclose(self) -> None:
        self.closed = True


class Backend(LimiterBackend):
    """A backend, as a RedisLimiter is: it makes each client's limiter and takes it back."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, RateLimit | None]] = []
        self.made: list[KeyLimiter] = []

    def for_key(self, base_url: str, api_key: str, rate: RateLimit | None) -> Limiter:
        self.asked.append((base_url, api_key, rate))
        self.made.append(KeyLimiter())
        return self.made[-1]

    async def release_key(self, limiter: Limiter) -> None:
        assert isinstance(limiter, KeyLimiter)
        await limiter.aclose()


def test_a_backend_makes_the_limiter_of_the_key_and_the_client_hands_it_back() -> None:
    backend = Backend()
    rate = RateLimit(5, 1.0)

    async def main() -> None:
        plane = AsyncPlane(
            api_key=KEY, base_url="https://plane.example.com", rate_limit=rate,
            limiter=backend,  # type: ignore[arg-type]  # not public: RedisLimiter is the one
        )  # fmt: skip
        assert plane.limiter is backend.made[0] and plane.quota().limit == 5
        await plane.aclose()

    vclock.run(main())
    assert backend.asked == [("https://plane.example.com/api/v1/", KEY, rate)]
    assert backend.made[0].closed


def test_a_limiter_given_as_such_is_used_and_left_open() -> None:
    limiter = KeyLimiter()

    async def main() -> None:
        async with AsyncPlane(api_key=KEY, limiter=limiter) as plane:
            assert plane.limiter is limiter

    vclock.run(main())
    assert not limiter.closed
