"""Cursor: Plane's ``value:offset:is_prev`` cursors, parsed and refused before sending."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plane_async._errors import PlaneError, PlaneValueError
from plane_async._paging.cursor import Cursor


def test_parse_and_format() -> None:
    cursor = Cursor.parse("100:3:0")
    assert cursor == Cursor(per_page=100, offset=3, is_prev=False)
    assert str(cursor) == "100:3:0"
    assert str(Cursor(3, 0, True)) == "3:0:1"
    assert Cursor.parse("3:0:1").is_prev is True


def test_parse_returns_a_cursor_unchanged() -> None:
    cursor = Cursor(5, 2)
    assert Cursor.parse(cursor) is cursor


def test_next_page_keeps_the_size_and_clears_is_prev() -> None:
    assert Cursor(3, 0, True).next_page() == Cursor(3, 1, False)


@pytest.mark.parametrize(
    "text",
    [
        "abc",  # the recorded 400 "Invalid cursor parameter."
        "3:-1:1",  # the server's own first-page prev_cursor: a 400 "Error in parsing"
        "",
        "3:1",
        "3:1:0:0",
        "0:1:0",  # per_page 0 is a 500 on the server
        "-3:1:0",
        "3:1:2",
        "3.0:1:0",
        " 3:1:0",
        "3:1:0\n",
        "+3:1:0",
        "3_0:1:0",
        "\u0663:1:0",  # an Arabic-Indic digit: int() would take it
        "1" * 40 + ":1:0",
    ],
)
def test_malformed_cursors_are_refused_with_the_accepted_form(text: str) -> None:
    with pytest.raises(PlaneValueError) as info:
        Cursor.parse(text)
    assert isinstance(info.value, ValueError)
    assert "per_page:offset:is_prev" in str(info.value)
    assert "100:3:0" in str(info.value)


@pytest.mark.parametrize("value", [None, 3, 3.0, b"3:1:0", ["3", "1", "0"]])
def test_non_strings_are_refused(value: object) -> None:
    with pytest.raises(PlaneValueError, match="per_page:offset:is_prev"):
        Cursor.parse(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "args",
    [(0, 1, False), (-1, 1, False), (3, -1, True), (True, 1, False), (3, 1, 1), (3.0, 1, False)],
)
def test_constructor_refuses_impossible_cursors(args: tuple[object, object, object]) -> None:
    with pytest.raises(PlaneValueError):
        Cursor(*args)  # type: ignore[arg-type]


def test_from_server_reads_recorded_cursors() -> None:
    # As recorded from Plane CE for ?per_page=3&cursor=3:1:0.
    assert Cursor.from_server("3:2:0") == Cursor(3, 2)
    assert Cursor.from_server("3:0:1") == Cursor(3, 0, True)
    # The first page's prev_cursor cannot be sent back: it has no usable value.
    assert Cursor.from_server("3:-1:1") is None
    assert Cursor.from_server("") is None
    assert Cursor.from_server(None) is None
    assert Cursor.from_server("0:1:0") is None


cursors = st.builds(
    Cursor,
    per_page=st.integers(min_value=1, max_value=10**18 - 1),
    offset=st.integers(min_value=0, max_value=10**18 - 1),
    is_prev=st.booleans(),
)


@given(cursors)
def test_round_trip(cursor: Cursor) -> None:
    assert Cursor.parse(str(cursor)) == cursor
    assert Cursor.from_server(str(cursor)) == cursor


@pytest.mark.slow
@given(st.text(max_size=30) | st.from_regex(r"-?[0-9]{1,3}:-?[0-9]{1,3}:-?[0-9]", fullmatch=True))
def test_any_string_parses_or_is_refused(text: str) -> None:
    try:
        cursor = Cursor.parse(text)
    except PlaneValueError:
        return
    except PlaneError as exc:  # pragma: no cover - would be a bug
        raise AssertionError(f"unexpected {exc!r}") from exc
    assert cursor.per_page >= 1 and cursor.offset >= 0
    # What parses is already in the canonical form, up to leading zeros.
    assert Cursor.parse(str(cursor)) == cursor
