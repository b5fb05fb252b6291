"""Guards of the paged read: a page's outline, and the errors for a server that loops,
jumps or repeats pages (each names what was seen and the cursor to resume from)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .._errors import PaginationError, PaginationStalledError
from .cursor import Cursor
from .page import Page

__all__ = ["Outline", "check_not_repeated", "following", "ids_of", "outline", "stalled"]

T = TypeVar("T")


def ids_of(
    raw: list[Any], results: tuple[T, ...], id_of: Callable[[T], object] | None
) -> tuple[object, ...]:
    if id_of is not None:
        return tuple(map(id_of, results))
    # The raw dict's "id" is cheap and does not make a lazy model convert its id.
    return tuple(
        r.get("id") if isinstance(r, dict) else getattr(item, "id", None)
        for r, item in zip(raw, results, strict=True)
    )


def id_at(
    raw: list[Any], results: tuple[T, ...], id_of: Callable[[T], object] | None, i: int
) -> object:
    if id_of is not None:
        return id_of(results[i])
    r = raw[i]
    return r.get("id") if isinstance(r, dict) else getattr(results[i], "id", None)


Outline = tuple[tuple[int, object, object], list[Any], tuple[Any, ...]]


def outline(raw: list[Any], results: tuple[T, ...], id_of: Callable[[T], object] | None) -> Outline:
    """A page's size and first and last ids, with what its full ids are computed from.

    Two pages can only hold the same ids if their outlines are equal, so the stall guard
    compares outlines and computes the full ids (about 0.15 µs per item) only then.
    """
    if not results:
        return (0, None, None), raw, results
    n = len(results)
    return (n, id_at(raw, results, id_of, 0), id_at(raw, results, id_of, n - 1)), raw, results


def stalled(resume: Cursor, n: int) -> PaginationStalledError:
    return PaginationStalledError(
        f"the server returned a page of {n} items that were all handed out before, with "
        f"the same total: it repeats pages; stopping instead of looping forever; resume "
        f"with cursor={str(resume)!r}",
        cursor=resume,
        page=resume.offset,
    )


def check_not_repeated(
    ids: tuple[object, ...], previous: tuple[object, ...], cursor: Cursor
) -> None:
    if ids != previous or (ids and None in ids):
        return
    raise PaginationStalledError(
        f"the server returned the same page again at cursor {str(cursor)!r} "
        f"({len(ids)} items with the same ids as the page before); stopping instead of "
        "looping forever (see makeplane/plane#9340)",
        cursor=cursor,
        page=cursor.offset,
    )


def following(
    page: Page[T], current: Cursor, per_page: int, resume: Cursor
) -> PaginationError | None:
    """The error that stops the read after this page when the server's next cursor is
    wrong (a server that pages otherwise than it says would make the read skip)."""
    nxt = page.next_cursor
    if nxt is None:
        return _refused(
            PaginationError,
            f"page {current.offset} says more pages follow but its next_cursor is missing or "
            "malformed",
            resume,
        )
    if nxt.offset <= current.offset:
        return _refused(
            PaginationStalledError,
            f"the server's next_cursor {nxt.wire!r} does not move past the page it was "
            f"returned with ({current.wire!r}); stopping instead of looping forever "
            "(see makeplane/plane#9340)",
            resume,
        )
    if nxt.per_page != per_page:
        return _refused(
            PaginationError,
            f"the server paged by {nxt.per_page} items, not the per_page={per_page} that was "
            f"sent (next_cursor {nxt.wire!r}); continuing would skip items. Use "
            f"per_page={nxt.per_page} or less",
            resume,
        )
    if nxt.offset != current.offset + 1:
        return _refused(
            PaginationError,
            f"the server's next_cursor {nxt.wire!r} jumps from page {current.offset} to page "
            f"{nxt.offset}: following it would skip {nxt.offset - current.offset - 1} "
            "page(s) of items",
            resume,
        )
    return None


def _refused(kind: type[PaginationError], message: str, resume: Cursor) -> PaginationError:
    # the checkpoint is encoded only here, when a read stops: not on every page
    return kind(f"{message}; resume with cursor={str(resume)!r}", cursor=resume, page=resume.offset)
