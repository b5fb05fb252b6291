"""plane.projects: requests sent, client-side checks, recorded responses, a whole flow."""

from __future__ import annotations

import re
import uuid

import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane
from plane_async._errors import BadRequestError, NotFoundError, PlaneValueError
from plane_async._models import Network, Project, ProjectSummary
from plane_async._models.converter import strict_converter
from tests.support.resource_helpers import (
    PID,
    PROJECT,
    USER,
    collect,
    fixture_body,
    run,
    sent,
    url,
)

WS = "/api/v1/workspaces/acme/"


def test_list_sends_per_page_and_structures_the_recorded_envelope(
    mocked: aioresponses,
) -> None:
    envelope = fixture_body("projects-list-per_page-2.json")
    envelope["next_page_results"] = False  # the recording was trimmed to one page
    mocked.get(url(WS + "projects/"), payload=envelope)
    projects = run(lambda p: collect(p.projects.list(per_page=2)))
    ((method, path, query, _),) = sent(mocked)
    assert (method, path) == ("GET", WS + "projects/")
    assert query["per_page"] == "2"
    assert [p.id for p in projects] == [uuid.UUID(r["id"]) for r in envelope["results"]]


def test_get_sends_fields_and_structures_the_recorded_project(mocked: aioresponses) -> None:
    mocked.get(url(PROJECT), payload=fixture_body("project-detail.json"))
    project = run(lambda p: p.projects.get(PID, fields=["id", "name", "identifier"]))
    ((method, path, query, _),) = sent(mocked)
    assert (method, path) == ("GET", f"{WS}projects/{PID}/")
    assert query == {"fields": "id,name,identifier"}
    assert project.id == uuid.UUID(PID)
    assert project.network is Network.PUBLIC
    assert project.project_lead == uuid.UUID(USER)


def test_create_sends_uppercased_identifier_and_typed_fields(mocked: aioresponses) -> None:
    mocked.post(url(WS + "projects/"), status=201, payload=fixture_body("project-detail.json"))
    project = run(
        lambda p: p.projects.create(
            name="Website",
            identifier="web",
            network=Network.SECRET,
            project_lead=uuid.UUID(USER),
            module_view=True,
            default_assignee=None,
        )
    )
    ((method, path, _, body),) = sent(mocked)
    assert (method, path) == ("POST", WS + "projects/")
    assert body == {
        "name": "Website",
        "identifier": "WEB",
        "network": 0,
        "project_lead": USER,
        "module_view": True,
        "default_assignee": None,
    }
    assert project.name == "Website"


@pytest.mark.parametrize(
    ("name", "identifier", "message"),
    [
        ("Web-site", "WEB", "'-'"),
        ("Website", "WE.B", "'.'"),
        ("Q&A (beta)", "QA", "&"),
        ("Website", "ABCDEFGHIJKLM", "at most 12"),
        ("Website", "", "non-empty"),
        ("  ", "WEB", "non-empty"),
    ],
)
def test_create_refuses_what_the_server_rejects_before_sending(
    mocked: aioresponses, name: str, identifier: str, message: str
) -> None:
    with pytest.raises(PlaneValueError, match=re.escape(message)):
        run(lambda p: p.projects.create(name=name, identifier=identifier))
    assert sent(mocked) == []


def test_create_refuses_unknown_fields_and_bad_values(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="did you mean 'module_view'"):
        run(lambda p: p.projects.create(name="A", identifier="A", modules_view=True))  # type: ignore[call-arg]
    with pytest.raises(PlaneValueError, match="network"):
        run(lambda p: p.projects.create(name="A", identifier="A", network=1))
    with pytest.raises(PlaneValueError, match="archive_in"):
        run(lambda p: p.projects.create(name="A", identifier="A", archive_in=13))
    with pytest.raises(PlaneValueError, match="project_lead"):
        run(lambda p: p.projects.create(name="A", identifier="A", project_lead="me"))
    assert sent(mocked) == []


def test_update_patches_only_given_fields_and_none_clears(mocked: aioresponses) -> None:
    mocked.patch(url(PROJECT), payload=fixture_body("project-detail.json"))
    run(lambda p: p.projects.update(PID, cycle_view=True, default_state=None, identifier="web2"))
    ((method, path, _, body),) = sent(mocked)
    assert (method, path) == ("PATCH", f"{WS}projects/{PID}/")
    assert body == {"cycle_view": True, "default_state": None, "identifier": "WEB2"}


def test_update_with_nothing_is_refused(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="at least one field"):
        run(lambda p: p.projects.update(PID))
    assert sent(mocked) == []


def test_delete_archive_unarchive(mocked: aioresponses) -> None:
    mocked.delete(url(PROJECT), status=204)
    mocked.post(url(PROJECT + "archive/"), status=204)
    mocked.delete(url(PROJECT + "archive/"), status=204)

    async def calls(p: AsyncPlane) -> None:
        await p.projects.archive(PID)
        await p.projects.unarchive(PID)
        await p.projects.delete(PID)

    run(calls)
    assert [(m, path) for m, path, _, _ in sent(mocked)] == [
        ("POST", f"{WS}projects/{PID}/archive/"),
        ("DELETE", f"{WS}projects/{PID}/archive/"),
        ("DELETE", f"{WS}projects/{PID}/"),
    ]


def test_bad_project_id_is_refused_before_sending(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="project_id"):
        run(lambda p: p.projects.get("WEB"))
    assert sent(mocked) == []


def test_summary_sends_fields_and_structures(mocked: aioresponses) -> None:
    body = {
        "id": PID,
        "name": "Website",
        "identifier": "WEB",
        "counts": {"members": 2, "states": 5},
    }
    mocked.get(url(PROJECT + "summary/"), payload=body)
    summary = run(lambda p: p.projects.summary(PID, fields=["members", "states"]))
    ((method, path, query, _),) = sent(mocked)
    assert (method, path, query) == (
        "GET",
        f"{WS}projects/{PID}/summary/",
        {"fields": "members,states"},
    )
    assert isinstance(summary, ProjectSummary)
    assert summary.id == uuid.UUID(PID)
    assert summary.counts == {"members": 2, "states": 5}
    assert strict_converter().structure(body, ProjectSummary).identifier == "WEB"


def test_summary_refuses_unknown_counts(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="members, states"):
        run(lambda p: p.projects.summary(PID, fields=["work_items"]))
    assert sent(mocked) == []


@pytest.mark.parametrize("name", ["project-detail.json", "projects-list-per_page-2.json"])
def test_recorded_projects_structure_strictly(name: str) -> None:
    body = fixture_body(name)
    items = body.get("results", [body])
    for item in items:
        assert isinstance(strict_converter().structure(item, Project), Project)


async def test_project_lifecycle_against_the_fake_server(plane: AsyncPlane) -> None:
    project = await plane.projects.create(name="Mobile app", identifier="mob", cycle_view=True)
    assert project.identifier == "MOB"
    assert project.cycle_view is True
    assert (await plane.projects.get(project.id, fields=["id", "name"])).name == "Mobile app"
    states = [s async for s in plane.states.list(project.id)]
    assert len(states) == 5  # Plane's default states come with a new project

    await plane.projects.archive(project.id)
    assert project.id not in {p.id async for p in plane.projects.list()}
    with pytest.raises(BadRequestError, match="Archived project"):
        await plane.projects.update(project.id, name="Mobile")
    await plane.projects.unarchive(project.id)
    updated = await plane.projects.update(project.id, name="Mobile", description="iOS")
    assert (updated.name, updated.description) == ("Mobile", "iOS")
    assert project.id in {p.id async for p in plane.projects.list()}

    await plane.projects.delete(project.id)
    with pytest.raises(NotFoundError):
        await plane.projects.get(project.id)
