"""What a first-time user stumbles on: wrong write values, forgotten closes, a list used
like a list, and write-field suggestions that mislead."""

from __future__ import annotations

import gc
import math
import uuid
import warnings
from typing import Any

import pytest

from plane_async import AsyncPlane, PlaneValueError
from plane_async._protocol.suggest import same_meaning
from tests.support.local_server import KEY, LocalServer, local

__all__ = ["local"]

PID = uuid.UUID("8772363e-ab7b-4a87-ad25-922fd6c3f197")
IID = uuid.UUID("0b9bd2a5-0b3f-4c5e-8d47-3d1f7b6c2e11")
ITEMS = f"workspaces/acme/projects/{PID}/work-items/"


def _offline() -> AsyncPlane:
    return AsyncPlane(api_key=KEY, workspace="acme", base_url="http://127.0.0.1:9")


# ---------------------------------------------------------------------------- write values


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"sort_order": math.nan}, "'sort_order' must be a finite number, got nan"),
        ({"sort_order": math.inf}, "'sort_order' must be a finite number"),
        ({"point": math.inf}, "'point' must be an int or None, got inf"),
        ({"point": True}, "'point' must be an int or None, got True"),
        ({"point": 2**70}, "'point' must fit in 64 bits"),
        ({"name": 123}, "'name' must be a string, got 123"),
        ({"is_draft": "yes"}, "'is_draft' must be True or False"),
        ({"start_date": 20260101}, "'start_date' must be a date or a string or None"),
    ],
)
async def test_wrong_types_and_non_finite_numbers_are_refused_before_sending(
    local: LocalServer, fields: dict[str, Any], match: str
) -> None:
    async with local.client() as plane:
        with pytest.raises(PlaneValueError, match=match):
            await plane.issues.update(PID, IID, **fields)
        with pytest.raises(PlaneValueError):
            await plane.issues.create(PID, **{"name": "x", **fields})
    assert local.hits == []


async def test_nested_json_values_and_raw_bodies_are_checked_too(local: LocalServer) -> None:
    async with local.client() as plane:
        with pytest.raises(PlaneValueError, match=r"'logo_props'\['size'\] must be a finite"):
            await plane.projects.update(PID, logo_props={"size": math.nan})
        with pytest.raises(PlaneValueError, match=r"json\['point'\] must be a finite"):
            await plane.request("PATCH", ITEMS, json={"point": -math.inf})
        with pytest.raises(PlaneValueError, match=r"json\[0\] must fit in 64 bits"):
            await plane.request("POST", ITEMS, json=[2**80])
    assert local.hits == []


async def test_values_of_the_right_type_are_sent(local: LocalServer) -> None:
    local.answer(f"{ITEMS}{IID}/", {"id": str(IID), "point": 3})
    async with local.client() as plane:
        issue = await plane.issues.update(PID, IID, point=3, sort_order=2, is_draft=False,
                                          name="ok", start_date=None)  # fmt: skip
    assert issue.point == 3 and len(local.hits) == 1


# ---------------------------------------------------------------------------- suggestions


async def test_a_write_field_from_another_api_suggests_what_means_the_same() -> None:
    plane = _offline()
    with pytest.raises(PlaneValueError) as info:
        await plane.issues.create(PID, name="x", title="Fix login")  # type: ignore[call-arg]
    assert "did you mean 'name'?" in str(info.value)
    assert "'state'" not in str(info.value).split("accepted")[0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("title", ("name",)),
        ("description", ("description_html",)),
        ("assignee_ids", ("assignees",)),
        ("state_id", ("state",)),
        ("due_date", ("target_date",)),
        ("priorty", ("priority",)),
        ("lables", ("labels",)),
        ("colour", ()),  # issues have no color
        ("zzz", ()),
        ("stat", ("state",)),
    ],
)
def test_suggestions_are_only_names_that_mean_the_same(
    name: str, expected: tuple[str, ...]
) -> None:
    from plane_async.resources.issues import _ACCEPTED

    assert same_meaning(name, _ACCEPTED) == expected


# ---------------------------------------------------------------------------- lists misused


def test_a_plain_for_over_a_list_says_use_async_for() -> None:
    plane = _offline()
    with pytest.raises(TypeError, match=r"plane\.issues\.list\(\.\.\.\) is read with `async for`"):
        for _ in plane.issues.list(PID):  # type: ignore[attr-defined]
            pass
    with pytest.raises(TypeError, match=r"plane\.modules\.issues\(\.\.\.\).*async for"):
        list(plane.modules.issues(PID, IID))  # type: ignore[call-overload]


async def test_awaiting_a_list_says_use_async_for() -> None:
    plane = _offline()
    with pytest.raises(TypeError, match=r"plane\.projects\.pages\(\.\.\.\) cannot be awaited"):
        await plane.projects.pages()  # type: ignore[misc]


async def test_a_list_still_works_as_an_async_generator(local: LocalServer) -> None:
    page = {
        "results": [{"id": str(uuid.UUID(int=i)), "name": f"p{i}"} for i in range(1, 4)],
        "next_cursor": "100:1:0", "prev_cursor": "100:-1:1", "next_page_results": False,
        "prev_page_results": False, "count": 3, "total_pages": 1, "total_results": 3,
    }  # fmt: skip
    local.answer("workspaces/acme/projects/", page)
    async with local.client() as plane:
        assert [p.name async for p in plane.projects.list()] == ["p1", "p2", "p3"]
        stream = plane.projects.list()
        assert (await anext(stream)).name == "p1"
        assert (await stream.asend(None)).name == "p2"
        await stream.aclose()
        with pytest.raises(StopAsyncIteration):
            await anext(stream)


# ---------------------------------------------------------------------------- unclosed


async def test_forgetting_to_close_the_client_warns_naming_it(local: LocalServer) -> None:
    local.answer("users/me/", {"id": str(IID)})
    plane = local.client()
    await plane.users.me()
    session = plane._transport.http._session
    assert session is not None
    with pytest.warns(ResourceWarning, match=r"unclosed AsyncPlane\(.*async with AsyncPlane"):
        del plane
        gc.collect()
    await session.close()


async def test_a_closed_or_unused_client_does_not_warn(local: LocalServer) -> None:
    local.answer("users/me/", {"id": str(IID)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        async with local.client() as plane:
            await plane.users.me()
        del plane
        unused = local.client()
        del unused
        gc.collect()
