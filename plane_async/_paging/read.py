"""The read loop of a paged list: which page to ask for next, how to judge what came back,
which of its rows to hand out, and when to stop (see ``engine`` for the rules it follows).

Every request after the first starts a few rows before the next row to hand out
(``overlap``): when its first row is not one handed out already, rows moved back
(deletes before the read position, whatever the total says) and the read backs up.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any, Generic, TypeVar

import attrs

from .._errors import BadRequestError, PaginationError
from .._models._base import page_structurer
from .cursor import Cursor
from .fetcher import Fetcher, FetchPage, annotate
from .guards import Outline, check_not_repeated, following, ids_of, outline, stalled
from .keyset import Tracker
from .overlap import overlap_cursor
from .page import Page, as_is, check_envelope, decode_page

__all__ = ["Plan", "read"]

T = TypeVar("T")

#: how many times the read may step back before giving up (a list that never settles)
_MAX_BACKUPS = 50


@attrs.frozen
class Plan:
    """What a read asks for: the page size, where it starts, and when it stops."""

    per_page: int
    max_per_page: int
    start: Cursor | None
    max_pages: int | None
    max_items: int | None
    prefetch: int
    paginated: bool


async def read(
    fetch: FetchPage,
    structure: Callable[[Any], T],
    plan: Plan,
    *,
    tracker: Tracker,
    id_of: Callable[[T], object] | None,
) -> AsyncGenerator[Page[T], None]:
    """The pages of a read, one request at a time (with read-ahead when the plan says)."""
    reader: _Reader[T] = _Reader(fetch, structure, plan, tracker, id_of)
    try:
        while not reader.done():
            current, send_cursor, overlapping = reader.request()
            resume = tracker.checkpoint(reader.size, reader.position, reader.last_total)
            try:
                body = await reader.fetcher.get(current, send_cursor, resume)
            except BadRequestError:
                if current.per_page <= reader.size:
                    raise
                # The server refuses pages larger than the caller's per_page although the
                # client allows them (max_per_page above the server's limit): overlap
                # within per_page for the rest of this read.
                reader.ceiling = reader.size
                continue
            page, raw, fresh, row = reader.judge(body, current, send_cursor, resume)
            if overlapping and reader.backed_up(raw, fresh, row, page.total_results, resume):
                continue
            page, more, problem = reader.hand_out(page, raw, fresh, row, current, resume)
            if page.results or (reader.pages_out == 0 and not more):
                yield page
                reader.pages_out += 1
                reader.items_out += len(page.results)
            if problem is not None:
                if reader.done():
                    return
                raise problem
            if not more:
                return
    finally:
        await reader.fetcher.cancel()


class _Reader(Generic[T]):
    """A read's state: the position of the next row to hand out, what was handed out, and
    the counts that tell a server going round from a list that is changing."""

    __slots__ = (
        "anchored", "backups", "ceiling", "eager", "fetcher", "first", "fresh_before",
        "frontier", "id_of", "items_out", "last_total", "many", "pages_out", "plan",
        "position", "previous", "repeats", "size", "structure", "tracker",
    )  # fmt: skip

    def __init__(
        self,
        fetch: FetchPage,
        structure: Callable[[Any], T],
        plan: Plan,
        tracker: Tracker,
        id_of: Callable[[T], object] | None,
    ) -> None:
        self.fetcher = Fetcher(fetch, plan.paginated)
        self.structure = structure
        #: ``structure`` for a whole page at once, when it has such a twin
        self.many = page_structurer(structure)
        self.plan = plan
        self.tracker = tracker
        self.id_of = id_of
        self.size = size = plan.per_page
        start = plan.start
        #: the estimated index, in the list as it is now, of the first row not handed out
        self.position = 0 if start is None else start.offset * size
        if start is not None and start.after is not None and start.after.position is not None:
            self.position = start.after.position
        # Resumed from a checkpoint: its key says which rows were handed out before.
        self.anchored = tracker.anchored
        self.first = start is not None
        self.pages_out = self.items_out = 0
        self.frontier = -1  # the furthest row offset requested
        self.fresh_before = False  # the page before handed out something
        self.repeats = 0  # pages in a row that held only items handed out before
        self.backups = 0  # requests that backed up since the read last handed out an item
        self.last_total: int | None = None
        self.previous: Outline | None = None
        self.ceiling = plan.max_per_page  # the largest page a request may ask for
        self.eager = id_of is not None  # id_of reads structured items: structure every row

    def done(self) -> bool:
        """The caller's max_pages or max_items is reached."""
        plan = self.plan
        return (plan.max_pages is not None and self.pages_out >= plan.max_pages) or (
            plan.max_items is not None and self.items_out >= plan.max_items
        )

    def request(self) -> tuple[Cursor, bool, bool]:
        """The next request's cursor, whether to send it, and whether it starts before the
        next row to hand out (its first rows must then be ones handed out already)."""
        start = self.plan.start
        if self.first and start is not None and not self.anchored:
            current = start  # a plain cursor: sent as it was given
        elif self.anchored and self.plan.paginated:
            current = overlap_cursor(self.position, self.size, self.ceiling)
        else:
            current = Cursor(self.size, self.position // self.size)
        send_cursor = current.offset > 0 or self.first
        overlapping = self.anchored and 0 < current.offset * current.per_page < self.position
        self.first = False
        return current, send_cursor, overlapping

    def judge(
        self, body: Any, current: Cursor, send_cursor: bool, resume: Cursor
    ) -> tuple[Page[Any], list[Any], list[int], int]:
        """The page of ``body``, its raw rows, which of them are fresh (not handed out) and
        the list index of its first row; raises when the server repeats itself."""
        plan, tracker, id_of = self.plan, self.tracker, self.id_of
        try:
            # Items are structured once they are handed out: a page holds rows handed
            # out before (the overlap) and rows past per_page that are not.
            page, raw = decode_page(
                body, self.structure if self.eager else as_is, current if plan.paginated else None
            )
            if send_cursor and page.cursor is None:
                # A plain array or one object is the whole list: not an answer to a cursor.
                raise PaginationError(
                    "the server answered a cursor request with a body that is not a page envelope"
                )
            if plan.paginated:
                check_envelope(body, raw, current.per_page, page)
            total = page.total_results
            shifted = self.last_total is not None and total != self.last_total
            shape = outline(raw, page.results, id_of)
            previous = self.previous
            same = previous is not None and previous[0] == shape[0]
            fresh = tracker.fresh(raw)
            if (
                same
                and raw
                and not shifted
                and not tracker.moving
                and not (fresh and self.anchored)
            ):
                # (a page that overlaps the last one may hold the same rows and a new
                # one; rows shifted by a whole page, or moved by updates, are no stall)
                assert previous is not None
                check_not_repeated(
                    ids_of(raw, page.results, id_of),
                    ids_of(previous[1], previous[2], id_of),
                    resume,
                )
            row = current.offset * current.per_page  # the list index of raw[0]
            if raw and not fresh and not shifted and row > self.frontier:
                # Twice in a row is a server going round; once may be items an update
                # moved ahead of the read (in an order by a key that changes).
                self.repeats = self.repeats + 1 if self.fresh_before or self.repeats else 0
                # A last page whose rows all sort at or before the boundary of a fixed
                # key ends the read: creates before the read position shifted rows
                # handed out onto it (deletes after it kept the total), no row after
                # the boundary remains, and there is nothing left to loop on.
                ended = tracker.by_fixed_key and not page.next_page_results
                if self.repeats >= (2 if tracker.moving else 1) and not ended:
                    raise stalled(resume, len(raw))
            else:
                self.repeats = 0
        except Exception as exc:
            annotate(exc, resume)
            raise
        self.previous = shape
        self.last_total = total
        self.frontier = max(self.frontier, row)
        return page, raw, fresh, row

    def backed_up(
        self, raw: list[Any], fresh: list[int], row: int, total: int, resume: Cursor
    ) -> bool:
        """True when the page's first row was not handed out: rows moved back past the
        overlap (deletes before the read position), and some not handed out yet may sit
        before this page. The read backs up: 1/4, 1/2, 1, 2... pages."""
        if raw and fresh[:1] != [0]:
            return False
        self.backups += 1
        if self.backups > _MAX_BACKUPS:
            unsettled = PaginationError(
                f"the rows before the read position moved on each of {_MAX_BACKUPS} "
                "reads (the list is changing faster than it can be read, or the "
                "server's pages contradict each other); stopping instead of guessing"
            )
            annotate(unsettled, resume)
            raise unsettled
        step = max(1, self.size // 4) << min(self.backups - 1, 20)
        self.position = max(0, min(row, total) - step)
        return True

    def hand_out(
        self,
        page: Page[Any],
        raw: list[Any],
        fresh: list[int],
        row: int,
        current: Cursor,
        resume: Cursor,
    ) -> tuple[Page[T], bool, PaginationError | None]:
        """The page to yield (its fresh rows, structured, with its checkpoint), whether the
        read goes on, and the problem that stops it after this page."""
        plan, tracker = self.plan, self.tracker
        if self.anchored and fresh[:1] == [0]:
            # Rows before the first one handed out sort before the read position (made
            # at the front meanwhile, or before a plain cursor the read started from).
            # (fresh rises from 0 by at least 1: it ends at len - 1 only when it is all of them)
            if fresh[-1] == len(fresh) - 1:
                lead = len(fresh)
            else:
                lead = next((n for n, i in enumerate(fresh) if n != i), len(fresh))
            if lead < len(raw):
                fresh = fresh[lead:]
        self.fresh_before = bool(fresh)
        if fresh:
            self.backups = 0  # progress: the read is not going round in circles
        room = self.size if plan.paginated else len(raw)
        if plan.max_items is not None:
            room = min(room, plan.max_items - self.items_out)
        take = fresh[:room]
        left = len(fresh) > len(take)  # new rows on this page that were not handed out
        truncated = left and plan.max_items is not None and len(take) == room < self.size
        if take:
            self.position = row + take[-1] + 1
        elif raw:
            self.position = max(self.position, row + len(raw))  # creates before moved rows on
        results = page.results
        if len(take) != len(raw):
            if take and take[-1] - take[0] == len(take) - 1:
                raw = raw[take[0] : take[-1] + 1]  # consecutive rows (always, by a fixed key)
                if self.eager:
                    results = results[take[0] : take[-1] + 1]
            else:
                raw = [raw[i] for i in take]
                if self.eager:
                    results = tuple(results[i] for i in take)
        if not self.eager:
            try:
                many = self.many
                results = many(raw) if many is not None else tuple(map(self.structure, raw))
            except Exception as exc:
                annotate(exc, resume)
                raise
        tracker.hand_out(raw, page.total_results, self.position)
        self.anchored = self.anchored or tracker.anchored
        more = plan.paginated and (page.next_page_results or left)
        problem: PaginationError | None = None
        after = tracker.checkpoint(self.size, self.position, page.total_results)
        if not plan.paginated and page.next_page_results:
            problem = PaginationError(
                "the server paged a list that was expected whole; read it with "
                "paginated=True to get the rest"
            )
        elif page.cursor is not None and page.next_page_results:
            problem = following(page, current, current.per_page, after)
        if more and problem is None and plan.prefetch:
            self.fetcher.read_ahead(self.read_ahead(page, len(results)))
        if page.cursor is not None:
            page = rebuilt(page, results, after, truncated)
        elif results is not page.results:
            page = rebuilt(page, results)
        return page, bool(more), problem

    def read_ahead(self, page: Page[Any], handed_out: int) -> list[Cursor]:
        """The requests of the following pages if the list stays still (never past its
        known end or a limit); a page that turns out otherwise cancels the rest."""
        plan = self.plan
        wanted = plan.prefetch
        if plan.max_pages is not None:
            wanted = min(wanted, plan.max_pages - self.pages_out - 1)
        if plan.max_items is not None:
            left = plan.max_items - self.items_out - handed_out
            wanted = min(wanted, -(-left // plan.per_page))
        cursors: list[Cursor] = []
        at = self.position
        for n in range(max(wanted, 0)):
            if n and at >= page.total_results:
                break  # the page right after is always worth asking for
            cursor = overlap_cursor(at, plan.per_page, plan.max_per_page)
            cursors.append(cursor)
            # What that page hands out: per_page rows, or fewer where it ends sooner (an
            # overlapping page no longer than per_page), so the next guess starts there.
            at = min(at + plan.per_page, (cursor.offset + 1) * cursor.per_page)
        return cursors


def rebuilt(
    page: Page[Any],
    results: tuple[T, ...],
    checkpoint: Cursor | None = None,
    truncated: bool | None = None,
) -> Page[T]:
    """``page`` with other results (and checkpoint): ``attrs.evolve`` costs ~8x more,
    twice per page."""
    return Page(
        results,
        page.count,
        page.total_results,
        page.total_pages,
        page.next_cursor,
        page.prev_cursor,
        page.next_page_results,
        page.prev_page_results,
        page.extra_stats,
        page.cursor,
        page.truncated if truncated is None else truncated,
        page.checkpoint if checkpoint is None else checkpoint,
    )
