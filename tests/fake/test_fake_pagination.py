"""FakePlane's pagination follows Plane CE's paginator rules (plane-api.md §3)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from plane_async.testing import FakePlane, Seed
from tests.fake.test_fake_conformance import Api


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    async with FakePlane(rate_limit=None) as server, aiohttp.ClientSession() as session:
        yield Api(server, session)


def items_path(api: Api) -> str:
    project = next(iter(api.server.store.projects))
    return f"/api/v1/workspaces/acme/projects/{project}/work-items/"


async def test_walking_next_cursor_returns_every_item_once_newest_first(api: Api) -> None:
    seen: list[int] = []
    cursor = None
    while True:
        query = {"per_page": 40, **({"cursor": cursor} if cursor else {})}
        status, _, page = await api.call("GET", items_path(api), query=query)
        assert status == 200
        seen += [item["sequence_id"] for item in page["results"]]
        assert page["next_cursor"]  # never empty, even on the last page
        if not page["next_page_results"]:
            break
        cursor = page["next_cursor"]
    assert seen == list(range(250, 0, -1))
    assert page["count"] == 10 and page["total_pages"] == 7 and page["prev_page_results"]


async def test_cursor_value_is_ignored_and_per_page_comes_from_the_query(api: Api) -> None:
    _, _, small = await api.call("GET", items_path(api), query={"per_page": 5, "cursor": "99:2:0"})
    assert [i["sequence_id"] for i in small["results"]] == [240, 239, 238, 237, 236]
    _, _, default = await api.call("GET", items_path(api), query={"cursor": "5:0:0"})
    assert default["count"] == 250  # per_page defaults to 1000, not the cursor's 5
    assert default["next_cursor"] == "1000:1:0"


async def test_prev_cursor_with_the_same_per_page_jumps_like_a_page_number(api: Api) -> None:
    _, _, page = await api.call("GET", items_path(api), query={"per_page": 3, "cursor": "3:1:1"})
    assert [i["sequence_id"] for i in page["results"]] == [247, 246, 245]


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        ({"per_page": 1001}, 400, {"detail": "Invalid per_page value. Cannot exceed 1000."}),
        ({"per_page": "abc"}, 400, {"detail": "Invalid per_page parameter."}),
        ({"per_page": "2.5"}, 400, {"detail": "Invalid per_page parameter."}),
        ({"per_page": 0}, 500, {"error": "Something went wrong please try again later"}),
        ({"per_page": -3}, 500, {"error": "Something went wrong please try again later"}),
        ({"per_page": 3, "cursor": "abc"}, 400, {"detail": "Invalid cursor parameter."}),
        ({"per_page": 3, "cursor": "3:1"}, 400, {"detail": "Invalid cursor parameter."}),
        ({"per_page": 3, "cursor": "3:x:0"}, 400, {"detail": "Invalid cursor parameter."}),
        ({"per_page": 3, "cursor": "3:-1:1"}, 400, {"detail": "Error in parsing"}),
        (
            {"per_page": 3, "cursor": "7:1:1"},
            500,
            {"error": "Something went wrong please try again later"},
        ),
    ],
)
async def test_bad_paging_parameters_get_the_real_errors(
    api: Api, query: dict[str, object], status: int, body: dict[str, str]
) -> None:
    got_status, _headers, got = await api.call("GET", items_path(api), query=query)
    assert (got_status, got) == (status, body)


async def test_offset_past_the_end_is_an_empty_page(api: Api) -> None:
    _, _, page = await api.call(
        "GET", items_path(api), query={"per_page": 100, "cursor": "100:9:0"}
    )
    assert page["results"] == [] and page["count"] == 0 and not page["next_page_results"]
    assert page["total_results"] == 250 and page["total_pages"] == 3


async def test_max_per_page_knob_mimics_plane_cloud() -> None:
    async with FakePlane(max_per_page=100) as server, aiohttp.ClientSession() as session:
        api = Api(server, session)
        status, _, body = await api.call("GET", items_path(api), query={"per_page": 101})
        assert (status, body) == (400, {"detail": "Invalid per_page value. Cannot exceed 100."})
        status, _, _ = await api.call("GET", items_path(api), query={"per_page": 100})
        assert status == 200


async def test_without_per_page_one_page_holds_up_to_1000_items() -> None:
    seed = Seed(issues_per_project=1200, modules=0, cycles=0)
    async with FakePlane(seed=seed) as server, aiohttp.ClientSession() as session:
        api = Api(server, session)
        _, _, page = await api.call("GET", items_path(api))
        assert page["count"] == 1000 and page["next_page_results"] and page["total_pages"] == 2


async def test_order_by_is_honoured_and_an_unknown_field_is_a_500(api: Api) -> None:
    _, _, page = await api.call(
        "GET", items_path(api), query={"per_page": 2, "order_by": "sequence_id"}
    )
    assert [i["sequence_id"] for i in page["results"]] == [1, 2]
    _, _, page = await api.call(
        "GET", items_path(api), query={"per_page": 250, "order_by": "priority"}
    )
    priorities = [i["priority"] for i in page["results"]]
    order = ["urgent", "high", "medium", "low", "none"]
    assert priorities == sorted(priorities, key=order.index)
    status, _, _ = await api.call("GET", items_path(api), query={"order_by": "nope"})
    assert status == 500
