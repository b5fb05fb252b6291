"""Which page request reads on from a position while overlapping the rows handed out.

Plane slices a list at ``offset = page * per_page``, and a create or delete before the read
position moves every later row. A read that starts each request exactly where the last
one ended cannot see that: a delete before it balanced by a create after it leaves even
the total unchanged. So each request starts a few rows *before* the next row to hand
out: those rows were handed out already, and if they are not on the page (its first row
is new), rows moved back by more than the overlap and the read backs up.

Many ``(per_page, page)`` pairs reach an offset just before a position, so the overlap
costs no request: the request may use a page size a little above the caller's
``per_page`` and still hand out ``per_page`` new items. Where the client's
``max_per_page`` leaves no room above it, the page hands out a few items less (about 12%
at ``per_page=max_per_page=100``); where it would hand out less than half a page, the
read goes on without overlap.
"""

from __future__ import annotations

import functools
import itertools

from .cursor import Cursor

__all__ = ["max_overlap", "overlap_cursor"]

#: rows of overlap wanted: one or two deletes before the read position between two
#: requests leave a row to recognise, so they cost no request
_WANT = 3


def max_overlap(per_page: int) -> int:
    """The most rows a request re-reads (a quarter of a page, at least ``_WANT``)."""
    return max(6, per_page // 3)


@functools.lru_cache(maxsize=4096)
def overlap_cursor(position: int, per_page: int, max_per_page: int) -> Cursor:
    """The request that reads on from row ``position`` (0-based) with overlap.

    Its page starts 1 to ``max_overlap(per_page)`` rows before ``position`` (or at the
    list's start), is at most ``max_per_page`` long and holds as many rows after
    ``position`` as possible, up to ``per_page``. Among those: up to ``_WANT`` rows of
    overlap on a page up to about twice ``per_page``, then the shortest page.
    """
    if position <= 0:
        return Cursor(per_page, 0)
    most = max_overlap(per_page)
    roomy = 2 * per_page + most  # beyond this size, overlap no longer buys page length
    # The best page so far: its size, page, new rows and overlap level. Compared as
    # ``(new, level, -size)``, without building that tuple for every size tried.
    best_size = best_page = best_new = best_level = 0
    top = max(max_per_page, 1)
    # Ascending from the caller's size (the first good page is the shortest), then
    # downward for a max_per_page that leaves no room above per_page. Lazily: the loop
    # stops after a few sizes, and a list of every size cost more than the search.
    sizes = itertools.chain(
        range(min(per_page + 1, top), top + 1), range(min(per_page, top), 0, -1)
    )
    for size in sizes:
        page = (position - 1) // size
        overlap = position - page * size  # rows of the page before ``position`` (1..size)
        if page > 0 and overlap > most:
            continue
        new = size - overlap if size - overlap < per_page else per_page
        if new <= 0:
            continue
        # At the list's start nothing can hide before the page: as good as full overlap.
        level = _WANT if page == 0 or overlap > _WANT else overlap
        if size > roomy:
            level = 1
        if new > best_new or (
            new == best_new and (level > best_level or (level == best_level and size < best_size))
        ):
            best_size, best_page, best_new, best_level = size, page, new, level
        if best_new == per_page and (best_level == _WANT or size > roomy):
            break  # no longer page can do better
        if size <= per_page and best_new >= size - 1:
            break  # no shorter page can read more
    if best_new * 2 < per_page:
        # No page can overlap and read on (max_per_page leaves no room), or overlap would
        # cost more than twice the requests (a max_per_page too tight for it): read on
        # from the page of ``position`` instead (a Cursor is built for the one returned).
        return Cursor(per_page, position // per_page)
    return Cursor(best_size, best_page)
