"""Typed relation companions: ``issue.state_id`` and ``issue.state_detail``."""

from __future__ import annotations

import inspect
import json
import pickle
import uuid
from pathlib import Path
from typing import Any

import pytest

import plane_async
from plane_async import AsyncPlane, FieldError, FieldNotExpandedError, FieldNotRequestedError, Query
from plane_async._models import structure
from plane_async._models._relations import Expanded, RelatedId
from plane_async.models import Issue, IssueLite, Label, PlaneModel, StateLite, User, to_dict
from plane_async.testing import FakePlane

FIXTURES = Path(__file__).parents[1] / "fixtures"


def body(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())["body"]


def test_an_expanded_relation_reads_as_its_object_and_its_id() -> None:
    raw = body("work-items-list-expand-state_assignees_labels.json")["results"][0]
    issue = structure(Issue, raw)
    state = issue.state_detail
    assert isinstance(state, StateLite) and state.name == raw["state"]["name"]
    assert issue.state_id == uuid.UUID(raw["state"]["id"])
    assert [u.display_name for u in issue.assignee_details] == [
        a["display_name"] for a in raw["assignees"]
    ]
    assert all(isinstance(u, User) for u in issue.assignee_details)
    assert issue.assignee_ids == tuple(uuid.UUID(a["id"]) for a in raw["assignees"])
    assert issue.label_details == () and issue.label_ids == ()  # none on this item


def test_a_relation_sent_as_an_id_has_its_id_and_no_detail() -> None:
    raw = body("work-item-detail.json")
    issue = structure(Issue, raw)
    assert issue.state_id == uuid.UUID(raw["state"])
    assert issue.project_id == uuid.UUID(raw["project"])
    with pytest.raises(FieldNotExpandedError) as info:
        issue.state_detail  # noqa: B018
    message = str(info.value)
    assert "expand=['state']" in message and "Query().expand('state')" in message
    assert "Issue.state_id" in message and raw["id"] in message
    assert info.value.field == "state_detail" and info.value.item_id == raw["id"]
    # like a field that was not requested: an AttributeError, so hasattr is False
    assert isinstance(info.value, FieldError) and isinstance(info.value, AttributeError)
    assert not hasattr(issue, "state_detail")
    assert getattr(issue, "project_detail", None) is None


def test_list_relations_sent_as_ids_name_the_plural_companion() -> None:
    issue = structure(Issue, {"id": str(uuid.uuid4()), "assignees": [str(uuid.uuid4())]})
    with pytest.raises(FieldNotExpandedError, match=r"expand=\['assignees'\].*assignee_ids"):
        issue.assignee_details  # noqa: B018
    assert len(issue.assignee_ids) == 1


def test_null_and_empty_relations_read_the_same_expanded_or_not() -> None:
    issue = structure(Issue, {"id": str(uuid.uuid4()), "state": None, "labels": []})
    assert issue.state_id is None and issue.state_detail is None
    assert issue.label_ids == () and issue.label_details == ()


def test_a_relation_left_out_of_fields_says_so() -> None:
    issue = structure(Issue, {"id": str(uuid.uuid4()), "name": "x"})
    with pytest.raises(FieldNotRequestedError, match=r"Issue\.state"):
        issue.state_detail  # noqa: B018
    with pytest.raises(FieldNotRequestedError):
        issue.state_id  # noqa: B018


def test_an_odd_relation_value_fails_only_that_read() -> None:
    issue = structure(Issue, {"id": str(uuid.uuid4()), "state": 42, "name": "ok"})
    with pytest.raises(plane_async.FieldValueError, match=r"Issue\.state"):
        issue.state_detail  # noqa: B018
    assert issue.name == "ok"


def test_built_models_have_companions_too() -> None:
    state = StateLite(id=uuid.uuid4(), name="Todo")
    parent = IssueLite(id=uuid.uuid4(), sequence_id=3)
    label = Label(id=uuid.uuid4(), name="bug")
    issue = Issue(name="x", state=state, parent=parent.id, labels=(label,))
    assert issue.state_detail is state and issue.state_id == state.id
    assert issue.parent_id == parent.id
    assert issue.label_details == (label,) and issue.label_ids == (label.id,)
    with pytest.raises(FieldNotExpandedError):
        issue.parent_detail  # noqa: B018


def test_a_model_with_read_companions_still_compares_pickles_and_dumps_the_same() -> None:
    raw = body("work-items-list-expand-state_assignees_labels.json")["results"][0]
    issue, twin = structure(Issue, raw), structure(Issue, dict(raw))
    assert issue.state_detail is not None and issue.assignee_ids  # cached on issue only
    assert issue == twin and hash(issue) == hash(twin)
    assert to_dict(issue) == raw
    again = pickle.loads(pickle.dumps(issue))
    assert again == issue and again.state_id == issue.state_id


def _models() -> list[type[PlaneModel]]:
    import plane_async.models as models
    import plane_async.webhooks as webhooks

    return [
        obj
        for module in (models, webhooks)
        for name in module.__all__
        if inspect.isclass(obj := getattr(module, name))
        and issubclass(obj, PlaneModel)
        and obj is not PlaneModel
    ]


def _companion_names(name: str) -> tuple[str, str]:
    """(id companion, detail companion) for a relation field: Plane's own naming."""
    if name in ("assignees", "labels"):
        return name[:-1] + "_ids", name[:-1] + "_details"
    return name + "_id", name + "_detail"


def test_every_relation_of_every_model_has_typed_companions() -> None:
    checked = 0
    for model in _models():
        for info in model.__plane_fields__.values():
            if not info.expandable or "UUID" not in repr(info.type):
                continue  # a nested object that is never an id (issue_detail): no union
            id_name, detail_name = _companion_names(info.name)
            related_id = inspect.getattr_static(model, id_name, None)
            assert isinstance(related_id, RelatedId), f"{model.__name__}.{id_name}"
            assert related_id.relation == info.name
            detail = inspect.getattr_static(model, detail_name, None)
            if detail_name in model.__plane_fields__:
                continue  # the server's own field of that name (IntakeIssue.issue_detail)
            assert isinstance(detail, Expanded), f"{model.__name__}.{detail_name}"
            assert detail.relation == info.name
            checked += 1
    assert checked >= 30


def test_a_companion_of_no_relation_is_refused_when_the_model_is_defined() -> None:
    from plane_async._models._base import UNSET, model

    with pytest.raises(TypeError, match="not a relation field"):

        @model
        class Broken(PlaneModel):
            name: str = UNSET
            name_detail = Expanded[str]("name")


@pytest.mark.plane_server(rate_limit=None)
async def test_reading_an_expanded_list_against_the_fake_server(plane: AsyncPlane) -> None:
    (project,) = [p async for p in plane.projects.list()]
    states = {s.id: s.name async for s in plane.states.list(project.id)}
    query = Query().fields("id", "name", "state", "assignees").expand("state", "assignees")
    count = 0
    async for issue in plane.issues.list(project.id, query=query, max_items=30):
        detail = issue.state_detail
        assert detail is not None and states[detail.id] == detail.name
        assert issue.state_id == detail.id
        assert issue.assignee_ids == tuple(u.id for u in issue.assignee_details)
        count += 1
    assert count == 25
    async for issue in plane.issues.list(project.id, fields=["id", "state"], max_items=1):
        assert issue.state_id in states
        assert not hasattr(issue, "state_detail")


def test_asking_for_a_companion_in_fields_names_the_relation() -> None:
    with pytest.raises(plane_async.UnknownFieldError) as info:
        Query().fields("name", "state_detail").to_params(Issue)
    assert "fields=['state']" in str(info.value) and "expand=['state']" in str(info.value)
    assert info.value.suggestions == ("state",)
    with pytest.raises(plane_async.UnknownFieldError, match=r"fields=\['assignees'\]"):
        Query().expand("assignee_details").to_params(Issue)


#: The relations Plane's serializers turn into objects on ``expand=``: the expansion map of
#: ``BaseSerializer.to_representation`` (Community Edition 1.3), plus the work-item
#: family's own ``assignees`` and ``labels``. Any other name is answered with the id.
PLANE_EXPANDS = frozenset(
    {
        "user",
        "workspace",
        "project",
        "default_assignee",
        "project_lead",
        "state",
        "created_by",
        "updated_by",
        "issue",
        "actor",
        "owned_by",
        "members",
        "parent",
        "estimate_point",
        "assignees",
        "labels",
    }
)


def test_only_relations_plane_expands_are_typed_as_id_or_object() -> None:
    # Module.lead, ProjectMember.member and Sticky.owner are always ids: a `lead_detail`
    # that told the user to add expand=['lead'] could never be read.
    wrong = sorted(
        f"{model.__name__}.{info.name}"
        for model in _models()
        for info in model.__plane_fields__.values()
        if info.expandable and "UUID" in repr(info.type) and info.key not in PLANE_EXPANDS
    )
    assert wrong == []


@pytest.mark.plane_server(rate_limit=None)
async def test_a_relation_plane_does_not_expand_is_refused_before_sending(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    (project,) = [p async for p in plane.projects.list()]
    sent = len(plane_server.requests)
    with pytest.raises(plane_async.PlaneValueError, match=r"Module\.lead cannot be expanded"):
        plane.modules.list(project.id, expand=["lead"])
    assert len(plane_server.requests) == sent
    async for module in plane.modules.list(project.id, max_items=1):
        assert module.lead is None or isinstance(module.lead, uuid.UUID)
