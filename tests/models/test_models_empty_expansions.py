"""An expanded relation that is null: Plane sends ``{}`` (a placeholder point for
``estimate_point``), and the model reads it as no related object, for both companions."""

from __future__ import annotations

import re
import typing
import uuid
from typing import Any

import pytest
from aioresponses import aioresponses

import plane_async
from plane_async import AsyncPlane
from plane_async._models._base import PlaneModel, structure
from plane_async._models._hooks import is_model
from plane_async._models._relations import Expanded, RelatedId, _Companion
from plane_async.models import Issue, Project
from plane_async.testing import FakePlane
from tests.support.resource_helpers import PID, WS, fixture_body, run

#: what 1.3.1 sends for a null relation that was expanded (tests/fixtures/README.md)
EMPTY: dict[str, Any] = {"estimate_point": {"key": None, "value": ""}}
#: relations whose column is NOT NULL on the server: an empty expansion cannot happen
#: (a row always belongs to a project and a workspace)
NOT_NULL_ANYWHERE = {"project", "workspace"}
NOT_NULL = {
    ("Comment", "issue"),
    ("Cycle", "owned_by"),
    ("CycleIssue", "issue"),
    ("IntakeIssue", "issue"),
    ("Link", "issue"),
    ("ModuleIssue", "issue"),
}


def on(address: str) -> re.Pattern[str]:
    return re.compile(re.escape(address) + r"(\?.*)?$")


def models() -> list[type[PlaneModel]]:
    found = [getattr(plane_async, n) for n in plane_async.__all__]
    return [m for m in found if is_model(m)]


def companions(model: type) -> dict[str, _Companion[Any]]:
    out: dict[str, _Companion[Any]] = {}
    for klass in reversed(model.__mro__):
        out.update({k: v for k, v in vars(klass).items() if isinstance(v, _Companion)})
    return out


def relation_cases() -> list[Any]:
    cases = []
    for model in models():
        relations = {c.relation for c in companions(model).values()}
        for relation in sorted(relations):
            cases.append(pytest.param(model, relation, id=f"{model.__name__}.{relation}"))
    return cases


def nullable(model: type[PlaneModel], relation: str) -> bool:
    tp = model.__plane_fields__[relation].type
    return type(None) in typing.get_args(tp)


def is_list(model: type[PlaneModel], relation: str) -> bool:
    tp = model.__plane_fields__[relation].type
    return any(typing.get_origin(arm) is tuple for arm in typing.get_args(tp))


@pytest.mark.parametrize(("model", "relation"), relation_cases())
def test_every_companion_reads_an_empty_expansion_as_no_object(
    model: type[PlaneModel], relation: str
) -> None:
    pairs = {n: c for n, c in companions(model).items() if c.relation == relation}
    assert {type(c) for c in pairs.values()} <= {RelatedId, Expanded}
    if is_list(model, relation):
        item = structure(model, {"id": str(uuid.uuid4()), relation: []})
        assert all(getattr(item, name) == () for name in pairs)
        return
    never_null = relation in NOT_NULL_ANYWHERE or (model.__name__, relation) in NOT_NULL
    if not nullable(model, relation):
        assert never_null, "a relation Plane may leave null is typed as never null"
        return
    assert (model.__name__, relation) not in NOT_NULL
    raw = {"id": str(uuid.uuid4()), relation: EMPTY.get(relation, {})}
    item = structure(model, raw)
    assert getattr(item, relation) is None
    for name in pairs:
        assert getattr(item, name) is None, f"{model.__name__}.{name}"


def test_the_recorded_empty_expansions_of_a_work_item(mocked: aioresponses) -> None:
    body = fixture_body("work-item-detail-expand-empty-relations.json")
    mocked.get(on(f"{WS}projects/{PID}/work-items/{body['id']}/"), payload=body)

    async def go(plane: AsyncPlane) -> Issue:
        expand = ["parent", "updated_by", "created_by", "estimate_point", "state"]
        return await plane.issues.get(PID, body["id"], expand=expand)

    issue = run(go)
    assert issue.parent is None and issue.parent_id is None and issue.parent_detail is None
    assert issue.updated_by is None and issue.updated_by_detail is None
    assert issue.estimate_point_id is None and issue.estimate_point_detail is None
    # the relations that were set are still objects
    assert issue.created_by_detail is not None and issue.created_by_detail.display_name
    assert issue.state_detail is not None and issue.state_detail.name == "Cancelled"


def test_the_recorded_empty_expansions_of_a_project(mocked: aioresponses) -> None:
    body = fixture_body("project-detail-expand-empty-relations.json")
    mocked.get(on(f"{WS}projects/{PID}/"), payload=body)

    async def go(plane: AsyncPlane) -> Project:
        expand = ["project_lead", "default_assignee", "created_by", "updated_by"]
        return await plane.projects.get(PID, expand=expand)

    project = run(go)
    assert project.default_assignee_id is None and project.default_assignee_detail is None
    assert project.created_by_detail is None and project.updated_by_id is None
    assert project.project_lead_detail is not None


async def test_fake_plane_sends_the_empty_expansions_plane_sends() -> None:
    recorded = fixture_body("work-item-detail-expand-empty-relations.json")
    async with (
        FakePlane(listen=False) as server,
        server.client() as plane,
    ):
        project = await anext(plane.projects.list())
        issue = await anext(plane.issues.list(project.id))
        raw = await plane.request(
            "GET",
            f"workspaces/{server.workspace}/projects/{project.id}/work-items/{issue.id}/",
            params={"expand": "parent,updated_by,estimate_point"},
        )
        assert issue.parent_id is None and issue.estimate_point_id is None
        for name in ("parent", "updated_by", "estimate_point"):
            assert raw[name] == recorded[name]
        typed = await plane.issues.get(
            project.id, issue.id, expand=["parent", "updated_by", "estimate_point"]
        )
        assert typed.parent_detail is None and typed.estimate_point_detail is None
