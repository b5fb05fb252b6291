"""A response's memory is bounded (decompressed and decoded); an external-id lookup only
returns what was asked for; a 403 names what to check, and ``plane.check()`` fails fast."""

from __future__ import annotations

import gzip
import tracemalloc
import uuid

import orjson
import pytest
from aiohttp import web

from plane_async import (
    AsyncPlane,
    InvalidAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    ResponseDecodeError,
    ResponseTooLargeError,
)
from plane_async.testing import FakePlane, Seed
from tests.support.local_server import LocalServer, json_response, local

__all__ = ["local"]

PID = uuid.UUID("8772363e-ab7b-4a87-ad25-922fd6c3f197")
ITEMS = f"workspaces/acme/projects/{PID}/work-items/"
LIMIT = 4 * 1024 * 1024


# ---------------------------------------------------------------------------- memory


def _gzip_bomb(inflated: int) -> bytes:
    """A small gzip body inflating to ``inflated`` bytes of ``[],`` (an array of empty
    arrays: about 21 bytes of Python objects per byte of JSON)."""
    return gzip.compress(b"[" + b"[]," * (inflated // 3) + b"0]", compresslevel=9)


async def test_a_gzip_bomb_under_the_size_cap_is_refused_before_decoding(
    local: LocalServer,
) -> None:
    bomb = _gzip_bomb(LIMIT - 4096)  # inflates to just under max_response_bytes
    assert len(bomb) < 20_000

    async def answer(request: web.Request) -> web.Response:
        return web.Response(
            body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
        )

    local.on("bomb/", answer)
    async with local.client(max_response_bytes=LIMIT, max_retries=2) as plane:
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError) as info:
                await plane.request("GET", "bomb/")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert "Python objects" in str(info.value) and f"max_response_bytes={LIMIT}" in str(info.value)
    assert local.count("bomb/") == 1  # not retried: it would cost as much again
    # Decoding it would have built about 90 MB; the client held a few copies of the text.
    assert peak < 4 * LIMIT


async def test_an_uncompressed_body_of_empty_arrays_is_refused_too(local: LocalServer) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=b"[" + b"{}," * (LIMIT // 3 - 10) + b"0]")

    local.on("many/", answer)
    async with local.client(max_response_bytes=LIMIT) as plane:
        with pytest.raises(ResponseTooLargeError):
            await plane.request("GET", "many/")


async def test_a_realistic_body_near_the_cap_still_decodes(local: LocalServer) -> None:
    item = {"id": str(PID), "name": "Fix the login page", "priority": "high",
            "labels": [str(PID)], "sort_order": 65535.0, "description_html": "<p>x</p>" * 20,
            "state": str(PID), "created_at": "2026-05-19T10:00:00+05:30",
            "point": None}  # fmt: skip
    page = {"results": [item] * 5000, "count": 5000}
    raw = orjson.dumps(page)
    assert LIMIT // 2 < len(raw) < LIMIT

    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=gzip.compress(raw), headers={"Content-Encoding": "gzip"})

    local.on("page/", answer)
    async with local.client(max_response_bytes=LIMIT) as plane:
        body = await plane.request("GET", "page/")
    assert len(body["results"]) == 5000


@pytest.mark.slow
def test_the_decoded_cost_estimate_is_an_upper_bound() -> None:
    from plane_async._http.body import decoded_cost

    for unit in (b"[],", b"{},", b'"a",', b"1.5,", b'{"":{"":0}},', b"[[[]]],"):
        raw = b"[" + unit * 50_000 + b"0]"
        tracemalloc.start()
        value = orjson.loads(raw)
        real = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del value
        estimate = decoded_cost(raw, 0)
        assert estimate is not None and estimate >= real, unit
    assert decoded_cost(b"[]" * 1000, 10**9) is None  # small bodies are not even counted


# ---------------------------------------------------------------------------- lookups


def _envelope(n: int) -> dict[str, object]:
    results = [{"id": str(uuid.UUID(int=i)), "name": f"item {i}", "external_id": f"X-{i}",
                "external_source": "jira"} for i in range(n)]  # fmt: skip
    return {"results": results, "count": n, "total_results": n, "next_page_results": False,
            "prev_page_results": False, "next_cursor": "100:1:0", "prev_cursor": "100:-1:1",
            "total_pages": 1}  # fmt: skip


async def test_a_server_that_ignores_the_lookup_parameters_is_an_error_not_everything(
    local: LocalServer,
) -> None:
    local.answer(ITEMS, _envelope(5))
    async with local.client() as plane:
        with pytest.raises(ResponseDecodeError, match="ignored the external-id lookup"):
            [i async for i in plane.issues.list(PID, external_source="jira", external_id="J-1")]
        with pytest.raises(ResponseDecodeError, match="page of 5 work items"):
            await plane.issues.get_by_external_id(PID, "jira", "J-1")
        with pytest.raises(ResponseDecodeError):
            [p async for p in plane.issues.pages(PID, external_source="jira", external_id="J-1")]


async def test_a_lookup_answering_another_item_is_an_error(local: LocalServer) -> None:
    local.answer(ITEMS, {"id": str(PID), "external_source": "jira", "external_id": "J-2"})
    async with local.client() as plane:
        with pytest.raises(ResponseDecodeError, match="'external_id': 'J-2'"):
            await plane.issues.get_by_external_id(PID, "jira", "J-1")


async def test_a_lookup_answering_the_item_asked_for_returns_it(local: LocalServer) -> None:
    local.answer(ITEMS, {"id": str(PID), "external_source": "jira", "external_id": "J-1"})
    async with local.client() as plane:
        found = await plane.issues.get_by_external_id(PID, "jira", "J-1")
        lookup = plane.issues.list(PID, external_source="jira", external_id="J-1", fields=["id"])
        listed = [i async for i in lookup]
    assert found is not None and found.id == PID
    assert [i.id for i in listed] == [PID]


# ---------------------------------------------------------------------------- 403 and check()


async def test_a_403_names_the_workspace_and_project_and_what_to_check() -> None:
    async with FakePlane(seed=Seed(issues_per_project=1)) as server:
        async with AsyncPlane(api_key=server.api_key, workspace="acme-typo",
                              base_url=server.base_url) as plane:  # fmt: skip
            with pytest.raises(PermissionDeniedError) as ws:
                [p async for p in plane.projects.list()]
        async with AsyncPlane(api_key=server.api_key, workspace=server.workspace,
                              base_url=server.base_url) as plane:  # fmt: skip
            with pytest.raises(PermissionDeniedError) as project:
                [i async for i in plane.issues.list(PID)]
    assert "workspace 'acme-typo'" in str(ws.value)
    assert "check the workspace slug" in str(ws.value) and "member" in str(ws.value)
    assert f"workspace '{server.workspace}', project {PID}" in str(project.value)
    assert "project exists" in str(project.value)


async def test_check_verifies_the_key_and_the_workspace_in_one_request() -> None:
    async with FakePlane(seed=Seed(issues_per_project=1)) as server:
        good = dict(api_key=server.api_key, workspace=server.workspace, base_url=server.base_url)
        async with AsyncPlane(**good) as plane:  # type: ignore[arg-type]
            before = len(server.requests)
            assert await plane.check() is None
            assert len(server.requests) == before + 1
        async with AsyncPlane(**{**good, "workspace": "nope"}) as plane:  # type: ignore[arg-type]
            with pytest.raises(PermissionDeniedError, match="workspace 'nope'"):
                await plane.check()
        async with AsyncPlane(**{**good, "api_key": "plane_api_" + "0" * 32}) as plane:  # type: ignore[arg-type]
            with pytest.raises(InvalidAPIKeyError):
                await plane.check()
        async with AsyncPlane(**{**good, "workspace": None}) as plane:  # type: ignore[arg-type]
            assert await plane.check() is None


async def test_check_says_when_base_url_has_no_plane_api(local: LocalServer) -> None:
    async with local.client() as plane:
        with pytest.raises(NotFoundError, match=r"has no Plane API.*check base_url"):
            await plane.check()


async def test_check_says_when_base_url_answers_a_web_page(local: LocalServer) -> None:
    async def page(request: web.Request) -> web.Response:
        return web.Response(body=b"<html><body>Sign in</body></html>", content_type="text/html")

    local.on("workspaces/acme/projects/", page)
    async with local.client() as plane:
        with pytest.raises(ResponseDecodeError, match=r"not Plane's JSON API.*check base_url"):
            await plane.check()


async def test_check_raises_a_view_403_as_it_is(local: LocalServer) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_response({"error": "Only admin can do that"}, status=403)

    local.on("workspaces/acme/projects/", answer)
    async with local.client() as plane:
        with pytest.raises(PermissionDeniedError) as info:
            await plane.check()
    assert str(info.value).endswith("Only admin can do that (workspace 'acme')")
