"""plane.states: requests sent, client-side checks, recorded responses, a whole flow."""

from __future__ import annotations

import uuid

import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane
from plane_async._errors import BadRequestError, ConflictError, PlaneValueError
from plane_async._models import State, StateGroup
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

SID = "1422e297-7409-47dc-88dc-0af10c8d6a5e"
STATES = PROJECT + "states/"
STATE = fixture_body("states-list.json")["results"][0]


def test_list_and_pages_structure_the_recorded_envelope(mocked: aioresponses) -> None:
    envelope = fixture_body("states-list.json")
    mocked.get(url(STATES), payload=envelope, repeat=True)
    states = run(lambda p: collect(p.states.list(PID, fields="id,name,group")))
    pages = run(lambda p: collect(p.states.pages(PID)))
    calls = sent(mocked)
    assert calls[0][:2] == ("GET", STATES)
    assert calls[0][2]["fields"] == "id,name,group"
    assert [s.group for s in states][:2] == [StateGroup.BACKLOG, StateGroup.UNSTARTED]
    assert len(pages) == 1 and pages[0].results[0].id == uuid.UUID(SID)


def test_recorded_states_structure_strictly() -> None:
    for item in fixture_body("states-list.json")["results"]:
        assert isinstance(strict_converter().structure(item, State), State)


def test_get_path_ends_with_slash(mocked: aioresponses) -> None:
    mocked.get(url(f"{STATES}{SID}/"), payload=STATE)
    state = run(lambda p: p.states.get(PID, SID))
    assert sent(mocked)[0][:2] == ("GET", f"{STATES}{SID}/")
    assert state.default is True


def test_create_accepts_the_servers_200_and_sends_typed_fields(mocked: aioresponses) -> None:
    mocked.post(url(STATES), status=200, payload=STATE)  # Plane answers a state create with 200
    state = run(
        lambda p: p.states.create(
            PID, name="Review", color="#F59E0B", group=StateGroup.STARTED, sequence=35000.0
        )
    )
    ((method, path, _, body),) = sent(mocked)
    assert (method, path) == ("POST", STATES)
    assert body == {"name": "Review", "color": "#F59E0B", "group": "started", "sequence": 35000.0}
    assert isinstance(state, State)


def test_create_refuses_triage_unknown_names_and_empty_name(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="triage"):
        run(lambda p: p.states.create(PID, name="T", color="#000", group="triage"))
    with pytest.raises(PlaneValueError, match="did you mean 'group'"):
        run(lambda p: p.states.create(PID, name="T", color="#000", groups="started"))  # type: ignore[call-arg]
    with pytest.raises(PlaneValueError, match="name"):
        run(lambda p: p.states.create(PID, name=" ", color="#000"))
    assert sent(mocked) == []


def test_update_delete(mocked: aioresponses) -> None:
    mocked.patch(url(f"{STATES}{SID}/"), payload=STATE)
    mocked.delete(url(f"{STATES}{SID}/"), status=204)

    async def calls(p: AsyncPlane) -> None:
        await p.states.update(PID, SID, name="Icebox", description="later")
        await p.states.delete(PID, SID)

    run(calls)
    assert sent(mocked) == [
        ("PATCH", f"{STATES}{SID}/", {}, {"name": "Icebox", "description": "later"}),
        ("DELETE", f"{STATES}{SID}/", {}, None),
    ]
    with pytest.raises(PlaneValueError, match="at least one field"):
        run(lambda p: p.states.update(PID, SID))
    with pytest.raises(PlaneValueError, match="state_id"):
        run(lambda p: p.states.delete(PID, "backlog"))


def test_upsert_patches_the_existing_state_named_in_the_409(mocked: aioresponses) -> None:
    conflict = {
        "error": "State with the same external id and external source already exists",
        "id": SID,
    }
    mocked.post(url(STATES), status=409, payload=conflict)
    mocked.patch(url(f"{STATES}{SID}/"), payload=STATE)
    state = run(
        lambda p: p.states.upsert(
            PID, external_source="jira", external_id="10", name="Backlog", color="#60646C"
        )
    )
    post, patch = sent(mocked)
    assert post[:2] == ("POST", STATES)
    assert post[3] == {
        "name": "Backlog",
        "color": "#60646C",
        "external_source": "jira",
        "external_id": "10",
    }
    assert patch == ("PATCH", f"{STATES}{SID}/", {}, {"name": "Backlog", "color": "#60646C"})
    assert state.id == uuid.UUID(SID)


def test_upsert_without_an_id_in_the_409_raises(mocked: aioresponses) -> None:
    mocked.post(url(STATES), status=409, payload={"error": "conflict"})
    with pytest.raises(ConflictError):
        run(
            lambda p: p.states.upsert(PID, external_source="j", external_id="1", name="A", color="")
        )
    with pytest.raises(PlaneValueError, match="external_id"):
        run(lambda p: p.states.upsert(PID, external_source="j", external_id="", name="A", color=""))


async def test_states_flow_against_the_fake_server(plane: AsyncPlane) -> None:
    (project,) = [p async for p in plane.projects.list()]
    before = [s async for s in plane.states.list(project.id)]
    assert before[0].default is True

    review = await plane.states.create(project.id, name="Review", color="#0090ff", group="started")
    assert review.group is StateGroup.STARTED
    again = await plane.states.upsert(
        project.id, external_source="jira", external_id="s-1", name="QA", color="#fff"
    )
    same = await plane.states.upsert(
        project.id, external_source="jira", external_id="s-1", name="QA", color="#000"
    )
    assert same.id == again.id and same.color == "#000"
    with pytest.raises(ConflictError) as info:
        await plane.states.create(project.id, name="Review", color="#000")
    assert info.value.existing_id == review.id

    renamed = await plane.states.update(project.id, review.id, name="In review")
    assert (await plane.states.get(project.id, review.id)).name == renamed.name == "In review"
    await plane.states.delete(project.id, review.id)
    assert review.id not in {s.id async for s in plane.states.list(project.id)}
    with pytest.raises(BadRequestError):
        await plane.states.delete(project.id, before[0].id)  # the default state
