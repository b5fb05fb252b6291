"""How a user reads models: typed attributes, partial objects, odd values, unknown keys."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
import uuid
from pathlib import Path
from typing import Any

import attrs
import pytest

from plane_async._errors import FieldError, FieldNotRequestedError, FieldValueError
from plane_async._models import (
    Issue,
    Label,
    Module,
    ModuleStatus,
    Network,
    Priority,
    Project,
    ProjectLite,
    Role,
    SearchResult,
    StateGroup,
    StateLite,
    User,
    WorkspaceMember,
    structure,
    structure_many,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"


def body(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())["body"]


def detail() -> dict[str, Any]:
    return copy.deepcopy(body("work-item-detail.json"))


def test_fields_are_typed_on_read() -> None:
    issue = structure(Issue, detail())
    assert issue.id == uuid.UUID("86f3bc45-4af1-4464-aaa8-0a5bc9432e64")
    assert issue.created_at == dt.datetime(2026, 11, 29, 8, 49, 1, 666114, tzinfo=dt.UTC)
    assert issue.priority is Priority.NONE
    assert issue.state == uuid.UUID("f456f2e9-ad8c-473f-90d4-55e27f760a40")
    assert issue.assignees == (uuid.UUID("88443cc8-51b0-4591-9593-79be51aa5ba6"),)
    assert issue.labels == ()
    assert issue.parent is None
    assert issue.sort_order == 555535.0
    assert issue.sequence_id == 250


def test_a_read_is_cached() -> None:
    issue = structure(Issue, detail())
    assert issue.created_at is issue.created_at
    assert issue.state is issue.state


def test_expanded_relations_are_objects() -> None:
    items = structure_many(
        Issue, body("work-items-list-expand-state_assignees_labels.json")["results"]
    )
    state = items[1].state
    assert isinstance(state, StateLite)
    assert state.group is StateGroup.COMPLETED
    assert state.name == "Done"
    (bob,) = items[1].assignees
    assert isinstance(bob, User) and bob.display_name == "bob"
    (label,) = items[1].labels
    assert isinstance(label, Label) and label.name == "bug"
    assert items[2].assignees == ()
    detail_expanded = structure(Issue, body("work-item-detail-expand-state_project.json"))
    assert isinstance(detail_expanded.project, ProjectLite)
    assert detail_expanded.project.identifier == "WEB"


def test_a_field_not_requested_raises_and_is_not_none() -> None:
    (first, *_) = structure_many(Issue, body("work-items-list-fields-id_name.json")["results"])
    assert first.name == "Seed issue #250"
    with pytest.raises(FieldNotRequestedError) as info:
        _ = first.state
    err = info.value
    assert (err.model, err.field) == ("Issue", "state")
    assert err.item_id == "86f3bc45-4af1-4464-aaa8-0a5bc9432e64"
    assert "fields=" in str(err)
    # an AttributeError: hasattr/getattr-with-default treat it as absent
    assert isinstance(err, AttributeError)
    assert not hasattr(first, "state")
    assert getattr(first, "state", "absent") == "absent"
    # a requested null is a value
    assert structure(Issue, detail()).parent is None


def test_an_empty_object_has_every_field_not_requested() -> None:
    (empty, *_) = structure_many(Issue, body("work-items-list-fields-nonexistent.json")["results"])
    for name in Issue.__plane_fields__:
        with pytest.raises(FieldNotRequestedError):
            getattr(empty, name)
    assert repr(empty) == "Issue()"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("state", 5),
        ("state", ["x"]),
        ("name", None),
        ("sequence_id", "250"),
        ("sequence_id", True),
        ("is_draft", 1),
        ("created_at", "not a date"),
        ("created_at", 1700000000),
        ("priority", 2),
        ("assignees", "88443cc8-51b0-4591-9593-79be51aa5ba6"),
        ("assignees", ["88443cc8-51b0-4591-9593-79be51aa5ba6", {"id": "x"}]),
        ("labels", [{"id": "f2b0502e-2127-4773-96fd-4929807b6172"}, "x"]),
        ("id", "not-a-uuid"),
        ("id", 5),
        ("id", ["86f3bc45-4af1-4464-aaa8-0a5bc9432e64"]),
        ("created_at", "2026-13-29T08:49:01Z"),
        ("project", 42),
        ("archived_at", "2026-11-29T08:49:00Z"),
        ("sort_order", "1.5"),
    ],
)
def test_an_unexpected_value_fails_only_that_field(key: str, value: Any) -> None:
    raw = detail()
    raw[key] = value
    issue = structure(Issue, raw)
    with pytest.raises(FieldValueError) as info:
        getattr(issue, key)
    err = info.value
    assert (err.model, err.field) == ("Issue", key)
    assert key in str(err) and "Issue" in str(err)
    if key != "id":
        assert err.item_id == raw["id"]
        assert issue.id == uuid.UUID(raw["id"])  # the other fields still work
    # never cached as a wrong value: reading again raises again
    with pytest.raises(FieldValueError):
        getattr(issue, key)
    assert issue.priority if key != "priority" else True
    repr(issue)


def test_one_bad_item_leaves_the_page_usable() -> None:
    raw = body("work-items-list-per_page-3.json")["results"]
    raw[1]["created_at"] = {"weird": True}
    raw.append("not an object")
    items = structure_many(Issue, raw)
    assert [i.name for i in (items[0], items[1], items[2])] == [r["name"] for r in raw[:3]]
    with pytest.raises(FieldValueError):
        _ = items[1].created_at
    assert items[0].created_at.year == 2026
    with pytest.raises(FieldValueError) as info:
        _ = items[3].name
    assert "not a JSON object" in str(info.value)
    assert "Issue" in repr(items[3])


@pytest.mark.parametrize(
    "text",
    [
        "0x123456-4af1-4464-aaa8-0a5bc9432e64",
        "+6f3bc45-4af1-4464-aaa8-0a5bc9432e64",
        "86f3bc4_-4af1-4464-aaa8-0a5bc9432e64",
        " 6f3bc45-4af1-4464-aaa8-0a5bc9432e64",
        "\u06636f3bc45-4af1-4464-aaa8-0a5bc9432e64",
        "0x86f3bc454af14464aaa80a5bc9432e6",
        "86f3bc45-4af1-4464-aaa8-0a5bc9432e6",
        "86f3bc45 4af1 4464 aaa8 0a5bc9432e64",
        "86f3bc45-4af1-4464-aaa8-0a5bc9432e64 ",
        "86f3bc45-4af1-4464-aaa8-0a5bc9432e64\n",
        "86f3bc45-4af1-4464-aaa8-0a5bc9432e6\t",
        "",
    ],
)
@pytest.mark.parametrize("key", ["id", "state", "project"])
def test_malformed_uuids_are_refused(key: str, text: str) -> None:
    raw = detail()
    raw[key] = text
    with pytest.raises(FieldValueError):
        getattr(structure(Issue, raw), key)


@pytest.mark.parametrize(
    "text",
    [
        "86F3BC45-4AF1-4464-AAA8-0A5BC9432E64",
        "{86f3bc45-4af1-4464-aaa8-0a5bc9432e64}",
        "86f3bc454af14464aaa80a5bc9432e64",
        "urn:uuid:86f3bc45-4af1-4464-aaa8-0a5bc9432e64",
        "86f3bc454af1-4464-aaa8-0a5b-c9432e64",  # uuid.UUID drops hyphens anywhere
    ],
)
def test_other_uuid_spellings_are_read(text: str) -> None:
    raw = detail()
    raw["id"] = raw["state"] = text
    issue = structure(Issue, raw)
    expected = uuid.UUID("86f3bc45-4af1-4464-aaa8-0a5bc9432e64")
    assert issue.id == expected and issue.state == expected
    assert hash(issue.id) == hash(expected) and str(issue.id) == str(expected)
    assert pickle.loads(pickle.dumps(issue.id)) == expected


@pytest.mark.parametrize("key", ["parent", "type_id", "completed_at", "state"])
def test_nullable_fields_read_null_as_none(key: str) -> None:
    raw = detail()
    raw[key] = None
    assert getattr(structure(Issue, raw), key) is None


@pytest.mark.parametrize("key", ["id", "project", "created_at"])
def test_null_where_a_value_is_required_is_refused(key: str) -> None:
    raw = detail()
    raw[key] = None
    with pytest.raises(FieldValueError) as info:
        getattr(structure(Issue, raw), key)
    assert info.value.field == key and "NoneType" in str(info.value)


def test_a_known_id_string_in_a_list_field_is_still_refused() -> None:
    raw = copy.deepcopy(body("module-detail.json"))
    known = raw["project"]
    assert structure(Module, raw).project == uuid.UUID(known)  # now in the id cache
    raw["members"] = known
    with pytest.raises(FieldValueError) as info:
        _ = structure(Module, raw).members
    assert info.value.field == "members"


def test_relation_ids_are_shared_and_equal_to_uuid() -> None:
    raws = body("work-items-list-per_page-3.json")["results"]
    first, second = structure_many(Issue, [raws[0], copy.deepcopy(raws[0])])
    assert first.project == uuid.UUID(raws[0]["project"])
    assert first.project is second.project  # parsed once per page, not per item
    assert first.id == second.id and first.id is not second.id


def test_datetimes_keep_the_offset_the_server_sent() -> None:
    raw = detail()
    raw["created_at"] = "2026-11-29T14:19:01.666114+05:30"
    issue = structure(Issue, raw)
    assert issue.created_at.utcoffset() == dt.timedelta(hours=5, minutes=30)
    assert issue.created_at == dt.datetime(2026, 11, 29, 8, 49, 1, 666114, tzinfo=dt.UTC)


def test_dates_and_floats() -> None:
    raw = detail()
    raw.update(start_date="2026-01-31", archived_at="2026-02-01", sort_order=7)
    issue = structure(Issue, raw)
    assert issue.start_date == dt.date(2026, 1, 31)
    assert issue.archived_at == dt.date(2026, 2, 1)
    assert issue.sort_order == 7.0 and type(issue.sort_order) is float


def test_an_enum_value_from_a_newer_server_is_kept() -> None:
    raw = detail()
    raw["priority"] = "critical"
    priority = structure(Issue, raw).priority
    assert isinstance(priority, Priority)
    assert priority == "critical" and priority.value == "critical"
    assert not priority.is_known and Priority.HIGH.is_known
    assert priority not in list(Priority)
    assert Priority("critical") is priority


def test_int_enums() -> None:
    project = structure(Project, body("project-detail.json"))
    assert project.network is Network.PUBLIC
    assert project.member_role is Role.ADMIN
    raw = dict(body("project-detail.json"), network=1)
    assert structure(Project, raw).network == 1
    assert not structure(Project, raw).network.is_known
    members = structure_many(WorkspaceMember, body("workspace-members.json"))
    assert {m.role for m in members} <= set(Role)


def test_module_status_with_a_dash() -> None:
    modules = structure_many(Module, body("modules-list.json")["results"])
    assert {m.status for m in modules} <= set(ModuleStatus)
    assert ModuleStatus("in-progress") is ModuleStatus.IN_PROGRESS


def test_unknown_keys_are_kept() -> None:
    raw = detail()
    raw["brand_new"] = {"x": 1}
    issue = structure(Issue, raw)
    assert issue.unknown_fields == {"brand_new": {"x": 1}}
    assert issue.raw["brand_new"] == {"x": 1}
    with pytest.raises(TypeError):
        issue.raw["name"] = "changed"  # type: ignore[index]


def test_json_key_renamed_to_an_attribute() -> None:
    hit = structure(
        SearchResult,
        {
            "name": "Seed",
            "id": "86f3bc45-4af1-4464-aaa8-0a5bc9432e64",
            "sequence_id": 3,
            "project__identifier": "WEB",
            "project_id": "90c8a8c4-5082-40e9-b5dd-5c964aa7fb7b",
            "workspace__slug": "acme",
        },
    )
    assert (hit.project_identifier, hit.workspace_slug) == ("WEB", "acme")
    assert hit.unknown_fields == {}


def test_models_are_frozen() -> None:
    issue = structure(Issue, detail())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        issue.name = "x"  # type: ignore[misc]


def test_a_model_built_by_the_caller() -> None:
    state_id = uuid.uuid4()
    issue = Issue(name="Fix login", priority=Priority.HIGH, state=state_id)
    assert issue.name == "Fix login" and issue.state == state_id
    with pytest.raises(FieldNotRequestedError, match="not given"):
        _ = issue.labels
    assert dict(issue.raw) == {"name": "Fix login", "priority": "high", "state": str(state_id)}
    assert issue == Issue(name="Fix login", priority=Priority.HIGH, state=state_id)
    assert issue != Issue(name="Fix login")
    assert "Fix login" in repr(issue)


def test_equality_and_hash() -> None:
    a = structure(Issue, detail())
    b = structure(Issue, detail())
    assert a == b and hash(a) == hash(b)
    assert len({a, b}) == 1
    other = dict(detail(), name="changed")
    assert a != structure(Issue, other)
    assert a != structure(Project, detail())


def test_repr_is_short_and_safe() -> None:
    raw = detail()
    raw["name"] = "x" * 500
    text = repr(structure(Issue, raw))
    assert text.startswith("Issue(id='86f3bc45-4af1-4464-aaa8-0a5bc9432e64', name='xxx")
    assert len(text) < 140
    assert repr(structure(Issue, None)) == "Issue(invalid=None)"
    assert repr(structure(User, body("users-me.json"))).endswith("display_name='alice')")


def test_pickle_round_trip() -> None:
    issue = structure(Issue, detail())
    _ = issue.created_at
    again = pickle.loads(pickle.dumps(issue))
    assert again == issue and again.state == issue.state


def test_class_attribute_access_does_not_read_data() -> None:
    assert Issue.name is not None  # the descriptor itself
    assert Issue.__plane_fields__["state"].expandable
    assert not Issue.__plane_fields__["name"].expandable


def test_field_errors_are_plane_errors_and_attribute_errors() -> None:
    assert issubclass(FieldNotRequestedError, FieldError)
    assert issubclass(FieldValueError, AttributeError)
