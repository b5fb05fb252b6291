"""``Page[T]`` and the paginated read engine, independent of HTTP.

The engine follows Plane's real rules (see the server's ``OffsetPaginator``):

- ``per_page`` is sent with every request, cursors included: the server slices by the
  ``per_page`` query parameter (default 1000) and ignores the size inside the cursor.
- ``next_cursor`` is never empty, even on the last page: the read stops on
  ``next_page_results == false``.
- Pages are LIMIT/OFFSET slices, so writes during a long read shift them: the engine
  judges each row by the list's order key against the last one it handed out
  (``_keyset``), starts every request a few rows before the next one to hand out
  (``_overlap``) and backs up when the first of those rows is not one handed out (rows
  moved back, whatever the total says).
- A server that returns the same cursor or the same page again raises
  ``PaginationStalledError`` instead of looping forever.

Resources give a ``fetch(params) -> body`` callable (it owns the path, the limiter and the
retries) and a per-item ``structure`` callable; this module does the rest, with the page
requests and their read-ahead in ``_fetcher.py``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any, TypeVar

import attrs

from .._errors import BadRequestError, PaginationError, PlaneValueError
from .._protocol.checks import check_per_page
from .cursor import Cursor
from .fetcher import Fetcher, FetchPage, annotate
from .guards import Outline, check_not_repeated, following, ids_of, outline, stalled
from .keyset import OrderKey, Tracker
from .overlap import overlap_cursor
from .page import (
    DEFAULT_PER_PAGE,
    Page,
    as_is,
    check_envelope,
    decode_page,
    page_from_body,
)
from .stream import ResultStream

__all__ = [
    "DEFAULT_PER_PAGE",
    "FetchPage",
    "Page",
    "check_per_page",
    "iter_items",
    "iter_pages",
    "page_from_body",
]

T = TypeVar("T")


def iter_pages(
    fetch: FetchPage,
    structure: Callable[[Any], T],
    *,
    per_page: int | None = None,
    cursor: str | Cursor | None = None,
    max_per_page: int = DEFAULT_PER_PAGE,
    max_pages: int | None = None,
    max_items: int | None = None,
    dedupe: bool = False,
    prefetch: int = 0,
    id_of: Callable[[T], object] | None = None,
    paginated: bool = True,
    order: OrderKey | None = None,
) -> AsyncGenerator[Page[T], None]:
    """Read a list page by page: an async generator of ``Page[T]``.

    The arguments are checked now, before any request (``PlaneValueError``):

    - ``per_page`` defaults to the size inside ``cursor``, else to 100; it must be within
      ``1..max_per_page``. A ``cursor`` made with another page size is refused.
    - ``cursor`` (from ``page.resume_cursor`` or an error's ``.cursor``) starts there.
    - ``max_pages`` / ``max_items`` stop early (the page that crosses ``max_items`` is cut,
      with ``truncated=True``).
    - ``order`` is the list's order key (``_keyset.OrderKey``): rows are judged against
      the last key handed out, so no item is repeated and none that stays is skipped
      while the list changes; without it the ids handed out are remembered.
    - ``dedupe`` also remembers the ids handed out (for an order whose key can change).
    - ``prefetch=N`` fetches up to N following pages while the caller works on the current
      one; pages still come out in order.
    - ``paginated=False`` is for endpoints that answer everything at once (a plain array or
      one object): ``fetch`` is called once with no parameters.

    A failing request re-raises its error with ``.cursor`` set to the cursor of the page
    that failed (resuming with it completes the read) and a note naming the page.
    """
    plan = _plan(
        per_page=per_page,
        cursor=cursor,
        max_per_page=max_per_page,
        max_pages=max_pages,
        max_items=max_items,
        prefetch=prefetch,
        paginated=paginated,
    )
    after = plan.start.after if plan.start is not None else None
    if after is not None and (
        order is None or order.parse is None or after.order_by != order.order_by
    ):
        made = f"order_by={after.order_by!r}"
        now = (
            "an order it cannot resume by key"
            if order is None or order.parse is None
            else (f"order_by={order.order_by!r}")
        )
        raise PlaneValueError(
            f"this checkpoint was made by a read with {made}; this read uses {now}. Resume "
            "it with the same list and order_by."
        )
    tracker = Tracker(order, after, remember_ids=dedupe)
    return _read(fetch, structure, plan, tracker=tracker, id_of=id_of)


def iter_items(
    fetch: FetchPage,
    structure: Callable[[Any], T],
    *,
    per_page: int | None = None,
    cursor: str | Cursor | None = None,
    max_per_page: int = DEFAULT_PER_PAGE,
    max_pages: int | None = None,
    max_items: int | None = None,
    dedupe: bool = False,
    prefetch: int = 0,
    id_of: Callable[[T], object] | None = None,
    paginated: bool = True,
    order: OrderKey | None = None,
) -> ResultStream[T]:
    """Like ``iter_pages`` but yields the items of every page, in order.

    The stream's ``take_ready()`` hands over the items of the current page not yielded
    yet, without waiting (the blocking client moves them to its thread in one hop).
    """
    pages = iter_pages(
        fetch,
        structure,
        per_page=per_page,
        cursor=cursor,
        max_per_page=max_per_page,
        max_pages=max_pages,
        max_items=max_items,
        dedupe=dedupe,
        prefetch=prefetch,
        id_of=id_of,
        paginated=paginated,
        order=order,
    )
    ready = _Ready()
    return ResultStream(_items(pages, ready), "iter_items(...)", ready.take)


class _Ready:
    """The rest of the page ``_items`` is yielding from (None between pages)."""

    __slots__ = ("rest",)

    def __init__(self) -> None:
        self.rest: Iterator[Any] | None = None

    def take(self) -> list[Any]:
        """The page's items not yielded yet; ``_items`` then goes on with the next page."""
        rest = self.rest
        return [] if rest is None else list(rest)


async def _items(pages: AsyncGenerator[Page[T], None], ready: _Ready) -> AsyncGenerator[T, None]:
    # aclosing: leaving this generator early closes the page reader (and its prefetch).
    async with contextlib.aclosing(pages):
        try:
            async for page in pages:
                # iterated through ``ready.rest``: what ``take`` hands over, this loop skips
                ready.rest = rest = iter(page.results)
                for item in rest:
                    yield item
        finally:
            ready.rest = None


# ---------------------------------------------------------------------------- planning


@attrs.frozen
class _Plan:
    per_page: int
    max_per_page: int
    start: Cursor | None
    max_pages: int | None
    max_items: int | None
    prefetch: int
    paginated: bool


def _check_count(name: str, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PlaneValueError(f"{name} must be None or an integer >= 0, got {value!r}")


def _plan(
    *,
    per_page: int | None,
    cursor: str | Cursor | None,
    max_per_page: int,
    max_pages: int | None,
    max_items: int | None,
    prefetch: int,
    paginated: bool,
) -> _Plan:
    _check_count("max_pages", max_pages)
    _check_count("max_items", max_items)
    _check_count("prefetch", prefetch)
    if not paginated:
        if per_page is not None or cursor is not None:
            raise PlaneValueError(
                "this list is not paginated (the server returns it whole): "
                "per_page and cursor do not apply"
            )
        return _Plan(1, max_per_page, None, max_pages, max_items, 0, paginated=False)
    size = check_per_page(per_page, max_per_page=max_per_page)
    start = None if cursor is None else Cursor.parse(cursor)
    if start is not None:
        if size is None:
            try:
                size = check_per_page(start.per_page, max_per_page=max_per_page)
            except PlaneValueError as exc:
                raise PlaneValueError(f"cursor {str(start)!r} was made with {exc}") from None
        elif size != start.per_page:
            raise PlaneValueError(
                f"cursor {str(start)!r} was made with per_page={start.per_page}, not "
                f"per_page={size}: its offset counts pages of {start.per_page} items. "
                f"Leave per_page out (or pass {start.per_page}) to resume from it."
            )
    if size is None:
        size = min(DEFAULT_PER_PAGE, max_per_page)
    return _Plan(size, max_per_page, start, max_pages, max_items, prefetch, paginated=True)


# ---------------------------------------------------------------------------- reading


async def _read(
    fetch: FetchPage,
    structure: Callable[[Any], T],
    plan: _Plan,
    *,
    tracker: Tracker,
    id_of: Callable[[T], object] | None,
) -> AsyncGenerator[Page[T], None]:
    """The read loop: positions to read from, keys and ids to judge rows by.

    Every request after the first starts a few rows before the next row to hand out
    (``_overlap``): when its first row is not one handed out already, rows moved back
    (deletes before the read position, whatever the total says) and the read backs up.
    """
    fetcher = Fetcher(fetch, plan.paginated)
    size = plan.per_page
    start = plan.start
    # the estimated index, in the list as it is now, of the first row not handed out
    position = 0 if start is None else start.offset * size
    if start is not None and start.after is not None and start.after.position is not None:
        position = start.after.position
    # Resumed from a checkpoint: its key says which rows were handed out before.
    anchored = tracker.anchored
    first = start is not None
    pages_out = items_out = 0
    frontier = -1  # the furthest row offset requested
    fresh_before = False  # the page before handed out something
    repeats = 0  # pages in a row that held only items handed out before
    backups = 0  # requests that backed up since the read last handed out an item
    last_total: int | None = None
    previous: Outline | None = None
    ceiling = plan.max_per_page  # the largest page a request may ask for
    eager = id_of is not None  # id_of reads structured items: structure every row
    try:
        while True:
            if plan.max_pages is not None and pages_out >= plan.max_pages:
                return
            if plan.max_items is not None and items_out >= plan.max_items:
                return
            if first and start is not None and not anchored:
                current = start  # a plain cursor: sent as it was given
            elif anchored and plan.paginated:
                current = overlap_cursor(position, size, ceiling)
            else:
                current = Cursor(size, position // size)
            send_cursor = current.offset > 0 or first
            # the request starts before the next row to hand out: its first rows must be
            # ones handed out already
            overlapping = anchored and 0 < current.offset * current.per_page < position
            first = False
            resume = tracker.checkpoint(size, position, last_total)
            try:
                body = await fetcher.get(current, send_cursor, resume)
            except BadRequestError:
                if current.per_page <= size:
                    raise
                # The server refuses pages larger than the caller's per_page although the
                # client allows them (max_per_page above the server's limit): overlap
                # within per_page for the rest of this read.
                ceiling = size
                continue
            try:
                # Items are structured once they are handed out: a page holds rows handed
                # out before (the overlap) and rows past per_page that are not.
                page, raw = decode_page(
                    body, structure if eager else as_is, current if plan.paginated else None
                )
                if send_cursor and page.cursor is None:
                    # A plain array or one object is the whole list: not an answer to a cursor.
                    raise PaginationError(
                        "the server answered a cursor request with a body that is not a "
                        "page envelope"
                    )
                if plan.paginated:
                    check_envelope(body, raw, current.per_page)
                total = page.total_results
                shifted = last_total is not None and total != last_total
                shape = outline(raw, page.results, id_of)
                same = previous is not None and previous[0] == shape[0]
                fresh = tracker.fresh(raw)
                if same and raw and not shifted and not tracker.moving and not (fresh and anchored):
                    # (a page that overlaps the last one may hold the same rows and a new
                    # one; rows shifted by a whole page, or moved by updates, are no stall)
                    assert previous is not None
                    check_not_repeated(
                        ids_of(raw, page.results, id_of),
                        ids_of(previous[1], previous[2], id_of),
                        resume,
                    )
                row = current.offset * current.per_page  # the list index of raw[0]
                if raw and not fresh and not shifted and row > frontier:
                    # Twice in a row is a server going round; once may be items an update
                    # moved ahead of the read (in an order by a key that changes).
                    repeats = repeats + 1 if fresh_before or repeats else 0
                    # A last page whose rows all sort at or before the boundary of a fixed
                    # key ends the read: creates before the read position shifted rows
                    # handed out onto it (deletes after it kept the total), no row after
                    # the boundary remains, and there is nothing left to loop on.
                    ended = tracker.by_fixed_key and not page.next_page_results
                    if repeats >= (2 if tracker.moving else 1) and not ended:
                        raise stalled(resume, len(raw))
                else:
                    repeats = 0
            except Exception as exc:
                annotate(exc, resume)
                raise
            previous = shape
            last_total = total
            frontier = max(frontier, row)
            if overlapping and (not raw or fresh[:1] == [0]):
                # The page's first row was not handed out: rows moved back past the
                # overlap (deletes before the read position), and some not handed out yet
                # may sit before this page. Back up: 1/4, 1/2, 1, 2... pages.
                backups += 1
                if backups > _MAX_BACKUPS:
                    unsettled = PaginationError(
                        f"the rows before the read position moved on each of {_MAX_BACKUPS} "
                        "reads (the list is changing faster than it can be read, or the "
                        "server's pages contradict each other); stopping instead of guessing"
                    )
                    annotate(unsettled, resume)
                    raise unsettled
                step = max(1, size // 4) << min(backups - 1, 20)
                position = max(0, min(row, total) - step)
                continue
            if anchored and fresh[:1] == [0]:
                # Rows before the first one handed out sort before the read position (made
                # at the front meanwhile, or before a plain cursor the read started from).
                lead = next((n for n, i in enumerate(fresh) if n != i), len(fresh))
                if lead < len(raw):
                    fresh = fresh[lead:]
            fresh_before = bool(fresh)
            if fresh:
                backups = 0  # progress: the read is not going round in circles
            room = size if plan.paginated else len(raw)
            if plan.max_items is not None:
                room = min(room, plan.max_items - items_out)
            take = fresh[:room]
            left = len(fresh) > len(take)  # new rows on this page that were not handed out
            truncated = left and plan.max_items is not None and len(take) == room < size
            if take:
                position = row + take[-1] + 1
            elif raw:
                position = max(position, row + len(raw))  # creates before moved rows on
            if len(take) != len(raw):
                raw = [raw[i] for i in take]
                if eager:
                    page = _rebuilt(page, tuple(page.results[i] for i in take))
            if not eager:
                try:
                    page = _rebuilt(page, tuple(map(structure, raw)))
                except Exception as exc:
                    annotate(exc, resume)
                    raise
            tracker.hand_out(raw)
            anchored = anchored or tracker.anchored
            more = plan.paginated and (page.next_page_results or left)
            problem: PaginationError | None = None
            after = tracker.checkpoint(size, position, total)
            if not plan.paginated and page.next_page_results:
                problem = PaginationError(
                    "the server paged a list that was expected whole; read it with "
                    "paginated=True to get the rest"
                )
            elif page.cursor is not None and page.next_page_results:
                problem = following(page, current, current.per_page, after)
            if more and problem is None and plan.prefetch:
                fetcher.read_ahead(_read_ahead(position, page, plan, pages_out, items_out))
            if page.cursor is not None:
                page = _rebuilt(page, page.results, after, truncated)
            if page.results or (pages_out == 0 and not more):
                yield page
                pages_out += 1
                items_out += len(page.results)
            if problem is not None:
                done = (plan.max_pages is not None and pages_out >= plan.max_pages) or (
                    plan.max_items is not None and items_out >= plan.max_items
                )
                if done:
                    return
                raise problem
            if not more:
                return
    finally:
        await fetcher.cancel()


def _rebuilt(
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


#: how many times the read may step back before giving up (a list that never settles)
_MAX_BACKUPS = 50


def _read_ahead(
    position: int, page: Page[T], plan: _Plan, pages_out: int, items_out: int
) -> list[Cursor]:
    """The requests of the following pages if the list stays still (never past its known
    end or a limit); a page that turns out otherwise cancels the rest."""
    wanted = plan.prefetch
    if plan.max_pages is not None:
        wanted = min(wanted, plan.max_pages - pages_out - 1)
    if plan.max_items is not None:
        left = plan.max_items - items_out - len(page.results)
        wanted = min(wanted, -(-left // plan.per_page))
    cursors: list[Cursor] = []
    for n in range(max(wanted, 0)):
        at = position + n * plan.per_page
        if n and at >= page.total_results:
            break  # the page right after is always worth asking for
        cursors.append(overlap_cursor(at, plan.per_page, plan.max_per_page))
    return cursors
