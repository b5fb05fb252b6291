"""The read's per-page shortcuts give what the per-row paths give: the same items, in the
same order, with the same checkpoints (models wrapped a page at once, consecutive rows
sliced, checkpoints reused, the envelope's next cursor parsed once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from plane_async._errors import FieldValueError, PaginationError
from plane_async._models import Issue
from plane_async._models._base import page_structurer, structure, structurer
from plane_async._paging.cursor import Cursor, LastKey
from plane_async._paging.engine import iter_items, iter_pages
from plane_async._paging.keyset import ISSUE_ORDERS, Tracker, order_key
from plane_async._paging.overlap import max_overlap, overlap_cursor
from plane_async._paging.page import check_envelope, decode_page
from tests.paging.test_pagination import FakeServer, collect, envelope

NEWEST_FIRST = order_key("-created_at", ISSUE_ORDERS)
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def issue_rows(count: int) -> list[dict[str, Any]]:
    """Work items newest first, two per second (pairs share a created_at)."""
    return [
        {
            "id": f"00000000-0000-4000-8000-{n:012d}",
            "name": f"item {n}",
            "created_at": (START - dt.timedelta(seconds=n // 2)).isoformat(),
        }
        for n in range(count)
    ]


def per_row(raw: Any) -> Issue:
    return structure(Issue, raw)  # the same model, wrapped one call per row


def test_structurer_is_one_callable_per_model_with_a_page_twin() -> None:
    one = structurer(Issue)
    assert structurer(Issue) is one
    twin = page_structurer(one)
    assert twin is not None
    assert page_structurer(per_row) is None  # any other callable is called per row


def test_the_page_twin_wraps_what_the_per_row_structurer_wraps() -> None:
    rows: list[Any] = [*issue_rows(3), 5, None, {"id": "not-a-uuid"}]
    twin = page_structurer(structurer(Issue))
    assert twin is not None
    wrapped = twin(rows)
    one_by_one = tuple(map(structurer(Issue), rows))
    assert type(wrapped) is tuple
    assert wrapped == one_by_one
    assert [i.name for i in wrapped[:3]] == ["item 0", "item 1", "item 2"]
    with pytest.raises(FieldValueError, match="not a JSON object"):
        _ = wrapped[3].name  # a bad row still fails when read, not when wrapped
    assert twin([]) == ()


@pytest.mark.parametrize("per_page", [1, 2, 3, 7, 100])
@pytest.mark.parametrize("max_per_page", [None, 1000])
async def test_a_read_gives_the_same_items_with_and_without_the_page_twin(
    per_page: int, max_per_page: int | None
) -> None:
    server = FakeServer(0)
    server.rows = issue_rows(23)
    limits: dict[str, Any] = {} if max_per_page is None else {"max_per_page": max_per_page}
    fast = await collect(
        iter_pages(server, structurer(Issue), per_page=per_page, order=NEWEST_FIRST, **limits)
    )
    slow = await collect(
        iter_pages(server, per_row, per_page=per_page, order=NEWEST_FIRST, **limits)
    )
    assert [[i.raw for i in p.results] for p in fast] == [[i.raw for i in p.results] for p in slow]
    assert [str(p.resume_cursor) for p in fast] == [str(p.resume_cursor) for p in slow]
    assert [i["id"] for p in fast for i in (x.raw for x in p.results)] == server.ids()


async def test_rows_handed_out_in_the_middle_of_a_page_are_left_out_page_by_id() -> None:
    # Remembered ids (no order key): rows handed out before can sit between new ones
    # (here i3 moved behind i4 after the first page), so the rows to hand out are not
    # consecutive; with id_of the items are built before they are picked.
    for id_of in (None, lambda item: item["id"]):
        got = await collect(
            iter_items(reordered_server(), lambda raw: raw, per_page=4, id_of=id_of)
        )
        assert [r["id"] for r in got] == ["i0", "i1", "i2", "i3", "i4", "i5"]


def reordered_server() -> FakeServer:
    server = FakeServer(6)
    first, second = list(server.rows), [server.rows[n] for n in (0, 1, 2, 4, 3, 5)]

    def before(n: int) -> None:
        server.rows = first if n == 0 else second

    server.before = before
    return server


def test_a_checkpoint_is_reused_only_for_the_same_position_and_total() -> None:
    start = LastKey("-created_at", START.isoformat(), ("a",))
    tracker = Tracker(NEWEST_FIRST, start, remember_ids=False)
    first = tracker.checkpoint(100, 250, 900)
    assert tracker.checkpoint(100, 250, 900) == first
    assert first.after is not None
    assert (first.after.position, first.after.total, first.offset) == (250, 900, 2)
    moved = tracker.checkpoint(100, 251, 900)
    assert moved.after is not None and moved.after.position == 251
    grown = tracker.checkpoint(100, 251, 901)
    assert grown.after is not None and grown.after.total == 901
    assert tracker.checkpoint(50, 251, 901).per_page == 50
    tracker.hand_out([{"id": "b", "created_at": (START - dt.timedelta(seconds=9)).isoformat()}])
    after = tracker.checkpoint(50, 251, 901)
    assert after.after is not None and after.after.ids == ("b",)
    assert str(Cursor.parse(str(after))) == str(after)


def test_the_envelope_check_reads_the_next_cursor_decode_page_parsed() -> None:
    body = {**envelope([{"id": n} for n in range(300)], 100, 0), "next_cursor": "50:1:0"}
    page, raw = decode_page(body, lambda r: r, Cursor(100, 0))
    for decoded in (page, None):
        with pytest.raises(PaginationError, match="paged by 50"):
            check_envelope(body, raw, 100, decoded)
    one_object = {"id": 1, "next_cursor": "50:1:0", "next_page_results": True}
    single, rows = decode_page(one_object, lambda r: r, None)
    with pytest.raises(PaginationError, match="paged by 50"):
        check_envelope(one_object, rows, 100, single)  # not an envelope: read from the body


def overlap_by_every_size(position: int, per_page: int, max_per_page: int) -> tuple[int, int]:
    """``overlap_cursor``'s rule written out over a list of every page size."""
    if position <= 0:
        return per_page, 0
    most, want = max_overlap(per_page), 3
    roomy = 2 * per_page + most
    best: tuple[int, int, int] | None = None
    chosen = (per_page, position // per_page)
    top = max(max_per_page, 1)
    for size in [*range(min(per_page + 1, top), top + 1), *range(min(per_page, top), 0, -1)]:
        page = (position - 1) // size
        overlap = position - page * size
        new = min(per_page, size - overlap)
        if (page > 0 and overlap > most) or new <= 0:
            continue
        level = 1 if size > roomy else (want if page == 0 else min(overlap, want))
        if best is None or (new, level, -size) > best:
            best, chosen = (new, level, -size), (size, page)
        if best[0] == per_page and (best[1] == want or size > roomy):
            break
        if size <= per_page and best[0] >= size - 1:
            break
    if best is not None and best[0] * 2 < per_page:
        return per_page, position // per_page
    return chosen


@pytest.mark.parametrize("per_page", [1, 2, 3, 5, 37, 100, 250])
def test_the_overlap_request_is_the_one_the_rule_picks(per_page: int) -> None:
    for max_per_page in {1, per_page - 1 or 1, per_page, per_page + 1, 2 * per_page, 1000}:
        for position in [*range(0, 1200, 7), 10**5 + 3]:
            got = overlap_cursor.__wrapped__(position, per_page, max_per_page)
            assert (got.per_page, got.offset) == overlap_by_every_size(
                position, per_page, max_per_page
            ), (position, per_page, max_per_page)
