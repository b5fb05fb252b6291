"""plane.cycles: requests sent, recorded responses, Plane's quirks, and whole flows."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane
from plane_async._errors import BadRequestError, NotFoundError, PlaneValueError
from plane_async._models import Cycle, CycleIssue, Issue
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

CID = "941c205a-51e3-4b56-98d7-3fd95c21611d"
NEW = "5d7c1a9e-0b7b-4c55-9f0f-2a2a1d3b8c11"
CYCLE = PROJECT + f"cycles/{CID}/"


# ---------------------------------------------------------------- requests and responses


def test_list_pages_get_and_views(mocked: aioresponses) -> None:
    listing = fixture_body("cycles-list.json")
    mocked.get(re.compile(re.escape(BASE) + r".*/cycles/\?.*"), payload=listing, repeat=True)
    mocked.get(
        re.compile(re.escape(BASE) + r".*/cycles/[0-9a-f-]+/$"), payload=listing["results"][0]
    )

    async def calls(plane: AsyncPlane) -> Any:
        items = await collect(plane.cycles.list(PID))
        await collect(plane.cycles.list(PID, view="upcoming", per_page=10))
        pages = await collect(plane.cycles.pages(PID, view="draft", fields="id,name"))
        one = await plane.cycles.get(PID, CID)
        return items, pages, one

    items, pages, one = run(calls)
    assert [c.name for c in items] == [c["name"] for c in listing["results"]]
    assert pages[0].total_results == 2
    assert isinstance(one, Cycle) and isinstance(one.start_date, dt.datetime)
    assert one.start_date.tzinfo is not None
    assert [s[:3] for s in sent(mocked)] == [
        ("GET", PROJECT + "cycles/", {"per_page": "100"}),
        ("GET", PROJECT + "cycles/", {"per_page": "10", "cycle_view": "upcoming"}),
        (
            "GET",
            PROJECT + "cycles/",
            {"per_page": "100", "cycle_view": "draft", "fields": "id,name"},
        ),
        ("GET", CYCLE, {}),
    ]


def test_list_refuses_an_unknown_view_and_points_current_to_current(
    mocked: aioresponses,
) -> None:
    with pytest.raises(PlaneValueError, match=r"cycles\.current\(\)"):
        run(lambda plane: collect(plane.cycles.list(PID, view="current")))  # type: ignore[arg-type]
    with pytest.raises(PlaneValueError, match="view must be one of"):
        run(lambda plane: collect(plane.cycles.pages(PID, view="past")))  # type: ignore[arg-type]
    assert sent(mocked) == []


def test_current_reads_the_plain_array(mocked: aioresponses) -> None:
    cycle = fixture_body("cycle-detail.json")
    any_url(mocked, "GET", body=[cycle])
    out = run(lambda plane: plane.cycles.current(PID, fields=["id", "name"]))
    assert [c.id for c in out] == [uuid.UUID(CID)]
    assert sent(mocked) == [
        ("GET", PROJECT + "cycles/", {"cycle_view": "current", "fields": "id,name"}, None)
    ]


def test_recorded_cycle_responses_structure_strictly() -> None:
    strict = strict_converter()
    for item in fixture_body("cycles-list.json")["results"]:
        assert isinstance(strict.structure(item, Cycle), Cycle)
    assert strict.structure(fixture_body("cycle-detail.json"), Cycle).name == "Sprint 1"
    for item in fixture_body("cycle-issues-list-per_page-3.json")["results"]:
        assert isinstance(strict.structure(item, Issue), Issue)


def test_create_adds_project_id_to_the_body(mocked: aioresponses) -> None:
    any_url(mocked, "POST", 201, fixture_body("cycle-detail.json"))
    run(
        lambda plane: plane.cycles.create(
            uuid.UUID(PID),
            name="Sprint 3",
            start_date=dt.date(2026, 12, 7),
            end_date=dt.datetime(2026, 12, 21, tzinfo=dt.UTC),
            owned_by=USER,
            timezone="UTC",
        )
    )
    assert sent(mocked) == [
        (
            "POST",
            PROJECT + "cycles/",
            {},
            {
                "name": "Sprint 3",
                "start_date": "2026-12-07",
                "end_date": "2026-12-21T00:00:00+00:00",
                "owned_by": USER,
                "timezone": "UTC",
                "project_id": PID,
            },
        )
    ]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "x", "start_date": "2026-12-07"}, "start_date and end_date together"),
        ({"name": "x", "end_date": "2026-12-07", "start_date": None}, "together"),
        ({"name": " "}, "name must be a non-empty string"),
        ({"name": "x", "owned_by": "me"}, "owned_by"),
        ({"name": "x", "status": "done"}, "no writable field 'status'"),
    ],
)
def test_create_refuses_bad_input_before_sending(
    mocked: aioresponses, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(PlaneValueError, match=match):
        run(lambda plane: plane.cycles.create(PID, **kwargs))
    assert sent(mocked) == []


def test_a_draft_cycle_without_dates_is_allowed(mocked: aioresponses) -> None:
    any_url(mocked, "POST", 201, fixture_body("cycle-detail.json"))
    run(lambda plane: plane.cycles.create(PID, name="Later"))
    assert sent(mocked)[0][3] == {"name": "Later", "project_id": PID}


def test_cycle_view_disabled_gets_a_message_saying_how_to_enable_it(
    mocked: aioresponses,
) -> None:
    body = {"error": "Cycles are not enabled for this project"}
    any_url(mocked, "POST", 400, body)
    with pytest.raises(BadRequestError, match=r"cycle_view=True") as info:
        run(lambda plane: plane.cycles.create(PID, name="S"))
    assert info.value.body == body and info.value.status == 400
    assert isinstance(info.value.__cause__, BadRequestError)


def test_other_400s_are_passed_through(mocked: aioresponses) -> None:
    body = fixture_body("error-400-cycle-create-without-project_id.json")
    any_url(mocked, "POST", 400, body)
    with pytest.raises(BadRequestError) as info:
        run(lambda plane: plane.cycles.create(PID, name="S"))
    assert info.value.__cause__ is None and info.value.field_errors == {
        "non_field_errors": ["Project ID is required"]
    }


def test_update_and_delete(mocked: aioresponses) -> None:
    any_url(mocked, "PATCH", 200, fixture_body("cycle-detail.json"))
    any_url(mocked, "DELETE", 204)

    async def calls(plane: AsyncPlane) -> None:
        await plane.cycles.update(PID, CID, start_date=None, end_date=None, sort_order=5.0)
        await plane.cycles.delete(PID, CID)

    run(calls)
    assert sent(mocked) == [
        ("PATCH", CYCLE, {}, {"start_date": None, "end_date": None, "sort_order": 5.0}),
        ("DELETE", CYCLE, {}, None),
    ]
    with pytest.raises(PlaneValueError, match="at least one field"):
        run(lambda plane: plane.cycles.update(PID, CID))


def test_upsert_posts_with_project_id_then_patches_on_409(mocked: aioresponses) -> None:
    any_url(mocked, "POST", 409, {"error": "Cycle with the same external id", "id": CID})
    any_url(mocked, "PATCH", 200, fixture_body("cycle-detail.json"))
    cycle = run(
        lambda plane: plane.cycles.upsert(
            PID, external_source="jira", external_id="S-1", name="Sprint 1"
        )
    )
    assert cycle.id == uuid.UUID(CID)
    assert sent(mocked) == [
        (
            "POST",
            PROJECT + "cycles/",
            {},
            {
                "name": "Sprint 1",
                "external_source": "jira",
                "external_id": "S-1",
                "project_id": PID,
            },
        ),
        ("PATCH", CYCLE, {}, {"name": "Sprint 1"}),
    ]


def test_issues_and_issue_pages_read_cycle_issues(mocked: aioresponses) -> None:
    body = {**fixture_body("cycle-issues-list-per_page-3.json"), "next_page_results": False}
    any_url(mocked, "GET", body=body)

    async def calls(plane: AsyncPlane) -> Any:
        items = await collect(plane.cycles.issues(PID, CID, per_page=3))
        pages = await collect(plane.cycles.issue_pages(PID, CID, per_page=3, fields="id,name"))
        return items, pages

    items, pages = run(calls)
    assert len(items) == 3 and all(isinstance(i, Issue) for i in items)
    assert pages[0].total_results == 25
    assert [s[:3] for s in sent(mocked)] == [
        ("GET", CYCLE + "cycle-issues/", {"per_page": "3"}),
        ("GET", CYCLE + "cycle-issues/", {"per_page": "3", "fields": "id,name"}),
    ]


def test_add_issues_get_row_and_remove(mocked: aioresponses) -> None:
    row = {"id": str(uuid.uuid4()), "cycle": CID, "issue": IID, "project": PID}
    any_url(mocked, "POST", 200, [row])
    any_url(mocked, "DELETE", 204)
    any_url(mocked, "GET", body={**row, "sub_issues_count": 0})

    async def calls(plane: AsyncPlane) -> Any:
        added = await plane.cycles.add_issues(PID, CID, (IID,))
        got = await plane.cycles.get_issue_row(PID, CID, IID)
        await plane.cycles.remove_issue(PID, CID, IID)
        return added, got

    added, got = run(calls)
    assert isinstance(added[0], CycleIssue) and added[0].cycle == uuid.UUID(CID)
    assert got.issue == uuid.UUID(IID) and got.sub_issues_count == 0
    assert sent(mocked) == [
        ("POST", CYCLE + "cycle-issues/", {}, {"issues": [IID]}),
        ("GET", CYCLE + f"cycle-issues/{IID}/", {}, None),
        ("DELETE", CYCLE + f"cycle-issues/{IID}/", {}, None),
    ]
    with pytest.raises(PlaneValueError, match="at least one"):
        run(lambda plane: plane.cycles.add_issues(PID, CID, []))


def test_transfer_archive_unarchive_and_archived_lists(mocked: aioresponses) -> None:
    any_url(mocked, "POST", 200, {"message": "Success"})
    any_url(mocked, "DELETE", 204)
    any_url(mocked, "GET", body=fixture_body("cycles-list.json"))

    async def calls(plane: AsyncPlane) -> Any:
        await plane.cycles.transfer_issues(PID, CID, uuid.UUID(NEW))
        await plane.cycles.archive(PID, CID)
        await plane.cycles.unarchive(PID, CID)
        return (
            await collect(plane.cycles.list_archived(PID)),
            await collect(plane.cycles.archived_pages(PID, per_page=5)),
        )

    archived, pages = run(calls)
    assert len(archived) == 2 and pages[0].count == 2
    assert [s[:2] for s in sent(mocked)] == [
        ("POST", CYCLE + "transfer-issues/"),
        ("POST", CYCLE + "archive/"),
        ("DELETE", PROJECT + f"archived-cycles/{CID}/unarchive/"),
        ("GET", PROJECT + "archived-cycles/"),
        ("GET", PROJECT + "archived-cycles/"),
    ]
    assert sent(mocked)[0][3] == {"new_cycle_id": NEW}


def test_transfer_to_the_same_cycle_is_refused(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="another cycle"):
        run(lambda plane: plane.cycles.transfer_issues(PID, CID, CID.upper()))
    with pytest.raises(PlaneValueError, match="new_cycle_id"):
        run(lambda plane: plane.cycles.transfer_issues(PID, CID, "nope"))
    assert sent(mocked) == []


# ---------------------------------------------------------------- against the fake server


async def test_cycle_flow_against_the_fake_server(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    pid = first_project(plane_server)
    cycles = await collect(plane.cycles.list(pid))
    assert sorted(c.name for c in cycles) == ["Sprint 1", "Sprint 2"]
    (current,) = await plane.cycles.current(pid)
    assert current.name == "Sprint 1"
    assert [c.name async for c in plane.cycles.list(pid, view="upcoming")] == ["Sprint 2"]

    today = dt.datetime.now(dt.UTC)
    past = await plane.cycles.create(
        pid,
        name="Sprint 0",
        start_date=today - dt.timedelta(days=30),
        end_date=today - dt.timedelta(days=16),
    )
    draft = await plane.cycles.create(pid, name="Someday")
    assert draft.start_date is None
    assert [c.id async for c in plane.cycles.list(pid, view="draft")] == [draft.id]

    issues = await collect(plane.issues.list(pid, max_items=2))
    rows = await plane.cycles.add_issues(pid, draft.id, [i.id for i in issues])
    assert {r.issue for r in rows} == {i.id for i in issues}
    row = await plane.cycles.get_issue_row(pid, draft.id, issues[0].id)
    assert row.cycle == draft.id
    await plane.cycles.transfer_issues(pid, draft.id, current.id)
    in_current = {i.id async for i in plane.cycles.issues(pid, current.id)}
    moved = {i.id for i in issues if i.id in in_current}
    left = {i.id async for i in plane.cycles.issues(pid, draft.id)}
    assert moved | left == {i.id for i in issues} and not moved & left

    await plane.cycles.remove_issue(pid, current.id, next(iter(in_current)))

    with pytest.raises(BadRequestError, match="completed"):
        await plane.cycles.archive(pid, current.id)
    await plane.cycles.archive(pid, past.id)
    assert [c.id async for c in plane.cycles.list_archived(pid)] == [past.id]
    await plane.cycles.unarchive(pid, past.id)
    await plane.cycles.update(pid, draft.id, name="Someday maybe")
    await plane.cycles.delete(pid, draft.id)
    with pytest.raises(NotFoundError):
        await plane.cycles.get(pid, draft.id)


async def test_upsert_and_disabled_cycles_against_the_fake_server(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    pid = first_project(plane_server)
    first = await plane.cycles.upsert(pid, external_source="jira", external_id="S-9", name="A")
    again = await plane.cycles.upsert(
        pid, external_source="jira", external_id="S-9", name="A", description="more"
    )
    assert again.id == first.id and again.description == "more"

    plane_server.store.projects[pid].cycle_view = False
    with pytest.raises(BadRequestError, match=r"cycle_view=True"):
        await plane.cycles.create(pid, name="Off")
