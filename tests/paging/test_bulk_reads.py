"""A read converts the fields its reader reads a page at a time (``_models._bulk``): what
the reader sees is exactly what converting each field on its first read gives, errors
included, on whichever item and page they are."""

from __future__ import annotations

import datetime as dt
import pickle
import uuid
from typing import Any

import pytest

from plane_async._errors import FieldNotRequestedError, FieldValueError
from plane_async._models import Issue
from plane_async._models._base import page_structurer, structure, structurer
from plane_async._paging.engine import iter_items
from tests.paging.test_pagination import FakeServer
from tests.paging.test_read_fast_paths import NEWEST_FIRST, issue_rows

STATES = [str(uuid.UUID(int=0xABC0 + n)) for n in range(3)]
FIELDS = ("id", "name", "created_at", "state", "sequence_id", "parent", "completed_at",
          "state_id", "parent_id")  # fmt: skip


def rows(count: int) -> list[dict[str, Any]]:
    out = issue_rows(count)
    for n, row in enumerate(out):
        row["state"] = STATES[n % 3]
        row["sequence_id"] = n
        row["parent"] = None if n % 2 else STATES[0]
        row["completed_at"] = None
    return out


def snapshot(issue: Issue) -> dict[str, Any]:
    """Each field's value, or the error reading it raises (type and message)."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        try:
            out[name] = getattr(issue, name)
        except (FieldValueError, FieldNotRequestedError) as exc:
            out[name] = (type(exc).__name__, str(exc))
    return out


async def read_all(server: FakeServer, per_page: int, ordered: bool) -> list[dict[str, Any]]:
    """Read every item as an export does: the same fields of every item, in turn."""
    seen = []
    order = NEWEST_FIRST if ordered else None  # a bad created_at stops an ordered read
    async for issue in iter_items(server, structurer(Issue), per_page=per_page, order=order):
        seen.append(snapshot(issue))
    return seen


def lazily(server_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What converting each field on its first read gives, item by item."""
    return [snapshot(structure(Issue, row)) for row in server_rows]


async def check(
    server_rows: list[dict[str, Any]], per_page: int = 4, ordered: bool = True
) -> list[dict[str, Any]]:
    server = FakeServer(0)
    server.rows = server_rows
    seen = await read_all(server, per_page, ordered)
    assert seen == lazily(server_rows)
    return seen


async def test_later_pages_read_the_same_values() -> None:
    seen = await check(rows(13))
    assert [s["name"] for s in seen] == [f"item {n}" for n in range(13)]
    assert all(type(s["id"]) is uuid.UUID and type(s["state"]) is uuid.UUID for s in seen)
    assert all(type(s["created_at"]) is dt.datetime for s in seen)
    assert seen[5]["state"] == uuid.UUID(STATES[2]) and seen[5]["parent"] is None
    # the ids read as uuid.UUID() reads them: the same value, hash, str and pickle
    ids = [s["id"] for s in seen]
    assert ids == [uuid.UUID(r["id"]) for r in rows(13)]
    assert [hash(i) for i in ids] == [hash(uuid.UUID(str(i))) for i in ids]
    assert pickle.loads(pickle.dumps(ids)) == ids
    assert [i.is_safe for i in ids] == [uuid.SafeUUID.unknown] * 13


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "00000000-0000-4000-8000-00000000000g"),  # not hex
        ("id", "00000000-0000-4000-8000-0000000000 1"),  # a space (fromhex skips it)
        ("id", "000000000-000-4000-8000-000000000001"),  # a hyphen moved
        ("id", "+0000000-0000-4000-8000-000000000001"),
        ("id", 7),
        ("name", None),
        ("name", 5),
        ("created_at", "yesterday"),
        ("created_at", None),
        ("state", 12),
        ("state", "not-a-uuid"),
        ("state", {"id": STATES[0], "name": "Todo"}),  # expanded although not asked
        ("sequence_id", True),
        ("sequence_id", "5"),
        ("parent", "nope"),
    ],
)
async def test_an_odd_value_on_a_later_page_fails_on_that_item_only(field: str, value: Any) -> None:
    server_rows = rows(12)
    server_rows[9][field] = value  # page 3 of 4-item pages
    seen = await check(server_rows, ordered=field != "created_at")
    others = [s for n, s in enumerate(seen) if n != 9]
    assert all(type(s["name"]) is str and type(s["id"]) is uuid.UUID for s in others)


@pytest.mark.parametrize("field", ["name", "created_at", "state", "parent"])
async def test_a_key_missing_on_a_later_page_is_not_requested_on_that_item_only(
    field: str,
) -> None:
    server_rows = rows(12)
    del server_rows[6][field]
    seen = await check(server_rows, ordered=field != "created_at")
    assert seen[6][field][0] == "FieldNotRequestedError"


async def test_other_spellings_of_an_id_read_as_uuid_reads_them() -> None:
    server_rows = rows(12)
    server_rows[8]["id"] = server_rows[8]["id"].upper()
    server_rows[9]["id"] = server_rows[9]["id"].replace("-", "")
    server_rows[10]["id"] = "{" + server_rows[10]["id"] + "}"
    seen = await check(server_rows)
    assert [s["id"] for s in seen[8:11]] == [uuid.UUID(r["id"]) for r in rows(12)[8:11]]


async def test_a_row_that_is_not_an_object_fails_on_that_item_only() -> None:
    server_rows: list[Any] = rows(12)
    server_rows[10] = ["not", "an", "object"]
    server = FakeServer(0)
    server.rows = server_rows
    names = []
    async for issue in iter_items(server, structurer(Issue), per_page=4):
        try:
            names.append(issue.name)
        except FieldValueError as exc:
            names.append(str(exc))
    assert names[:10] == [f"item {n}" for n in range(10)]
    assert "not a JSON object" in names[10] and names[11] == "item 11"


async def test_a_field_read_on_some_items_only_reads_the_same() -> None:
    server_rows = rows(16)
    server = FakeServer(0)
    server.rows = server_rows
    seen = []
    n = 0
    async for issue in iter_items(server, structurer(Issue), per_page=4, order=NEWEST_FIRST):
        # sequence_id only on odd items: read on each page's last item, so converted
        # for the next page, where the even items never read it
        seen.append((issue.id, issue.sequence_id if n % 2 else None))
        n += 1
    assert seen == [(uuid.UUID(r["id"]), r["sequence_id"] if n % 2 else None)
                    for n, r in enumerate(server_rows)]  # fmt: skip


def test_a_page_comes_with_the_fields_read_on_the_previous_one_converted() -> None:
    build = page_structurer(structurer(Issue))
    assert build is not None
    server_rows = rows(8)
    first = build(server_rows[:4])
    assert all(not vars(i) for i in first)  # nothing read yet: nothing converted
    _ = first[-1].id, first[-1].state, first[-1].name
    second = build(server_rows[4:])
    assert [sorted(vars(i)) for i in second] == [["id", "name", "state"]] * 4
    assert [vars(i)["id"] for i in second] == [uuid.UUID(r["id"]) for r in server_rows[4:]]
    third = build(server_rows[:2])
    assert [sorted(vars(i)) for i in third] == [["id", "name", "state"]] * 2
    fresh = page_structurer(structurer(Issue))  # another read learns on its own
    assert fresh is not None and all(not vars(i) for i in fresh(server_rows[:2]))


@pytest.mark.parametrize("odd", [None, {"id": STATES[1], "name": "Done"}, "not-a-uuid", 5])
async def test_an_id_companion_read_alone_reads_the_same(odd: Any) -> None:
    server_rows = rows(12)
    if odd is not None:
        server_rows[10]["state"] = odd
    server = FakeServer(0)
    server.rows = server_rows
    seen: list[Any] = []
    async for issue in iter_items(server, structurer(Issue), per_page=4, order=NEWEST_FIRST):
        try:
            seen.append(issue.state_id)
        except FieldValueError as exc:
            seen.append(type(exc))
    lazy: list[Any] = []
    for row in server_rows:
        try:
            lazy.append(structure(Issue, row).state_id)
        except FieldValueError as exc:
            lazy.append(type(exc))
    assert seen == lazy
    assert seen[9] == uuid.UUID(STATES[0])
