"""plane.labels: requests sent, client-side checks, recorded responses, a whole flow."""

from __future__ import annotations

import uuid

import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane
from plane_async._errors import ConflictError, NotFoundError, PlaneValueError
from plane_async._models import Label
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

LID = "1e8279cc-56c6-4360-9e08-880a3e055633"
PARENT = "421079b9-63ec-434e-9af9-73d7bf581371"
LABELS = PROJECT + "labels/"
LABEL = fixture_body("labels-list.json")["results"][0]


def test_list_sends_query_and_structures_the_recorded_envelope(mocked: aioresponses) -> None:
    mocked.get(url(LABELS), payload=fixture_body("labels-list.json"))
    labels = run(lambda p: collect(p.labels.list(PID, per_page=50, max_items=2)))
    ((method, path, query, _),) = sent(mocked)
    assert (method, path, query["per_page"]) == ("GET", LABELS, "50")
    assert len(labels) == 2  # max_items stops early
    assert (labels[0].id, labels[0].name) == (uuid.UUID(LID), "chore")


def test_pages_gives_the_envelope(mocked: aioresponses) -> None:
    mocked.get(url(LABELS), payload=fixture_body("labels-list.json"))
    (page,) = run(lambda p: collect(p.labels.pages(PID)))
    assert page.total_results == 4 and page.next_page_results is False
    assert all(isinstance(label, Label) for label in page.results)


def test_recorded_labels_structure_strictly() -> None:
    for item in fixture_body("labels-list.json")["results"]:
        assert isinstance(strict_converter().structure(item, Label), Label)


def test_create_update_get_delete_requests(mocked: aioresponses) -> None:
    mocked.post(url(LABELS), status=201, payload=LABEL)
    mocked.get(url(f"{LABELS}{LID}/"), payload=LABEL)
    mocked.patch(url(f"{LABELS}{LID}/"), payload=LABEL)
    mocked.delete(url(f"{LABELS}{LID}/"), status=204)

    async def calls(p: AsyncPlane) -> Label:
        created = await p.labels.create(PID, name="chore", color="#ffb224", parent=PARENT)
        await p.labels.get(PID, created.id)
        await p.labels.update(PID, created.id, parent=None, sort_order=1.5)
        await p.labels.delete(PID, created.id)
        return created

    assert run(calls).name == "chore"
    assert sent(mocked) == [
        ("POST", LABELS, {}, {"name": "chore", "color": "#ffb224", "parent": PARENT}),
        ("GET", f"{LABELS}{LID}/", {}, None),
        ("PATCH", f"{LABELS}{LID}/", {}, {"parent": None, "sort_order": 1.5}),
        ("DELETE", f"{LABELS}{LID}/", {}, None),
    ]


def test_bad_input_is_refused_before_sending(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="parent"):
        run(lambda p: p.labels.create(PID, name="x", parent="bug"))
    with pytest.raises(PlaneValueError, match="did you mean 'color'"):
        run(lambda p: p.labels.create(PID, name="x", colour="#fff"))  # type: ignore[call-arg]
    with pytest.raises(PlaneValueError, match="name"):
        run(lambda p: p.labels.create(PID, name=""))
    with pytest.raises(PlaneValueError, match="at least one field"):
        run(lambda p: p.labels.update(PID, LID))
    with pytest.raises(PlaneValueError, match="label_id"):
        run(lambda p: p.labels.get(PID, "bug"))
    assert sent(mocked) == []


def test_upsert_patches_the_existing_label_named_in_the_409(mocked: aioresponses) -> None:
    conflict = {"error": "Label with the same name already exists in the project", "id": LID}
    mocked.post(url(LABELS), status=409, payload=conflict)
    mocked.patch(url(f"{LABELS}{LID}/"), payload=LABEL)
    label = run(
        lambda p: p.labels.upsert(
            PID, external_source="github", external_id="7", name="chore", color="#ffb224"
        )
    )
    post, patch = sent(mocked)
    assert post[3] == {
        "name": "chore",
        "color": "#ffb224",
        "external_source": "github",
        "external_id": "7",
    }
    assert patch == ("PATCH", f"{LABELS}{LID}/", {}, {"name": "chore", "color": "#ffb224"})
    assert label.id == uuid.UUID(LID)


def test_upsert_creates_when_there_is_no_conflict(mocked: aioresponses) -> None:
    mocked.post(url(LABELS), status=201, payload=LABEL)
    run(lambda p: p.labels.upsert(PID, external_source="github", external_id="7", name="chore"))
    assert [m for m, *_ in sent(mocked)] == ["POST"]


async def test_labels_flow_against_the_fake_server(plane: AsyncPlane) -> None:
    (project,) = [p async for p in plane.projects.list()]
    seeded = [label async for label in plane.labels.list(project.id)]
    bug = await plane.labels.create(project.id, name="regression", color="#e5484d")
    child = await plane.labels.create(project.id, name="ui-regression", parent=bug.id)
    assert child.parent == bug.id
    assert len([x async for x in plane.labels.list(project.id)]) == len(seeded) + 2

    first = await plane.labels.upsert(project.id, external_source="gh", external_id="1", name="p1")
    second = await plane.labels.upsert(
        project.id, external_source="gh", external_id="1", name="p1", color="#123456"
    )
    assert second.id == first.id and second.color == "#123456"
    with pytest.raises(ConflictError) as info:
        await plane.labels.create(project.id, name="regression")
    assert info.value.existing_id == bug.id

    await plane.labels.update(project.id, child.id, parent=None)
    assert (await plane.labels.get(project.id, child.id)).parent is None
    await plane.labels.delete(project.id, child.id)
    with pytest.raises(NotFoundError):
        await plane.labels.get(project.id, child.id)
