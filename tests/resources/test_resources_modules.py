"""plane.modules: requests sent, recorded responses, Plane's quirks, and whole flows."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane
from plane_async._errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    PlaneValueError,
    ResponseDecodeError,
)
from plane_async._models import Issue, Module, ModuleIssue, ModuleStatus
from plane_async._models.converter import strict_converter
from plane_async.testing import FakePlane
from tests.support.resource_helpers import (
    BASE,
    IID,
    PID,
    PROJECT,
    USER,
    any_url,
    collect,
    first_project,
    fixture_body,
    run,
    sent,
)

MID = "09a4c77f-33be-4c86-838d-78174ef145af"


# ---------------------------------------------------------------- requests and responses


def test_list_pages_and_get_send_the_module_paths(mocked: aioresponses) -> None:
    listing = fixture_body("modules-list.json")
    mocked.get(re.compile(re.escape(BASE) + r".*/modules/\?.*"), payload=listing, repeat=True)
    mocked.get(re.compile(re.escape(BASE) + r".*/modules/[0-9a-f-]+/\?.*"), payload={})
    mocked.get(
        re.compile(re.escape(BASE) + r".*/modules/[0-9a-f-]+/$"),
        payload=fixture_body("module-detail.json"),
    )

    async def calls(plane: AsyncPlane) -> Any:
        items = await collect(plane.modules.list(PID, per_page=50))
        pages = await collect(plane.modules.pages(uuid.UUID(PID), per_page=50))
        one = await plane.modules.get(PID, MID)
        await plane.modules.get(PID, MID, fields=["id", "name"])
        return items, pages, one

    items, pages, one = run(calls)
    assert [m.name for m in items] == [m["name"] for m in listing["results"]]
    assert all(isinstance(m, Module) for m in items)
    assert pages[0].total_results == 3 and len(pages[0].results) == 3
    assert one.id == uuid.UUID(MID) and one.status is ModuleStatus.PLANNED
    assert one.lead == uuid.UUID(USER) and one.members == ()
    assert sent(mocked) == [
        ("GET", PROJECT + "modules/", {"per_page": "50"}, None),
        ("GET", PROJECT + "modules/", {"per_page": "50"}, None),
        ("GET", PROJECT + f"modules/{MID}/", {}, None),
        ("GET", PROJECT + f"modules/{MID}/", {"fields": "id,name"}, None),
    ]


def test_recorded_module_responses_structure_strictly() -> None:
    strict = strict_converter()
    for item in fixture_body("modules-list.json")["results"]:
        assert isinstance(strict.structure(item, Module), Module)
    assert strict.structure(fixture_body("module-detail.json"), Module).total_issues == 40
    for item in fixture_body("module-issues-list-per_page-3.json")["results"]:
        assert isinstance(strict.structure(item, Issue), Issue)


def test_create_sends_name_and_typed_fields(mocked: aioresponses) -> None:
    any_url(mocked, "POST", 201, fixture_body("module-detail.json"))
    module = run(
        lambda plane: plane.modules.create(
            PID,
            name="Auth revamp",
            status=ModuleStatus.PLANNED,
            start_date=dt.date(2026, 11, 29),
            target_date="2026-12-29",
            lead=uuid.UUID(USER),
            members=[USER],
            external_source="jira",
            external_id="M-1",
        )
    )
    assert module.name == "Auth revamp"
    assert sent(mocked) == [
        (
            "POST",
            PROJECT + "modules/",
            {},
            {
                "name": "Auth revamp",
                "status": "planned",
                "start_date": "2026-11-29",
                "target_date": "2026-12-29",
                "lead": USER,
                "members": [USER],
                "external_source": "jira",
                "external_id": "M-1",
            },
        )
    ]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": ""}, "name must be a non-empty string"),
        ({"name": "x", "status": "done"}, "status must be one of"),
        ({"name": "x", "lead": "nope"}, "lead"),
        ({"name": "x", "members": USER}, "members must be a list"),
        ({"name": "x", "colour": "red"}, "no writable field 'colour'"),
    ],
)
def test_create_refuses_bad_input_before_sending(
    mocked: aioresponses, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(PlaneValueError, match=match):
        run(lambda plane: plane.modules.create(PID, **kwargs))
    assert sent(mocked) == []


def test_update_patches_only_given_fields_and_none_clears(mocked: aioresponses) -> None:
    any_url(mocked, "PATCH", 200, fixture_body("module-detail.json"))
    run(lambda plane: plane.modules.update(PID, MID, lead=None, status="completed"))
    assert sent(mocked) == [
        ("PATCH", PROJECT + f"modules/{MID}/", {}, {"lead": None, "status": "completed"})
    ]
    with pytest.raises(PlaneValueError, match="at least one field"):
        run(lambda plane: plane.modules.update(PID, MID))


def test_delete_sends_delete(mocked: aioresponses) -> None:
    any_url(mocked, "DELETE", 204)
    assert run(lambda plane: plane.modules.delete(PID, MID)) is None
    assert sent(mocked) == [("DELETE", PROJECT + f"modules/{MID}/", {}, None)]


def test_module_view_disabled_gets_a_message_saying_how_to_enable_it(
    mocked: aioresponses,
) -> None:
    body = {"error": "Modules are not enabled for this project"}
    any_url(mocked, "POST", 400, body)
    with pytest.raises(BadRequestError) as info:
        run(lambda plane: plane.modules.create(PID, name="Auth"))
    err = info.value
    assert "module_view=True" in str(err) and "plane.projects.update" in str(err)
    assert err.status == 400 and err.body == body and err.method == "POST"
    assert isinstance(err.__cause__, BadRequestError)


def test_duplicate_name_400_is_passed_through(mocked: aioresponses) -> None:
    body = fixture_body("error-400-module-duplicate-name.json")
    any_url(mocked, "POST", 400, body)
    with pytest.raises(BadRequestError, match="Module with this name already exists") as info:
        run(lambda plane: plane.modules.create(PID, name="Auth revamp"))
    assert info.value.__cause__ is None


def test_upsert_creates_with_external_ids(mocked: aioresponses) -> None:
    any_url(mocked, "POST", 201, fixture_body("module-detail.json"))
    run(
        lambda plane: plane.modules.upsert(
            PID, external_source="jira", external_id="M-1", name="Auth revamp"
        )
    )
    assert sent(mocked) == [
        (
            "POST",
            PROJECT + "modules/",
            {},
            {"name": "Auth revamp", "external_source": "jira", "external_id": "M-1"},
        )
    ]


def test_upsert_patches_the_existing_module_on_409(mocked: aioresponses) -> None:
    conflict = {"error": "Module with the same external id and external source already exists"}
    any_url(mocked, "POST", 409, {**conflict, "id": MID})
    any_url(mocked, "PATCH", 200, fixture_body("module-detail.json"))
    module = run(
        lambda plane: plane.modules.upsert(
            PID, external_source="jira", external_id="M-1", description="new"
        )
    )
    assert module.id == uuid.UUID(MID)
    assert sent(mocked)[-1] == ("PATCH", PROJECT + f"modules/{MID}/", {}, {"description": "new"})


def test_upsert_without_fields_reads_the_existing_module(
    mocked: aioresponses,
) -> None:
    any_url(mocked, "POST", 409, {"error": "duplicate", "id": MID})
    mocked.get(re.compile(re.escape(BASE) + ".*"), payload=fixture_body("module-detail.json"))
    module = run(lambda plane: plane.modules.upsert(PID, external_source="s", external_id="1"))
    assert module.id == uuid.UUID(MID)
    assert sent(mocked)[-1][:2] == ("GET", PROJECT + f"modules/{MID}/")


def test_upsert_409_without_an_id_is_raised(mocked: aioresponses) -> None:
    any_url(mocked, "POST", 409, {"error": "duplicate"})
    with pytest.raises(ConflictError):
        run(lambda plane: plane.modules.upsert(PID, external_source="s", external_id="1"))


def test_upsert_refuses_empty_external_ids(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="external_id"):
        run(lambda plane: plane.modules.upsert(PID, external_source="s", external_id=""))


def test_issues_and_issue_pages_read_module_issues(mocked: aioresponses) -> None:
    body = fixture_body("module-issues-list-per_page-3.json")
    body = {**body, "next_page_results": False}
    mocked.get(re.compile(re.escape(BASE) + ".*"), payload=body, repeat=True)

    async def calls(plane: AsyncPlane) -> Any:
        items = await collect(plane.modules.issues(PID, MID, per_page=3))
        pages = await collect(plane.modules.issue_pages(PID, MID, per_page=3, expand="state"))
        return items, pages

    items, pages = run(calls)
    assert len(items) == 3 and all(isinstance(i, Issue) for i in items)
    assert items[0].name == body["results"][0]["name"]
    assert pages[0].total_results == 40
    path = PROJECT + f"modules/{MID}/module-issues/"
    assert [s[:3] for s in sent(mocked)] == [
        ("GET", path, {"per_page": "3"}),
        ("GET", path, {"per_page": "3", "expand": "state"}),
    ]


def test_add_issues_posts_the_ids_and_structures_the_plain_array(mocked: aioresponses) -> None:
    rows = [
        {
            "id": str(uuid.uuid4()),
            "module": MID,
            "issue": IID,
            "project": PID,
            "workspace": str(uuid.uuid4()),
            "sub_issues_count": 0,
        }
    ]
    any_url(mocked, "POST", 200, rows)
    out = run(lambda plane: plane.modules.add_issues(PID, MID, [uuid.UUID(IID)]))
    assert len(out) == 1 and isinstance(out[0], ModuleIssue)
    assert out[0].issue == uuid.UUID(IID) and out[0].module == uuid.UUID(MID)
    assert sent(mocked) == [
        ("POST", PROJECT + f"modules/{MID}/module-issues/", {}, {"issues": [IID]})
    ]


def test_add_issues_with_an_unexpected_body_is_an_error_not_an_empty_result(
    mocked: aioresponses,
) -> None:
    any_url(mocked, "POST", 200, {"message": "ok"})
    with pytest.raises(ResponseDecodeError, match="membership rows"):
        run(lambda plane: plane.modules.add_issues(PID, MID, [IID]))


@pytest.mark.parametrize(
    ("issue_ids", "match"),
    [([], "at least one"), (IID, "list of work-item ids"), (["x"], "issue_ids")],
)
def test_add_issues_refuses_bad_lists_before_sending(
    mocked: aioresponses, issue_ids: Any, match: str
) -> None:
    with pytest.raises(PlaneValueError, match=match):
        run(lambda plane: plane.modules.add_issues(PID, MID, issue_ids))
    assert sent(mocked) == []


def test_remove_issue_archive_unarchive_and_archived_lists(mocked: aioresponses) -> None:
    any_url(mocked, "DELETE", 204)
    any_url(mocked, "POST", 204)
    mocked.get(
        re.compile(re.escape(BASE) + ".*"),
        payload=fixture_body("modules-list.json"),
        repeat=True,
    )

    async def calls(plane: AsyncPlane) -> Any:
        await plane.modules.remove_issue(PID, MID, IID)
        await plane.modules.archive(PID, MID)
        await plane.modules.unarchive(PID, MID)
        archived = await collect(plane.modules.list_archived(PID))
        pages = await collect(plane.modules.archived_pages(PID))
        return archived, pages

    archived, pages = run(calls)
    assert len(archived) == 3 and len(pages) == 1
    assert [s[:2] for s in sent(mocked)] == [
        ("DELETE", PROJECT + f"modules/{MID}/module-issues/{IID}/"),
        ("POST", PROJECT + f"modules/{MID}/archive/"),
        ("DELETE", PROJECT + f"archived-modules/{MID}/unarchive/"),
        ("GET", PROJECT + "archived-modules/"),
        ("GET", PROJECT + "archived-modules/"),
    ]


def test_bad_ids_are_refused_before_sending(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="module_id"):
        run(lambda plane: plane.modules.get(PID, "../x"))
    with pytest.raises(PlaneValueError, match="issue_id"):
        run(lambda plane: plane.modules.remove_issue(PID, MID, "nope"))
    with pytest.raises(PlaneValueError, match="project_id"):
        run(lambda plane: collect(plane.modules.list("nope")))
    assert sent(mocked) == []


# ---------------------------------------------------------------- against the fake server


async def test_module_flow_against_the_fake_server(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    pid = first_project(plane_server)
    modules = await collect(plane.modules.list(pid))
    assert len(modules) == 3
    module = await plane.modules.create(pid, name="Payments", status="in-progress")
    assert module.status is ModuleStatus.IN_PROGRESS

    issues = await collect(plane.issues.list(pid, max_items=3))
    rows = await plane.modules.add_issues(pid, module.id, [i.id for i in issues])
    assert {r.issue for r in rows} == {i.id for i in issues}
    inside = await collect(plane.modules.issues(pid, module.id, per_page=2))
    assert {i.id for i in inside} == {i.id for i in issues}

    await plane.modules.remove_issue(pid, module.id, issues[0].id)
    inside = await collect(plane.modules.issues(pid, module.id))
    assert issues[0].id not in {i.id for i in inside}

    with pytest.raises(BadRequestError, match="completed or cancelled"):
        await plane.modules.archive(pid, module.id)
    await plane.modules.update(pid, module.id, status=ModuleStatus.COMPLETED)
    await plane.modules.archive(pid, module.id)
    assert module.id not in {m.id async for m in plane.modules.list(pid)}
    assert [m.id async for m in plane.modules.list_archived(pid)] == [module.id]
    await plane.modules.unarchive(pid, module.id)
    assert (await plane.modules.get(pid, module.id)).archived_at is None

    await plane.modules.delete(pid, module.id)
    with pytest.raises(NotFoundError):
        await plane.modules.get(pid, module.id)


async def test_upsert_and_disabled_modules_against_the_fake_server(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    pid = first_project(plane_server)
    first = await plane.modules.upsert(pid, external_source="jira", external_id="E-1", name="A")
    # the same name again: the external-id 409 comes first, so the re-run updates
    again = await plane.modules.upsert(
        pid, external_source="jira", external_id="E-1", name="A", description="more"
    )
    assert again.id == first.id and (again.name, again.description) == ("A", "more")
    with pytest.raises(BadRequestError, match="name already exists"):  # other ids: 400
        await plane.modules.upsert(pid, external_source="jira", external_id="E-2", name="A")

    plane_server.store.projects[pid].module_view = False
    with pytest.raises(BadRequestError, match=r"module_view=True"):
        await plane.modules.create(pid, name="Off")
