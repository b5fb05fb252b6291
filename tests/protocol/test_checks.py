"""The caller-input checks shared by the namespaces: one message per mistake, before any
request (``_protocol.checks`` and ``_protocol.values``)."""

from __future__ import annotations

import uuid

import pytest

from plane_async import PlaneValueError
from plane_async._models import CommentAccess, IntakeStatus, Priority, Role
from plane_async._protocol.checks import (
    check_all_at_once,
    check_choice,
    check_int_choice,
    check_option_names,
)
from plane_async._protocol.values import check_write_field


def test_a_str_choice_takes_the_member_its_value_or_none() -> None:
    for value in (Priority.HIGH, "high", None):
        check_choice("priority", value, Priority)
    with pytest.raises(PlaneValueError, match=r"access must be one of \['INTERNAL', 'EXTERNAL'\]"):
        check_choice("access", "PUBLIC", CommentAccess)


def test_an_int_choice_returns_the_member_and_names_each_one() -> None:
    assert check_int_choice("status", 1, tuple(IntakeStatus)) is IntakeStatus.ACCEPTED
    assert check_int_choice("role", Role.GUEST, (Role.ADMIN, Role.GUEST)) is Role.GUEST
    with pytest.raises(PlaneValueError) as info:
        check_int_choice("status", 7, tuple(IntakeStatus))
    assert str(info.value).startswith("status must be one of IntakeStatus.REJECTED (-1), ")
    assert str(info.value).endswith("got 7")
    # True == 1, but a bool is a mistake, not a status
    with pytest.raises(PlaneValueError, match="got True"):
        check_int_choice("status", True, tuple(IntakeStatus))


def test_a_list_answered_at_once_takes_no_paging_options() -> None:
    check_all_at_once({"max_items": 3, "prefetch": 0, "per_page": None})
    for option in ({"per_page": 10}, {"cursor": "10:1:0"}, {"prefetch": 2}):
        with pytest.raises(PlaneValueError, match="does not apply here"):
            check_all_at_once(option)


def test_option_names_say_when_the_server_would_ignore_fields() -> None:
    check_option_names({"max_items": 1}, ["max_items"])
    with pytest.raises(PlaneValueError, match=r"it ignores fields/expand.*accepted: max_items"):
        check_option_names({"fields": ["id"]}, ["max_items"])


def test_a_write_field_is_checked_by_name_then_by_kind() -> None:
    accepted = {"name": str, "state": uuid.UUID | None, "labels": list[uuid.UUID]}
    ids, lists = frozenset({"state"}), frozenset({"labels"})
    u = uuid.uuid4()

    def check(name: str, value: object) -> object:
        return check_write_field("Issue", name, value, accepted, ids=ids, id_lists=lists)

    assert check("state", str(u)) == u
    assert check("labels", [str(u)]) == [u]
    assert check("state", None) is None
    with pytest.raises(PlaneValueError, match="no writable field 'nmae'; did you mean 'name'"):
        check("nmae", "x")
    with pytest.raises(PlaneValueError, match="labels must be a list of ids"):
        check("labels", str(u))
    with pytest.raises(PlaneValueError, match="Issue field 'name' must be a string"):
        check("name", 3)
