"""plane.activities: requests sent, recorded responses, whole flows (read-only)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane
from plane_async._errors import NotFoundError, PlaneValueError
from plane_async._models import Activity
from plane_async._models.converter import strict_converter
from plane_async.testing import FakePlane
from tests.support.resource_helpers import (
    BASE,
    IID,
    PID,
    PROJECT,
    collect,
    first_project,
    fixture_body,
    run,
    sent,
)

ACTIVITY_ID = "31a827ba-d395-411e-aa56-04671d8959c2"
ACTIVITIES = PROJECT + f"work-items/{IID}/activities/"


def test_list_pages_and_get_use_the_work_item_path(mocked: aioresponses) -> None:
    listing = fixture_body("activities-list.json")
    mocked.get(re.compile(re.escape(BASE) + r".*/activities/\?.*"), payload=listing, repeat=True)
    mocked.get(
        re.compile(re.escape(BASE) + r".*/activities/[0-9a-f-]+/.*"),
        payload=listing["results"][0],
    )

    async def calls(plane: AsyncPlane) -> Any:
        items = await collect(plane.activities.list(PID, IID))
        pages = await collect(plane.activities.pages(PID, IID, per_page=3, fields="id,verb"))
        one = await plane.activities.get(PID, IID, ACTIVITY_ID, expand=["actor"])
        return items, pages, one

    items, pages, one = run(calls)
    assert [(a.verb, a.field) for a in items] == [
        ("created", None),
        ("updated", "priority"),
        ("updated", "name"),
    ]
    assert pages[0].total_results == 4
    assert one.id == uuid.UUID(ACTIVITY_ID) and one.comment == "created the issue"
    assert [s[:3] for s in sent(mocked)] == [
        ("GET", ACTIVITIES, {"per_page": "100"}),
        ("GET", ACTIVITIES, {"per_page": "3", "fields": "id,verb"}),
        ("GET", ACTIVITIES + f"{ACTIVITY_ID}/", {"expand": "actor"}),
    ]


def test_recorded_activity_responses_structure_strictly() -> None:
    strict = strict_converter()
    for item in fixture_body("activities-list.json")["results"]:
        assert isinstance(strict.structure(item, Activity), Activity)


def test_a_missing_activity_is_not_found(mocked: aioresponses) -> None:
    body = {"message": "Activity not found.", "code": "NOT_FOUND"}
    mocked.get(re.compile(re.escape(BASE) + ".*"), status=404, payload=body)
    with pytest.raises(NotFoundError, match="Activity not found"):
        run(lambda plane: plane.activities.get(PID, IID, ACTIVITY_ID))
    assert len(sent(mocked)) == 1


def test_activities_are_read_only_and_ids_are_checked(mocked: aioresponses) -> None:
    for name in ("create", "update", "delete", "upsert"):
        assert not hasattr(AsyncPlane(api_key="k", workspace="w").activities, name)
    with pytest.raises(PlaneValueError, match="activity_id"):
        run(lambda plane: plane.activities.get(PID, IID, "latest"))
    assert sent(mocked) == []


# ---------------------------------------------------------------- against the fake server


async def test_activity_flow_against_the_fake_server(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    pid = first_project(plane_server)
    issue = await plane.issues.create(pid, name="Track me")
    await plane.issues.update(pid, issue.id, priority="high")
    entries = await collect(plane.activities.list(pid, issue.id))
    assert [(a.verb, a.field, a.new_value) for a in entries] == [
        ("created", None, None),
        ("updated", "priority", "high"),
    ]
    one = await plane.activities.get(pid, issue.id, entries[1].id)
    assert one.id == entries[1].id and one.issue == issue.id
    with pytest.raises(NotFoundError):
        await plane.activities.get(pid, issue.id, uuid.uuid4())
