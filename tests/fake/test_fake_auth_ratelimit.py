"""Authentication, permissions and Plane's per-key sliding-window rate limit (§4, §5)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from plane_async.testing import FakePlane
from plane_async.testing._throttle import SlidingWindow
from tests.fake.test_fake_conformance import UNKNOWN, Api

RATE_HEADERS = {"X-RateLimit-Remaining", "X-RateLimit-Reset"}
THROTTLED = {"error_code": 5900, "error_message": "RATE_LIMIT_EXCEEDED"}


class Clock:
    """A hand-moved monotonic clock for the server's limiter (no real waiting)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    async with FakePlane(rate_limit=(5, 0.5)) as server, aiohttp.ClientSession() as session:
        yield Api(server, session)


async def test_missing_key_is_401_and_a_bad_key_403(api: Api) -> None:
    status, headers, body = await api.call("GET", "/api/v1/users/me/", key=None)
    assert (status, body) == (401, {"detail": "Authentication credentials were not provided."})
    assert "WWW-Authenticate" not in headers and not RATE_HEADERS & set(headers)
    status, _, body = await api.call("GET", "/api/v1/users/me/", key="plane_api_" + "0" * 32)
    assert (status, body) == (403, {"detail": "Given API token is not valid"})


async def test_unknown_workspace_or_project_is_403_but_unknown_objects_are_404(api: Api) -> None:
    no_permission = {"detail": "You do not have permission to perform this action."}
    status, headers, body = await api.call("GET", "/api/v1/workspaces/nope/projects/")
    assert (status, body) == (403, no_permission) and not RATE_HEADERS & set(headers)
    path = f"/api/v1/workspaces/acme/projects/{UNKNOWN}/"
    status, _, body = await api.call("GET", path + "states/")
    assert (status, body) == (403, no_permission)
    status, headers, body = await api.call("GET", path)
    assert (status, body) == (404, {"error": "The requested resource does not exist."})
    assert set(headers) >= RATE_HEADERS


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/workspaces/acme/projects/not-a-uuid/work-items/",
        "/api/v1/workspaces/acme/projects/00000000-0000-4000-8000-00000000000A/work-items/",
        "/api/v1/nothing-here/",
        "/elsewhere/",
    ],
)
async def test_unrouted_paths_are_page_not_found_without_auth(api: Api, path: str) -> None:
    status, headers, body = await api.call("GET", path, key=None)
    assert (status, body) == (404, {"error": "Page not found."})
    assert "Allow" not in headers


async def test_allowed_requests_count_down_then_429_with_retry_after(api: Api) -> None:
    clock = Clock()
    api.server.limiter = SlidingWindow(5, 60.0, clock=clock)
    remaining = []
    for _ in range(5):
        status, headers, _ = await api.call("GET", "/api/v1/users/me/")
        assert status == 200
        remaining.append(int(headers["X-RateLimit-Remaining"]))
        clock.now += 3.0
    assert remaining == [4, 3, 2, 1, 0]
    status, headers, body = await api.call("GET", "/api/v1/users/me/")
    assert (status, body) == (429, THROTTLED)
    assert not RATE_HEADERS & set(headers)
    # DRF: (period - age of the oldest) / free slots = (60 - 15) / 1, truncated.
    assert headers["Retry-After"] == "45"
    clock.now += 45.0  # the oldest request leaves the window
    status, headers, _ = await api.call("GET", "/api/v1/users/me/")
    assert status == 200 and headers["X-RateLimit-Remaining"] == "0"
    assert api.server.max_in_window == 6  # 4 still in the window + the refused one + this one


async def test_401_403_and_routing_404s_do_not_count(api: Api) -> None:
    for _ in range(10):
        await api.call("GET", "/api/v1/users/me/", key=None)
        await api.call("GET", "/api/v1/users/me/", key="plane_api_bad")
        await api.call("GET", "/api/v1/workspaces/other/members/")
        await api.call("GET", "/api/v1/nowhere/")
    status, headers, _ = await api.call("GET", "/api/v1/users/me/")
    assert status == 200 and headers["X-RateLimit-Remaining"] == "4"


async def test_405_and_object_404s_count_and_carry_rate_headers(api: Api) -> None:
    status, headers, body = await api.call("PUT", "/api/v1/users/me/", body={})
    assert (status, body) == (405, {"detail": 'Method "PUT" not allowed.'})
    assert headers["Allow"] == "GET" and headers["X-RateLimit-Remaining"] == "4"


async def test_each_key_has_its_own_window(api: Api) -> None:
    other = api.server.new_api_key()
    for _ in range(5):
        assert (await api.call("GET", "/api/v1/users/me/"))[0] == 200
    assert (await api.call("GET", "/api/v1/users/me/"))[0] == 429
    assert (await api.call("GET", "/api/v1/users/me/", key=other))[0] == 200
    api.server.revoke_api_key(other)
    assert (await api.call("GET", "/api/v1/users/me/", key=other))[0] == 403


async def test_rate_limit_none_disables_the_limiter_and_its_headers() -> None:
    async with FakePlane(rate_limit=None) as server, aiohttp.ClientSession() as session:
        api = Api(server, session)
        for _ in range(70):
            status, headers, _ = await api.call("GET", "/api/v1/users/me/")
        assert status == 200 and not RATE_HEADERS & set(headers)
        assert server.max_in_window == 0


def test_retry_after_is_the_wait_divided_by_free_slots_like_drf() -> None:
    clock = Clock()
    window = SlidingWindow(3, 10.0, clock=clock)
    assert [window.check("k").allowed for _ in range(3)] == [True, True, True]
    clock.now += 4.0
    refused = window.check("k")
    assert not refused.allowed and refused.retry_after == pytest.approx(6.0)
    assert refused.headers() == {"Retry-After": "6"}
    clock.now += 6.0
    assert window.check("k").allowed
