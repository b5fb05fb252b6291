"""Every recorded server response structures, strictly and lazily, into the right types."""

from __future__ import annotations

import copy
import datetime as dt
import json
import types
import typing
import uuid
from enum import Enum
from pathlib import Path
from typing import Any

import attrs
import cattrs
import pytest

from plane_async._errors import FieldNotRequestedError
from plane_async._models import (
    Activity,
    Comment,
    Cycle,
    Issue,
    Label,
    Link,
    Module,
    PlaneModel,
    Priority,
    Project,
    State,
    StateLite,
    User,
    WorkspaceMember,
)
from plane_async._models import converter as _converter
from plane_async._models.converter import (
    converter,
    strict_converter,
    structure,
    structure_many,
    structurer,
    to_dict,
    unstructure_for_write,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"

# Which model each recorded response holds. A new fixture must be added here.
FIXTURE_MODELS: dict[str, type[PlaneModel]] = {
    "work-item-detail-expand-empty-relations.json": Issue,
    "users-me.json": User,
    "ratelimit-last-allowed.json": User,
    "project-members.json": User,
    "workspace-members.json": WorkspaceMember,
    "projects-list-per_page-2.json": Project,
    "project-detail.json": Project,
    "project-detail-expand-empty-relations.json": Project,
    "project-detail-fields-id_name_identifier.json": Project,
    "states-list.json": State,
    "labels-list.json": Label,
    "modules-list.json": Module,
    "module-detail.json": Module,
    "cycles-list.json": Cycle,
    "cycle-detail.json": Cycle,
    "comment-create.json": Comment,
    "comments-list.json": Comment,
    "link-create.json": Link,
    "links-list.json": Link,
    "activities-list.json": Activity,
    "work-items-list-per_page-3.json": Issue,
    "issues-list-per_page-3.json": Issue,
    "work-items-list-per_page-3-cursor-page2.json": Issue,
    "work-items-list-expand-state_assignees_labels.json": Issue,
    "work-items-list-fields-id_name_state_assignees_labels-expand-state_assignees_labels.json": (
        Issue
    ),
    "work-items-list-fields-id_name.json": Issue,
    "work-items-list-fields-nonexistent.json": Issue,
    "work-items-list-fields-id_name-expand-state.json": Issue,
    "work-item-detail.json": Issue,
    "work-item-detail-expand-state_project.json": Issue,
    "work-item-by-identifier-WEB-1.json": Issue,
    "issues-by-identifier-WEB-1.json": Issue,
    "work-item-create-external.json": Issue,
    "work-items-lookup-external.json": Issue,
    "work-item-update.json": Issue,
    "module-issues-list-per_page-3.json": Issue,
    "cycle-issues-list-per_page-3.json": Issue,
}

# Fields the server sends only in some responses (documented in plane-api.md §7).
SOMETIMES_ABSENT = {
    "Project": {"sort_order"},  # list responses only
    "Comment": {"is_member"},  # list responses only
    # webhook payloads only (the REST responses carry description_html)
    "Issue": {"description", "description_json", "description_stripped"},
    "Cycle": {"total_estimates", "completed_estimates", "started_estimates"},  # archived
}


def items_of(name: str) -> list[Any]:
    body = json.loads((FIXTURES / name).read_text())["body"]
    if isinstance(body, dict) and "results" in body:
        return list(body["results"])
    if isinstance(body, list):
        return body
    return [body]


def all_items() -> list[Any]:
    return [
        pytest.param(model, item, id=f"{name}[{i}]")
        for name, model in FIXTURE_MODELS.items()
        for i, item in enumerate(items_of(name))
    ]


def is_restricted(name: str) -> bool:
    return "-fields-" in name


def check_type(value: Any, tp: Any) -> bool:
    """A runtime isinstance for the annotations models use."""
    if tp is Any:
        return True
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return any(check_type(value, arm) for arm in args)
    if tp is type(None):
        return value is None
    if origin is tuple:
        return type(value) is tuple and all(check_type(v, args[0]) for v in value)
    if origin is dict:
        return type(value) is dict
    if tp is float:
        return type(value) is float
    if tp is int:
        return type(value) is int or (isinstance(value, Enum) and isinstance(value, int))
    if tp is dt.date:
        return type(value) is dt.date
    return isinstance(value, tp)


def test_every_fixture_is_mapped_to_a_model() -> None:
    on_disk = {p.name for p in FIXTURES.glob("*.json")}
    unmapped = {n for n in on_disk if not n.startswith("error-") and n not in FIXTURE_MODELS}
    bodiless = {n for n in unmapped if json.loads((FIXTURES / n).read_text())["body"] == ""}
    assert unmapped - bodiless - {"work-items-lookup-external-missing.json"} == set()
    assert set(FIXTURE_MODELS) <= on_disk


@pytest.mark.parametrize(("model", "item"), all_items())
def test_strict_converter_structures_every_recorded_item(
    model: type[PlaneModel], item: Any
) -> None:
    strict = strict_converter().structure(item, model)
    assert isinstance(strict, model)


@pytest.mark.parametrize(("model", "item"), all_items())
def test_every_lazily_read_field_has_its_declared_type(model: type[PlaneModel], item: Any) -> None:
    lazy = structure(model, item)
    strict = strict_converter().structure(item, model)
    for name, info in model.__plane_fields__.items():
        if info.key not in item:
            with pytest.raises(FieldNotRequestedError):
                getattr(lazy, name)
            continue
        value = getattr(lazy, name)
        assert check_type(value, info.type), (name, value, info.type)
        assert value == getattr(strict, name)
    assert lazy == strict
    assert lazy.unknown_fields == {}


@pytest.mark.parametrize(
    "name", [n for n in FIXTURE_MODELS if not is_restricted(n) and "members" not in n]
)
def test_full_responses_send_every_modelled_field(name: str) -> None:
    # The other direction of drift: a model field the server never sends.
    model = FIXTURE_MODELS[name]
    optional = SOMETIMES_ABSENT.get(model.__name__, set())
    for item in items_of(name):
        if not item:
            continue
        missing = model.__plane_keys__ - item.keys() - optional
        assert missing == set(), f"{model.__name__} fields not in {name}: {missing}"


def test_strict_converter_refuses_an_extra_key() -> None:
    item = dict(items_of("work-item-detail.json")[0], brand_new_field=1)
    with pytest.raises(cattrs.ClassValidationError) as info:
        strict_converter().structure(item, Issue)
    assert any(isinstance(e, cattrs.ForbiddenExtraKeysError) for e in info.value.exceptions)


def test_strict_converter_refuses_extra_keys_in_nested_objects() -> None:
    (item,) = [
        i for i in items_of("work-items-list-expand-state_assignees_labels.json") if i["labels"]
    ]
    item = copy.deepcopy(item)
    item["labels"][0]["new"] = True
    with pytest.raises(cattrs.ClassValidationError):
        strict_converter().structure(item, Issue)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("state", 5),
        ("name", None),
        ("sequence_id", "1"),
        ("is_draft", 0),
        ("created_at", "yesterday"),
        ("priority", 3),
        ("assignees", "88443cc8-51b0-4591-9593-79be51aa5ba6"),
        ("archived_at", "2026-11-29T08:49:00Z"),
    ],
)
def test_strict_converter_refuses_a_wrong_value(key: str, value: Any) -> None:
    item = dict(items_of("work-item-detail.json")[0], **{key: value})
    with pytest.raises(cattrs.ClassValidationError):
        strict_converter().structure(item, Issue)


def test_strict_converter_is_a_copy_and_leaves_the_library_converter_lazy() -> None:
    strict_converter()
    item = dict(items_of("work-item-detail.json")[0], brand_new_field=1)
    issue = converter.structure(item, Issue)
    assert issue.unknown_fields == {"brand_new_field": 1}


def test_the_library_converter_is_not_cattrs_global_one() -> None:
    assert converter is not cattrs.global_converter
    assert _converter.converter is converter


def test_converter_structures_models_lazily_and_fields_by_the_same_rules() -> None:
    item = items_of("work-item-detail-expand-state_project.json")[0]
    issue = converter.structure(item, Issue)
    assert issue.raw == item
    assert isinstance(issue.state, StateLite)
    assert converter.structure("1422e297-7409-47dc-88dc-0af10c8d6a5e", uuid.UUID) == uuid.UUID(
        "1422e297-7409-47dc-88dc-0af10c8d6a5e"
    )
    assert converter.structure(None, dt.date | None) is None
    with pytest.raises(TypeError):
        converter.structure(None, str)


def test_structure_many_and_structurer_wrap_each_item() -> None:
    raw = items_of("work-items-list-per_page-3.json")
    issues = structure_many(Issue, raw)
    assert [i.id for i in issues] == [uuid.UUID(r["id"]) for r in raw]
    one = structurer(Issue)
    assert list(map(one, raw)) == issues


def test_to_dict_is_a_copy_of_what_the_server_sent() -> None:
    raw = items_of("work-items-list-expand-state_assignees_labels.json")[1]
    issue = structure(Issue, raw)
    out = to_dict(issue)
    assert out == raw
    out["labels"][0]["name"] = "changed"
    assert issue.raw["labels"][0]["name"] == "bug"


def test_unstructure_for_write_gives_json_ready_values() -> None:
    state_id = uuid.uuid4()
    body = {
        "state": state_id,
        "priority": Priority.HIGH,
        "start_date": dt.date(2026, 1, 2),
        "when": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=5))),
        "assignees": (state_id,),
        "unknown": Priority("critical"),
        "nested": [{"id": state_id}],
    }
    assert unstructure_for_write(body) == {
        "state": str(state_id),
        "priority": "high",
        "start_date": "2026-01-02",
        "when": "2026-01-02T03:04:05+05:00",
        "assignees": [str(state_id)],
        "unknown": "critical",
        "nested": [{"id": str(state_id)}],
    }
    json.dumps(unstructure_for_write(body))


def test_unstructure_a_built_model_uses_json_keys_and_skips_fields_not_given() -> None:
    lead = uuid.uuid4()
    module = Module(name="Auth", lead=lead, start_date=dt.date(2026, 3, 1), members=(lead,))
    assert unstructure_for_write(module) == {
        "name": "Auth",
        "lead": str(lead),
        "start_date": "2026-03-01",
        "members": [str(lead)],
    }
    assert to_dict(module) == unstructure_for_write(module)


def test_a_built_model_round_trips_through_the_strict_converter() -> None:
    item = items_of("work-items-list-expand-state_assignees_labels.json")[1]
    built = strict_converter().structure(item, Issue)
    again = strict_converter().structure(unstructure_for_write(built), Issue)
    assert again == built
    assert attrs.has(Issue)
