"""``fields`` and ``expand`` as Plane's DynamicBaseSerializer applies them (plane-api.md §6)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from plane_async.testing import FakePlane
from tests.fake.test_fake_conformance import Api


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    async with FakePlane(rate_limit=None) as server, aiohttp.ClientSession() as session:
        yield Api(server, session)


def project_path(api: Api) -> str:
    return f"/api/v1/workspaces/acme/projects/{next(iter(api.server.store.projects))}/"


async def first(api: Api, **query: str) -> dict[str, object]:
    status, _, page = await api.call(
        "GET", project_path(api) + "work-items/", query={"per_page": 1, **query}
    )
    assert status == 200
    result: dict[str, object] = page["results"][0]
    return result


async def test_fields_keep_only_the_named_fields(api: Api) -> None:
    assert set(await first(api, fields="id,name")) == {"id", "name"}


async def test_names_are_not_stripped_and_unknown_names_are_ignored(api: Api) -> None:
    assert set(await first(api, fields="id, name,bogus")) == {"id"}
    assert await first(api, fields="nonexistent") == {}
    assert set(await first(api, fields=",,id,")) == {"id"}


async def test_expand_applies_only_to_fields_also_requested(api: Api) -> None:
    assert set(await first(api, fields="id,name", expand="state")) == {"id", "name"}
    item = await first(api, fields="id,state", expand="state,bogus")
    assert isinstance(item["state"], dict) and set(item["state"]) == {
        "id",
        "name",
        "color",
        "group",
    }


async def test_expand_without_fields_expands_relations_of_the_full_object(api: Api) -> None:
    item = await first(api, expand="state,project,assignees,labels,created_by,workspace")
    assert set(item["project"]) == {  # type: ignore[arg-type]
        "id",
        "identifier",
        "name",
        "cover_image",
        "icon_prop",
        "emoji",
        "description",
        "cover_image_url",
    }
    assert set(item["workspace"]) == {"name", "slug", "id"}  # type: ignore[arg-type]
    assert item["created_by"]["display_name"] == "alice"  # type: ignore[index]
    for user in item["assignees"]:  # type: ignore[attr-defined]
        assert set(user) == {
            "id",
            "first_name",
            "last_name",
            "email",
            "avatar",
            "avatar_url",
            "display_name",
        }
    for label in item["labels"]:  # type: ignore[attr-defined]
        assert "color" in label and "project" in label


async def test_parent_expands_to_an_issue_lite(api: Api) -> None:
    store = api.server.store
    project = next(iter(store.projects.values()))
    child = project.by_sequence[250]
    child.parent = project.by_sequence[1].id
    status, _, item = await api.call(
        "GET", project_path(api) + f"work-items/{child.id}/", query={"expand": "parent"}
    )
    assert status == 200
    assert item["parent"] == {"id": child.parent, "sequence_id": 1, "project_id": project.id}


async def test_detail_gets_honour_fields_but_label_detail_does_not(api: Api) -> None:
    _, _, project = await api.call("GET", project_path(api), query={"fields": "id,identifier"})
    assert set(project) == {"id", "identifier"}
    label = next(iter(api.server.store.labels))
    _, _, body = await api.call(
        "GET", project_path(api) + f"labels/{label}/", query={"fields": "id"}
    )
    assert len(body) > 1


async def test_writes_ignore_fields(api: Api) -> None:
    status, _, body = await api.call(
        "POST", project_path(api) + "work-items/", query={"fields": "id"}, body={"name": "n"}
    )
    assert status == 201 and "sequence_id" in body
