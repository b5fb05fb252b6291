"""What the server answers, taken at its word only when it means success: only 2xx is a
success, a single-object call needs a JSON object, a retried DELETE that finds the item
gone succeeded, and a 429's ``retry_after`` is what the client would really wait."""

from __future__ import annotations

import uuid

import pytest
from aiohttp import web

from plane_async import APIError, NotFoundError, RateLimit, RateLimitError, ResponseDecodeError
from tests.support.local_server import LocalServer, json_response, local, reset

__all__ = ["local"]

PID = uuid.UUID("8772363e-ab7b-4a87-ad25-922fd6c3f197")
IID = uuid.UUID("0b9bd2a5-0b3f-4c5e-8d47-3d1f7b6c2e11")
ITEMS = f"workspaces/acme/projects/{PID}/work-items/"
ITEM = f"{ITEMS}{IID}/"
ISSUE = {"id": str(IID), "name": "Fix login", "project": str(PID)}


# ---------------------------------------------------------------------------- only 2xx


@pytest.mark.parametrize("status", [101, 300, 304, 305, 399])
async def test_a_status_outside_2xx_is_an_error_not_an_empty_success(
    local: LocalServer, status: int
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Location": "https://elsewhere.test/"})

    local.on("users/me/", answer)
    async with local.client() as plane:
        with pytest.raises(APIError) as info:
            await plane.request("GET", "users/me/")
    assert info.value.status == status
    assert "2xx" in str(info.value) or "redirect" in str(info.value)


@pytest.mark.parametrize("status", [300, 304])
async def test_get_and_create_with_a_non_2xx_status_raise(local: LocalServer, status: int) -> None:
    local.answer(ITEM, ISSUE, status=status)
    local.answer(ITEMS, ISSUE, status=status)
    async with local.client() as plane:
        with pytest.raises(APIError) as got:
            await plane.issues.get(PID, IID)
        with pytest.raises(APIError) as created:
            await plane.issues.create(PID, name="x")
    assert got.value.status == created.value.status == status


@pytest.mark.parametrize(("body", "kind"), [(None, "null"), ([], "an array"), ("hi", "a string")])
async def test_a_single_object_call_needs_a_json_object(
    local: LocalServer, body: object, kind: str
) -> None:
    local.answer(ITEM, body)
    local.answer(ITEMS, body, status=201)
    async with local.client() as plane:
        with pytest.raises(ResponseDecodeError) as got:
            await plane.issues.get(PID, IID)
        with pytest.raises(ResponseDecodeError) as created:
            await plane.issues.create(PID, name="x")
        me_body = body
        local.answer("users/me/", me_body)
        with pytest.raises(ResponseDecodeError):
            await plane.users.me()
    assert f"got {kind}" in str(got.value) and "Issue object" in str(got.value)
    assert created.value.method == "POST"


async def test_a_json_object_is_still_a_model(local: LocalServer) -> None:
    local.answer(ITEM, ISSUE)
    async with local.client() as plane:
        issue = await plane.issues.get(PID, IID)
    assert issue.name == "Fix login"


# ---------------------------------------------------------------------------- DELETE retried


def _delete_that_resets_once(local: LocalServer) -> list[str]:
    """A work item that the first DELETE deletes before the connection drops."""
    log: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        if request.method != "DELETE":
            return json_response(ISSUE)
        if not log:
            log.append("deleted")
            return reset(request)
        log.append("404")
        return json_response({"error": "The requested resource does not exist."}, status=404)

    local.on(ITEM, answer)
    return log


async def test_a_retried_delete_that_finds_the_item_gone_succeeded(local: LocalServer) -> None:
    log = _delete_that_resets_once(local)
    async with local.client(max_retries=2) as plane:
        assert await plane.issues.delete(PID, IID) is None
    assert log == ["deleted", "404"]


async def test_a_retried_raw_delete_returns_none_like_a_204(local: LocalServer) -> None:
    _delete_that_resets_once(local)
    async with local.client(max_retries=2) as plane:
        assert await plane.request("DELETE", ITEM) is None


async def test_a_delete_that_is_404_on_its_first_attempt_is_still_not_found(
    local: LocalServer,
) -> None:
    local.answer(ITEM, {"error": "The requested resource does not exist."}, status=404)
    async with local.client(max_retries=2) as plane:
        with pytest.raises(NotFoundError):
            await plane.issues.delete(PID, IID)


async def test_a_retried_delete_on_a_missing_route_is_still_not_found(
    local: LocalServer,
) -> None:
    calls: list[int] = []

    async def answer(request: web.Request) -> web.Response:
        calls.append(1)
        if len(calls) == 1:
            return reset(request)
        return json_response({"error": "Page not found."}, status=404)

    local.on("custom/thing/", answer)
    async with local.client(max_retries=2) as plane:
        with pytest.raises(NotFoundError):
            await plane.request("DELETE", "custom/thing/")


# ---------------------------------------------------------------------------- retry_after


@pytest.mark.parametrize("header", ["inf", "999949", "1e308"])
async def test_rate_limit_error_retry_after_is_capped_like_the_client_s_pause(
    local: LocalServer, header: str
) -> None:
    local.answer("users/me/", {"error_code": 5900}, status=429, **{"Retry-After": header})
    async with local.client(rate_limit=RateLimit(60, 60.0, max_retry_after=45.0)) as plane:
        with pytest.raises(RateLimitError) as info:
            await plane.users.me()
    assert info.value.retry_after == 45.0


async def test_rate_limit_error_retry_after_keeps_a_sane_value(local: LocalServer) -> None:
    local.answer("users/me/", {"error_code": 5900}, status=429, **{"Retry-After": "7"})
    async with local.client() as plane:
        with pytest.raises(RateLimitError) as info:
            await plane.users.me()
    assert info.value.retry_after == 7.0
