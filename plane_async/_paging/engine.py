"""``Page[T]`` and the paginated read engine, independent of HTTP.

The engine follows Plane's real rules (see the server's ``OffsetPaginator``):

- ``per_page`` is sent with every request, cursors included: the server slices by the
  ``per_page`` query parameter (default 1000) and ignores the size inside the cursor.
- ``next_cursor`` is never empty, even on the last page: the read stops on
  ``next_page_results == false``.
- Pages are LIMIT/OFFSET slices, so writes during a long read shift them: the engine
  judges each row by the list's order key against the last one it handed out
  (``keyset``), starts every request a few rows before the next one to hand out
  (``overlap``) and backs up when the first of those rows is not one handed out (rows
  moved back, whatever the total says).
- A server that returns the same cursor or the same page again raises
  ``PaginationStalledError`` instead of looping forever.

Resources give a ``fetch(params) -> body`` callable (it owns the path, the limiter and the
retries) and a per-item ``structure`` callable; this module checks and plans the read,
``read`` runs its loop and ``fetcher`` sends the page requests and their read-ahead.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any, TypeVar

from .._errors import PlaneValueError
from .._protocol.checks import check_per_page
from .cursor import Cursor
from .fetcher import FetchPage
from .keyset import OrderKey, Tracker
from .page import (
    DEFAULT_PER_PAGE,
    Page,
    page_from_body,
)
from .read import Plan, read
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
    return read(fetch, structure, plan, tracker=tracker, id_of=id_of)


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
) -> Plan:
    _check_count("max_pages", max_pages)
    _check_count("max_items", max_items)
    _check_count("prefetch", prefetch)
    if not paginated:
        if per_page is not None or cursor is not None:
            raise PlaneValueError(
                "this list is not paginated (the server returns it whole): "
                "per_page and cursor do not apply"
            )
        return Plan(1, max_per_page, None, max_pages, max_items, 0, paginated=False)
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
    return Plan(size, max_per_page, start, max_pages, max_items, prefetch, paginated=True)
