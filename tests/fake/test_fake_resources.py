"""Write flows and per-resource rules of FakePlane, checked through HTTP and ``server.store``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from plane_async.testing import FakePlane, Seed
from tests.fake.test_fake_conformance import Api


class Project:
    """Paths of the first seeded project."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.row = next(iter(api.server.store.projects.values()))
        self.path = f"/api/v1/workspaces/acme/projects/{self.row.id}/"

    async def __call__(self, method: str, rel: str, body: Any = None, **query: Any) -> Any:
        return await self.api.call(method, self.path + rel, body=body, query=query)


@pytest.fixture
async def p() -> AsyncIterator[Project]:
    async with FakePlane(rate_limit=None) as server, aiohttp.ClientSession() as session:
        yield Project(Api(server, session))
        assert server.errors == []


async def test_work_item_lifecycle_with_activities_and_soft_delete(p: Project) -> None:
    status, _, item = await p("POST", "work-items/", {"name": "Fix login", "priority": "high"})
    assert status == 201 and item["sequence_id"] == 251 and item["state"] is not None
    status, _, item = await p("PATCH", f"work-items/{item['id']}/", {"priority": "low"})
    assert status == 200 and item["priority"] == "low" and item["updated_by"]
    _, _, acts = await p("GET", f"work-items/{item['id']}/activities/")
    assert [(a["verb"], a["field"], a["new_value"]) for a in acts["results"]] == [
        ("created", None, None),
        ("updated", "priority", "low"),
    ]
    status, _, found = await p.api.call("GET", "/api/v1/workspaces/acme/work-items/WEB-251/")
    assert status == 200 and found["id"] == item["id"]
    status, _, body = await p("DELETE", f"work-items/{item['id']}/")
    assert (status, body) == (204, "")
    status, _, _ = await p("GET", f"work-items/{item['id']}/")
    assert status == 404
    assert p.api.server.store.issues[item["id"]].deleted_at is not None


async def test_validation_errors_use_drf_shapes(p: Project) -> None:
    status, _, body = await p("POST", "work-items/", {"priority": "nope"})
    assert status == 400
    assert body == {
        "name": ["This field is required."],
        "priority": ['"nope" is not a valid choice.'],
    }
    status, _, body = await p("POST", "work-items/", {"name": "x", "state": p.row.id})
    assert body == {"non_field_errors": ["State is not valid please pass a valid state_id"]}
    status, _, body = await p.api.call("POST", p.path + "work-items/", raw='{"name": ')
    assert status == 400 and body["detail"].startswith("JSON parse error - Expecting value")


async def test_external_ids_409_and_lookup(p: Project) -> None:
    ext = {"external_source": "jira", "external_id": "J-1"}
    _, _, item = await p("POST", "work-items/", {"name": "a", **ext})
    status, _, body = await p("POST", "work-items/", {"name": "b", **ext})
    assert status == 409 and body["id"] == item["id"]
    status, _, found = await p("GET", "work-items/", **ext)
    assert status == 200 and found["id"] == item["id"]  # the object, not an envelope
    status, _, _ = await p("GET", "work-items/", external_source="jira", external_id="J-2")
    assert status == 404
    for rel, body in [
        ("labels/", {"name": "l1"}),
        ("states/", {"name": "s1", "color": "#fff"}),
        ("modules/", {"name": "m1"}),
        ("cycles/", {"name": "c1", "project_id": p.row.id}),
    ]:
        first, _, created = await p("POST", rel, {**body, **ext})
        status, _, conflict = await p("POST", rel, {**body, "name": body["name"] + "b", **ext})
        assert first in (200, 201) and status == 409 and conflict["id"] == created["id"]
        assert "with the same external id and external source already exists" in conflict["error"]


async def test_states_create_200_labels_201_and_duplicate_names(p: Project) -> None:
    status, _, _ = await p("POST", "states/", {"name": "Review", "color": "#abc"})
    assert status == 200
    status, _, body = await p("POST", "states/", {"name": "Review", "color": "#abc"})
    assert status == 409 and "id" in body
    status, _, _ = await p("POST", "labels/", {"name": "infra"})
    assert status == 201
    status, _, body = await p("POST", "labels/", {"name": "infra"})
    assert status == 409 and body["error"].startswith("Label with the same name")


async def test_module_issues_add_list_remove_and_archive_rules(p: Project) -> None:
    module = next(iter(p.api.server.store.modules.values()))
    new = p.row.by_sequence[3].id
    module.issue_ids.pop(new, None)
    status, _, rows = await p("POST", f"modules/{module.id}/module-issues/", {"issues": [new]})
    assert status == 200 and isinstance(rows, list) and rows[0]["issue"] == new
    _, _, page = await p("GET", f"modules/{module.id}/module-issues/", per_page=1000)
    assert new in {i["id"] for i in page["results"]}
    status, _, body = await p("POST", f"modules/{module.id}/module-issues/", {"issues": []})
    assert (status, body) == (400, {"error": "Issues are required"})
    status, _, _ = await p("DELETE", f"modules/{module.id}/module-issues/{new}/")
    assert status == 204 and new not in module.issue_ids
    status, _, _ = await p("POST", f"modules/{module.id}/archive/")
    assert status == 400
    await p("PATCH", f"modules/{module.id}/", {"status": "completed"})
    assert (await p("POST", f"modules/{module.id}/archive/"))[0] == 204
    _, _, archived = await p("GET", "archived-modules/")
    assert [m["id"] for m in archived["results"]] == [module.id]
    assert (await p("DELETE", f"archived-modules/{module.id}/unarchive/"))[0] == 204


async def test_cycles_need_project_id_and_the_feature_flag(p: Project) -> None:
    status, _, body = await p("POST", "cycles/", {"name": "S3"})
    assert (status, body) == (400, {"non_field_errors": ["Project ID is required"]})
    status, _, body = await p("POST", "cycles/", {"name": "S3", "start_date": "2026-01-01"})
    assert status == 400 and "Both start date and end date" in body["error"]
    await p("PATCH", "", {"cycle_view": False, "module_view": False})
    status, _, body = await p("POST", "cycles/", {"name": "S3", "project_id": p.row.id})
    assert (status, body) == (400, {"error": "Cycles are not enabled for this project"})
    status, _, _ = await p("POST", "modules/", {"name": "M9"})
    assert status == 400


async def test_cycle_issues_move_and_transfer(p: Project) -> None:
    first, second = list(p.api.server.store.cycles.values())[:2]
    second.end_date = None
    second.start_date = None
    item = p.row.by_sequence[7].id
    status, rows = (await p("POST", f"cycles/{first.id}/cycle-issues/", {"issues": [item]}))[::2]
    assert status == 200 and rows[0]["cycle"] == first.id
    await p("POST", f"cycles/{second.id}/cycle-issues/", {"issues": [item]})
    assert item in second.issue_ids and item not in first.issue_ids
    first.issue_ids[item] = second.issue_ids.pop(item)
    status, _, body = await p(
        "POST", f"cycles/{first.id}/transfer-issues/", {"new_cycle_id": second.id}
    )
    assert (status, body) == (200, {"message": "Success"})
    state = p.api.server.store.states[p.row.by_sequence[7].state or ""]
    assert (item in second.issue_ids) == (state.group not in ("completed", "cancelled"))
    status, _, body = await p("POST", f"cycles/{first.id}/cycle-issues/", {"issues": []})
    assert body == {"error": "Work items are required", "code": "MISSING_WORK_ITEMS"}


async def test_comments_links_members_and_intake(p: Project) -> None:
    item = p.row.by_sequence[1].id
    status, _, comment = await p(
        "POST", f"work-items/{item}/comments/", {"comment_html": "<p>hi</p>"}
    )
    assert status == 201
    _, _, page = await p("GET", f"work-items/{item}/comments/")
    assert page["results"][0]["is_member"] is True and page["results"][0]["id"] == comment["id"]
    status, _, _ = await p("POST", f"work-items/{item}/links/", {"url": "ftp://x"})
    assert status == 400
    status, _, members = await p("GET", "members/")
    assert status == 200 and isinstance(members, list) and "role" not in members[0]
    _, _, ws_members = await p.api.call("GET", "/api/v1/workspaces/acme/members/")
    assert {m["role"] for m in ws_members} == {20, 15}
    status, _, _body = await p("POST", "intake-issues/", {"issue": {"name": "From email"}})
    assert status == 400
    await p("PATCH", "", {"intake_view": True})
    status, _, intake = await p("POST", "intake-issues/", {"issue": {"name": "From email"}})
    assert status == 201 and intake["issue_detail"]["name"] == "From email"
    _, _, listed = await p("GET", "work-items/", per_page=1)
    assert listed["total_results"] == 250  # triage items stay out of the list
    await p("PATCH", f"intake-issues/{intake['issue']}/", {"status": 1})
    _, _, listed = await p("GET", "work-items/", per_page=1)
    assert listed["total_results"] == 251


async def test_projects_create_archive_and_delete(p: Project) -> None:
    api = p.api
    base = "/api/v1/workspaces/acme/projects/"
    status, _, project = await api.call("POST", base, body={"name": "Ops", "identifier": "ops"})
    assert status == 201 and project["identifier"] == "OPS" and not project["cycle_view"]
    _, _, states = await api.call("GET", f"{base}{project['id']}/states/")
    assert next(s["name"] for s in states["results"]) == "Backlog" and states["count"] == 5
    status, _, body = await api.call("POST", base, body={"name": "Ops", "identifier": "OPZ"})
    assert (status, body) == (409, {"name": "The project name is already taken"})
    assert (await api.call("POST", f"{base}{project['id']}/archive/"))[0] == 204
    status, _, body = await api.call("PATCH", f"{base}{project['id']}/", body={"name": "x"})
    assert (status, body) == (400, {"error": "Archived project cannot be updated"})
    assert (await api.call("DELETE", f"{base}{project['id']}/archive/"))[0] == 204
    assert (await api.call("DELETE", f"{base}{project['id']}/"))[0] == 204
    assert (await api.call("GET", f"{base}{project['id']}/"))[0] == 404


async def test_search(p: Project) -> None:
    _, _, body = await p.api.call(
        "GET",
        "/api/v1/workspaces/acme/work-items/search/",
        query={"search": "issue #12", "limit": 3},
    )
    assert len(body["issues"]) == 3 and body["issues"][0]["project__identifier"] == "WEB"
    _, _, empty = await p.api.call("GET", "/api/v1/workspaces/acme/work-items/search/")
    assert empty == {"issues": []}


async def test_missing_slash_redirects_with_the_query_kept(p: Project) -> None:
    status, headers, _ = await p.api.call("GET", p.path + "work-items", query={"per_page": 2})
    assert status == 301 and headers["Location"] == p.path + "work-items/?per_page=2"


async def test_legacy_server_knows_only_issues_paths() -> None:
    async with FakePlane(legacy_paths=True) as server, aiohttp.ClientSession() as session:
        api = Api(server, session)
        project = next(iter(server.store.projects))
        base = f"/api/v1/workspaces/acme/projects/{project}/"
        status, _, body = await api.call("GET", base + "work-items/")
        assert (status, body) == (404, {"error": "Page not found."})
        status, _, body = await api.call("GET", base + "issues/", query={"per_page": 1})
        assert status == 200 and body["count"] == 1
        status, _, _ = await api.call("GET", "/api/v1/workspaces/acme/issues/WEB-1/")
        assert status == 200


async def test_same_seed_gives_the_same_data_and_timezone_offsets_render() -> None:
    a = FakePlane(seed=Seed(random_seed=4))
    b = FakePlane(seed=Seed(random_seed=4), timezone="Asia/Kolkata")
    assert list(a.store.issues) == list(b.store.issues)
    assert [i.priority for i in a.store.issues.values()] == [
        i.priority for i in b.store.issues.values()
    ]
    issue = next(iter(b.store.issues.values()))
    assert b.renderer.issue(issue)["created_at"].endswith("+05:30")
    assert a.renderer.issue(issue)["created_at"].endswith("Z")
    assert list(FakePlane(seed=Seed(random_seed=5)).store.issues) != list(a.store.issues)


def test_big_seeds_are_compact() -> None:
    server = FakePlane(seed=Seed(projects=3, issues_per_project=5000, modules=4, cycles=3))
    assert len(server.store.issues) == 15000
    assert {p.identifier for p in server.store.projects.values()} == {"WEB", "MOB", "API"}
    assert any(m.issue_ids for m in server.store.modules.values())


def test_extras_still_reads_and_writes_the_store_and_the_storage_with_a_warning() -> None:
    server = FakePlane(seed=Seed(projects=0))
    with pytest.warns(DeprecationWarning, match=r"server\.store\.<table>.*server\.storage"):
        extras = server.extras
    assert extras.files is server.store.files
    assert extras.invitations is server.store.invitations
    assert extras.storage_requests is server.storage.requests
    extras.file_size_limit = 10
    extras.storage_faults.append(503)
    assert server.storage.file_size_limit == 10 and server.storage.faults == [503]
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        extras.nothing  # noqa: B018
