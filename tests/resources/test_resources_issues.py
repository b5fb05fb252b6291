"""plane.issues: each method sends the right request and structures the real response."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane, NotFoundError, PlaneValueError, ResponseDecodeError
from plane_async._models import Issue, SearchResult, StateLite
from tests.support.resource_helpers import (
    ISSUE_ID,
    PID,
    WS,
    calls,
    fixture_body,
    run,
    sent_json,
)

ITEMS = f"{WS}projects/{PID}/work-items/"
LEGACY = f"{WS}projects/{PID}/issues/"


def test_list_sends_per_page_with_every_cursor_and_stops_on_last_page(
    mocked: aioresponses,
) -> None:
    page1 = fixture_body("work-items-list-per_page-3.json")
    page2 = dict(
        fixture_body("work-items-list-per_page-3-cursor-page2.json"), next_page_results=False
    )
    mocked.get(f"{ITEMS}?per_page=3", payload=page1)
    mocked.get(f"{ITEMS}?per_page=3&cursor=3:1:0", payload=page2)

    async def go(plane: AsyncPlane) -> list[Issue]:
        return [i async for i in plane.issues.list(PID, per_page=3)]

    # max_per_page=3 leaves no room to overlap: the recorded pages are asked for as recorded
    items = run(go, max_per_page=3)
    assert len(items) == 6
    assert all(isinstance(i.id, uuid.UUID) for i in items)
    assert [dict(u.query) for _, u, _ in calls(mocked)] == [
        {"per_page": "3"},
        {"per_page": "3", "cursor": "3:1:0"},
    ]


def test_pages_keep_the_envelope(mocked: aioresponses) -> None:
    mocked.get(f"{ITEMS}?per_page=3", payload=dict(fixture_body("work-items-list-per_page-3.json"),
                                                   next_page_results=False))  # fmt: skip

    async def go(plane: AsyncPlane) -> Any:
        return [p async for p in plane.issues.pages(PID, per_page=3)]

    (page,) = run(go)
    assert page.total_results == 250 and page.total_pages == 84 and page.count == 3
    assert str(page.next_cursor) == "3:1:0" and page.prev_cursor is None


def test_expand_state_gives_a_state_and_fields_are_checked(mocked: aioresponses) -> None:
    recorded = fixture_body(
        "work-items-list-fields-id_name_state_assignees_labels-expand-state_assignees_labels.json"
    )
    mocked.get(re.compile(re.escape(ITEMS) + r"\?.*"), payload=dict(recorded,
               next_page_results=False))  # fmt: skip

    async def go(plane: AsyncPlane) -> list[Issue]:
        return [
            i
            async for i in plane.issues.list(
                PID, per_page=3, fields=["name"], expand=["state", "assignees", "labels"]
            )
        ]

    items = run(go)
    assert isinstance(items[0].state, StateLite)
    ((_, url, _),) = calls(mocked)
    assert set(url.query["fields"].split(",")) == {
        "id",
        "name",
        "state",
        "assignees",
        "labels",
        "created_at",  # the order field kept
    }
    assert url.query["expand"] == "state,assignees,labels"


def test_a_field_typo_is_refused_before_any_request(mocked: aioresponses) -> None:
    async def go(plane: AsyncPlane) -> None:
        async for _ in plane.issues.list(PID, fields=["nmae"]):
            pass

    with pytest.raises(PlaneValueError, match="name"):
        run(go)
    assert calls(mocked) == []


@pytest.mark.parametrize("bad", ["not-a-uuid", "../../users/me", ""])
def test_bad_ids_are_refused_before_any_request(mocked: aioresponses, bad: str) -> None:
    with pytest.raises(PlaneValueError, match="UUID"):
        run(lambda plane: plane.issues.get(bad, ISSUE_ID))
    with pytest.raises(PlaneValueError, match="UUID"):
        run(lambda plane: plane.issues.get(PID, bad))
    assert calls(mocked) == []


def test_get_structures_the_recorded_detail(mocked: aioresponses) -> None:
    mocked.get(f"{ITEMS}{ISSUE_ID}/?expand=state,project",
               payload=fixture_body("work-item-detail-expand-state_project.json"))  # fmt: skip
    issue = run(lambda plane: plane.issues.get(PID, ISSUE_ID, expand="state,project"))
    assert isinstance(issue, Issue) and isinstance(issue.state, StateLite)


def test_get_by_identifier_normalises_case(mocked: aioresponses) -> None:
    mocked.get(f"{WS}work-items/WEB-1/", payload=fixture_body("work-item-by-identifier-WEB-1.json"))
    issue = run(lambda plane: plane.issues.get_by_identifier("web-1"))
    assert issue.sequence_id == 1


@pytest.mark.parametrize("bad", ["WEB", "WEB-", "-1", "WEB-1-2", "../x-1", "WEB-abc"])
def test_get_by_identifier_refuses_malformed(mocked: aioresponses, bad: str) -> None:
    with pytest.raises(PlaneValueError, match="WEB-12"):
        run(lambda plane: plane.issues.get_by_identifier(bad))


def test_get_by_external_id_returns_the_object_or_none(mocked: aioresponses) -> None:
    found = fixture_body("work-items-lookup-external.json")
    source, ext = found["external_source"], found["external_id"]
    mocked.get(f"{ITEMS}?external_id={ext}&external_source={source}", payload=found)
    mocked.get(f"{ITEMS}?external_id=A-2&external_source={source}", status=404,
               payload={"error": "The requested resource does not exist."})  # fmt: skip

    async def go(plane: AsyncPlane) -> tuple[Issue | None, Issue | None]:
        a = await plane.issues.get_by_external_id(PID, source, ext)
        b = await plane.issues.get_by_external_id(PID, source, "A-2")
        return a, b

    a, b = run(go)
    assert a is not None and a.external_id == found["external_id"]
    assert b is None


def test_create_sends_typed_fields_and_is_not_retried(mocked: aioresponses) -> None:
    mocked.post(ITEMS, status=201, payload=fixture_body("work-item-create-external.json"))
    state = uuid.uuid4()

    async def go(plane: AsyncPlane) -> Issue:
        return await plane.issues.create(
            PID, name="Fix login", priority="high", state=state, assignees=[str(state)]
        )

    issue = run(go)
    assert issue.priority == "high"
    ((method, _, kwargs),) = calls(mocked)
    assert method == "POST"
    assert sent_json(kwargs) == {
        "name": "Fix login",
        "priority": "high",
        "state": str(state),
        "assignees": [str(state)],
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"priority": "critical"}, "priority must be one of"),
        ({"state": "nope"}, "state must be a UUID"),
        ({"assignees": "abc"}, "list of ids"),
        ({"nmae": "x"}, "did you mean 'name'"),
    ],
)
def test_bad_write_fields_are_refused(
    mocked: aioresponses, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(PlaneValueError, match=message):
        run(lambda plane: plane.issues.update(PID, ISSUE_ID, **kwargs))
    assert calls(mocked) == []


def test_update_none_clears_and_omitted_fields_are_not_sent(mocked: aioresponses) -> None:
    mocked.patch(f"{ITEMS}{ISSUE_ID}/", payload=fixture_body("work-item-update.json"))
    run(lambda plane: plane.issues.update(PID, ISSUE_ID, state=None, priority="low"))
    ((method, _, kwargs),) = calls(mocked)
    assert method == "PATCH" and sent_json(kwargs) == {"state": None, "priority": "low"}


def test_delete_sends_delete(mocked: aioresponses) -> None:
    mocked.delete(f"{ITEMS}{ISSUE_ID}/", status=204, body="")
    assert run(lambda plane: plane.issues.delete(PID, ISSUE_ID)) is None


def test_upsert_updates_the_existing_object_named_by_the_409(mocked: aioresponses) -> None:
    existing = fixture_body("error-409-work-item-duplicate-external-id.json")["id"]
    mocked.post(
        ITEMS, status=409, payload=fixture_body("error-409-work-item-duplicate-external-id.json")
    )
    mocked.patch(f"{ITEMS}{existing}/", payload=fixture_body("work-item-update.json"))

    async def go(plane: AsyncPlane) -> Issue:
        return await plane.issues.upsert(
            PID, external_source="fixtures", external_id="FIXTURE-1", name="Renamed"
        )

    run(go)
    (post, patch) = calls(mocked)
    assert sent_json(post[2])["external_id"] == "FIXTURE-1"
    assert patch[0] == "PATCH" and sent_json(patch[2]) == {"name": "Renamed"}


def test_older_servers_get_the_issues_path_and_it_is_remembered(mocked: aioresponses) -> None:
    mocked.get(f"{ITEMS}{ISSUE_ID}/", status=404, payload={"error": "Page not found."})
    mocked.get(f"{LEGACY}{ISSUE_ID}/", payload=fixture_body("work-item-detail.json"), repeat=True)

    async def go(plane: AsyncPlane) -> None:
        await plane.issues.get(PID, ISSUE_ID)
        await plane.issues.get(PID, ISSUE_ID)

    run(go)
    assert [str(u) for _, u, _ in calls(mocked)].count(f"{ITEMS}{ISSUE_ID}/") == 1


def test_a_view_and_its_client_share_the_path_they_found(mocked: aioresponses) -> None:
    # with_options() views are made per call in a service; each one must not probe again
    mocked.get(f"{ITEMS}{ISSUE_ID}/", status=404, payload={"error": "Page not found."})
    mocked.get(f"{LEGACY}{ISSUE_ID}/", payload=fixture_body("work-item-detail.json"), repeat=True)

    async def go(plane: AsyncPlane) -> None:
        await plane.with_options(wait_budget=5).issues.get(PID, ISSUE_ID)
        await plane.issues.get(PID, ISSUE_ID)
        await plane.with_options(wait_budget=5).issues.get(PID, ISSUE_ID)

    run(go)
    assert [str(u) for _, u, _ in calls(mocked)].count(f"{ITEMS}{ISSUE_ID}/") == 1


def test_an_unknown_object_is_not_mistaken_for_an_old_server(mocked: aioresponses) -> None:
    mocked.get(f"{ITEMS}{ISSUE_ID}/", status=404,
               payload={"error": "The requested resource does not exist."})  # fmt: skip
    with pytest.raises(NotFoundError):
        run(lambda plane: plane.issues.get(PID, ISSUE_ID))
    assert len(calls(mocked)) == 1


def test_explicit_issues_path_setting(mocked: aioresponses) -> None:
    mocked.get(f"{LEGACY}{ISSUE_ID}/", payload=fixture_body("work-item-detail.json"))
    run(lambda plane: plane.issues.get(PID, ISSUE_ID), work_items_path="issues")


def test_search(mocked: aioresponses) -> None:
    mocked.get(
        re.compile(re.escape(f"{WS}work-items/search/") + r"\?.*"),
        payload={"issues": [{"name": "Fix", "id": ISSUE_ID, "sequence_id": 3,
                             "project__identifier": "WEB", "project_id": PID,
                             "workspace__slug": "acme"}]},
    )  # fmt: skip
    results = run(lambda plane: plane.issues.search("Fix", project_id=PID))
    assert isinstance(results[0], SearchResult) and results[0].sequence_id == 3
    ((_, url, _),) = calls(mocked)
    assert url.query["project_id"] == PID and url.query["workspace_search"] == "false"


@pytest.mark.parametrize("payload", [[], {"results": []}, {"issues": "x"}])
def test_search_with_an_unexpected_body_is_an_error_not_an_empty_result(
    mocked: aioresponses, payload: Any
) -> None:
    mocked.get(re.compile(re.escape(f"{WS}work-items/search/") + r"\?.*"), payload=payload)
    with pytest.raises(ResponseDecodeError, match="search"):
        run(lambda plane: plane.issues.search("Fix"))


async def test_whole_flow_against_the_fake_server(plane: AsyncPlane) -> None:
    body = await plane.request("GET", f"workspaces/{plane.workspace}/projects/")
    pid = body["results"][0]["id"]
    created = await plane.issues.create(pid, name="From the test", priority="urgent")
    again = await plane.issues.get(pid, created.id, fields=["name", "priority"])
    assert again.name == "From the test" and again.priority == "urgent"
    names = [i.name async for i in plane.issues.list(pid, per_page=10)]
    assert names[0] == "From the test" and len(names) == 26
    await plane.issues.delete(pid, created.id)
    with pytest.raises(NotFoundError):
        await plane.issues.get(pid, created.id)


async def test_a_backdated_create_returns_the_created_at_that_was_stored() -> None:
    # Plane answers a backdated create with its own clock (the 201 is built before the
    # sent created_at is saved); the returned work item and comment carry the stored one.
    import datetime as dt

    from plane_async.testing import FakePlane, Seed

    when = dt.datetime(2019, 3, 4, 5, 6, 7, 890000, tzinfo=dt.UTC)
    async with (
        FakePlane(seed=Seed(issues_per_project=3), listen=False) as server,
        server.client() as plane,
    ):
        project = await anext(plane.projects.list())
        path = f"workspaces/{server.workspace}/projects/{project.id}/work-items/"
        raw = await plane.request(
            "POST", path, json={"name": "raw", "created_at": when.isoformat()}
        )
        assert raw["created_at"] != when.isoformat().replace("+00:00", "Z")  # the clock
        issue = await plane.issues.create(project.id, name="Imported", created_at=when)
        assert issue.created_at == when
        assert (await plane.issues.get(project.id, issue.id)).created_at == when
        day = await plane.issues.create(project.id, name="By day", created_at="2018-01-02")
        assert day.created_at == dt.datetime(2018, 1, 2, tzinfo=dt.UTC)
        note = await plane.comments.create(
            project.id, issue.id, comment_html="<p>old</p>", created_at=when
        )
        assert note.created_at == when
        assert (await plane.comments.get(project.id, issue.id, note.id)).created_at == when
        upserted = await plane.issues.upsert(
            project.id, external_source="jira", external_id="J-1", name="J", created_at=when
        )
        assert upserted.created_at == when
