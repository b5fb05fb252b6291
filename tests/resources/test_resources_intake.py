"""plane.intake: the triage queue, keyed by the work item id; nested issue bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane
from plane_async._errors import BadRequestError, NotFoundError, PlaneValueError
from plane_async._models import (
    IntakeIssue,
    IntakeIssueDetail,
    IntakeStatus,
    Issue,
    Priority,
    StateLite,
)
from plane_async._models.converter import strict_converter
from tests.support.resource_helpers import (
    PID,
    PROJECT,
    collect,
    fixture_body,
    run,
    sent,
    url,
)

IID = "6f1d3f2a-3c1b-4f3e-9a51-0f0a1c2b3d4e"  # the work item
DUP = "0b6e4a8e-2f44-4f8f-8d54-1f1f6d9e7a11"
INTAKE = PROJECT + "intake-issues/"
STATE_ID = "f456f2e9-ad8c-473f-90d4-55e27f760a40"
#: the work item an intake row nests as ``issue_detail`` (plane-api.md section 7): the full
#: work item with ``state`` as a StateLite and ``description`` (the editor's JSON document)
DETAIL = fixture_body("work-item-detail.json") | {
    "id": IID,
    "state": {"id": STATE_ID, "name": "Triage", "color": "#4E5355", "group": "triage"},
    "description": {
        "type": "doc",
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "500"}]}],
    },
}
#: an IntakeIssue as plane-api.md section 7 describes it (no recorded response exists)
ROW = {
    "id": "2d7b9c1e-5a4f-4b6e-8c3d-9e0f1a2b3c4d",
    "issue": IID,
    "intake": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
    "inbox": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
    "status": -2,
    "snoozed_till": None,
    "duplicate_to": None,
    "source": "IN_APP",
    "source_email": None,
    "extra": {},
    "issue_detail": DETAIL,
    "external_source": None,
    "external_id": None,
    "created_at": "2026-11-29T08:49:00.480288Z",
    "updated_at": "2026-11-29T08:49:00.480296Z",
    "deleted_at": None,
    "created_by": "88443cc8-51b0-4591-9593-79be51aa5ba6",
    "updated_by": None,
    "project": PID,
    "workspace": "bfdc73c8-a240-4d10-ac0b-8dfa1fd0b127",
}


def test_list_and_pages(mocked: aioresponses) -> None:
    envelope = fixture_body("states-list.json") | {"results": [ROW], "count": 1}
    mocked.get(url(INTAKE), payload=envelope, repeat=True)
    items = run(
        lambda p: collect(p.intake.list(PID, per_page=20, fields=["id", "issue", "status"]))
    )
    (page,) = run(lambda p: collect(p.intake.pages(PID)))
    method, path, query, _ = sent(mocked)[0]
    assert (method, path) == ("GET", INTAKE)
    assert (query["per_page"], query["fields"]) == ("20", "id,issue,status")
    assert items[0].issue == uuid.UUID(IID) and items[0].status is IntakeStatus.PENDING
    assert page.results[0].id == items[0].id


def test_row_structures_strictly_with_the_work_item_inside() -> None:
    row = strict_converter().structure(ROW, IntakeIssue)
    assert isinstance(row.issue_detail, Issue)
    assert row.issue_detail.id == uuid.UUID(IID)


def test_issue_detail_keeps_the_description_and_the_state_lite_strictly() -> None:
    row = strict_converter().structure(ROW, IntakeIssue)
    detail = row.issue_detail
    assert isinstance(detail, IntakeIssueDetail)
    assert detail.description == DETAIL["description"]
    assert isinstance(detail.state, StateLite) and detail.state.id == uuid.UUID(STATE_ID)
    assert detail.assignees == (uuid.UUID(DETAIL["assignees"][0]),)
    empty = strict_converter().structure(ROW | {"issue_detail": DETAIL | {"description": None}},
                                         IntakeIssue)  # fmt: skip
    assert empty.issue_detail is not None and empty.issue_detail.description is None


def test_create_sends_the_work_item_nested_under_issue(mocked: aioresponses) -> None:
    mocked.post(url(INTAKE), status=201, payload=ROW)
    row = run(
        lambda p: p.intake.create(
            PID, name="Login broken", description_html="<p>500</p>", priority=Priority.HIGH
        )
    )
    assert sent(mocked) == [
        (
            "POST",
            INTAKE,
            {},
            {
                "issue": {
                    "name": "Login broken",
                    "description_html": "<p>500</p>",
                    "priority": "high",
                }
            },
        )
    ]
    assert row.issue == uuid.UUID(IID)


def test_create_refuses_bad_input_before_sending(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="name"):
        run(lambda p: p.intake.create(PID, name=" "))
    with pytest.raises(PlaneValueError, match="priority"):
        run(lambda p: p.intake.create(PID, name="x", priority="critical"))
    with pytest.raises(PlaneValueError, match="no writable field 'state'"):
        run(lambda p: p.intake.create(PID, name="x", state=DUP))  # type: ignore[call-arg]
    assert sent(mocked) == []


def test_create_on_a_project_without_intake_says_how_to_enable_it(mocked: aioresponses) -> None:
    body = {"error": "Intake is not enabled for this project enable it through the project's api"}
    mocked.post(url(INTAKE), status=400, payload=body)
    with pytest.raises(BadRequestError, match=r"intake_view=True") as info:
        run(lambda p: p.intake.create(PID, name="x"))
    assert info.value.status == 400 and info.value.body == body
    assert isinstance(info.value.__cause__, BadRequestError)


def test_other_400s_are_not_rewritten(mocked: aioresponses) -> None:
    mocked.post(url(INTAKE), status=400, payload={"error": "html content is not valid"})
    with pytest.raises(BadRequestError) as info:
        run(lambda p: p.intake.create(PID, name="x"))
    assert "intake_view" not in str(info.value)


def test_update_splits_triage_fields_from_work_item_fields(mocked: aioresponses) -> None:
    mocked.patch(url(f"{INTAKE}{IID}/"), payload={**ROW, "status": 2})
    until = dt.datetime(2027, 1, 2, 9, 30, tzinfo=dt.UTC)
    row = run(
        lambda p: p.intake.update(
            PID,
            IID,
            status=IntakeStatus.DUPLICATE,
            duplicate_to=uuid.UUID(DUP),
            snoozed_till=until,
            source="EMAIL",
            name="Login broken (dup)",
            priority="low",
        )
    )
    ((method, path, _, body),) = sent(mocked)
    assert (method, path) == ("PATCH", f"{INTAKE}{IID}/")
    assert body == {
        "status": 2,
        "duplicate_to": DUP,
        "snoozed_till": until.isoformat(),
        "source": "EMAIL",
        "issue": {"name": "Login broken (dup)", "priority": "low"},
    }
    assert row.status is IntakeStatus.DUPLICATE


def test_update_with_only_triage_fields_sends_no_issue(mocked: aioresponses) -> None:
    mocked.patch(url(f"{INTAKE}{IID}/"), payload=ROW)
    run(lambda p: p.intake.update(PID, IID, status=1, snoozed_till=None))
    assert sent(mocked)[0][3] == {"status": 1, "snoozed_till": None}


@pytest.mark.parametrize("fields", [{}, {"status": 3}, {"status": True}, {"statuss": 1}])
def test_update_refuses_bad_input(mocked: aioresponses, fields: dict[str, Any]) -> None:
    with pytest.raises(PlaneValueError):
        run(lambda p: p.intake.update(PID, IID, **fields))
    assert sent(mocked) == []


def test_get_and_delete_use_the_work_item_id(mocked: aioresponses) -> None:
    mocked.get(url(f"{INTAKE}{IID}/"), payload=ROW)
    mocked.delete(url(f"{INTAKE}{IID}/"), status=204)

    async def calls(p: AsyncPlane) -> IntakeIssue:
        row = await p.intake.get(PID, IID)
        await p.intake.delete(PID, IID)
        return row

    assert run(calls).issue == uuid.UUID(IID)
    assert [(m, path) for m, path, _, _ in sent(mocked)] == [
        ("GET", f"{INTAKE}{IID}/"),
        ("DELETE", f"{INTAKE}{IID}/"),
    ]
    with pytest.raises(PlaneValueError, match="issue_id"):
        run(lambda p: p.intake.get(PID, "WEB-1"))


async def test_intake_flow_against_the_fake_server(plane: AsyncPlane) -> None:
    (project,) = [p async for p in plane.projects.list()]
    with pytest.raises(BadRequestError, match="intake_view=True"):
        await plane.intake.create(project.id, name="Crash on start")
    await plane.projects.update(project.id, intake_view=True)

    row = await plane.intake.create(project.id, name="Crash on start", priority="urgent")
    assert row.status is IntakeStatus.PENDING
    strict = strict_converter().structure(row.raw, IntakeIssue)  # the server's whole row
    assert strict.issue_detail is not None and strict.issue_detail.description == {}
    assert isinstance(row.issue, uuid.UUID)
    assert [r.issue async for r in plane.intake.list(project.id)] == [row.issue]
    with pytest.raises(NotFoundError):  # still in triage: not a project work item yet
        await plane.issues.get(project.id, row.issue)

    accepted = await plane.intake.update(
        project.id, row.issue, status=IntakeStatus.ACCEPTED, name="Crash on start (iOS)"
    )
    assert accepted.status is IntakeStatus.ACCEPTED
    assert (await plane.intake.get(project.id, row.issue)).status is IntakeStatus.ACCEPTED
    issue = await plane.issues.get(project.id, row.issue)
    assert issue.name == "Crash on start (iOS)"

    await plane.intake.delete(project.id, row.issue)
    assert [r async for r in plane.intake.list(project.id)] == []
