"""``Page[T]``: one page of a list with the server's envelope, and how bodies become pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

import attrs

from .._errors import PaginationError
from .._models._pydantic_hooks import PydanticSerializer
from .cursor import Cursor

__all__ = ["DEFAULT_PER_PAGE", "Page", "check_envelope", "page_from_body"]

T = TypeVar("T")


DEFAULT_PER_PAGE = 100


@attrs.frozen
class Page(Generic[T]):
    """One page of a list, with the server's envelope.

    ``next_cursor`` is what the server sent: it is never empty, even on the last page, so
    check ``next_page_results``. ``prev_cursor`` is ``None`` on the first page (the server
    sends an unusable ``"N:-1:1"``). ``cursor`` fetched this page; ``resume_cursor`` is the
    checkpoint to restart right after it. A body that was not paginated (a plain array, a
    single object) gives one page whose cursors are all ``None``.
    """

    #: the items, in the server's order (fewer than ``count`` when dedupe or max_items cut)
    results: tuple[T, ...]
    #: how many items the server put on this page
    count: int
    total_results: int
    total_pages: int
    next_cursor: Cursor | None
    prev_cursor: Cursor | None
    next_page_results: bool
    prev_page_results: bool
    extra_stats: object | None
    #: the cursor that fetched this page (``None`` for a body that was not paginated)
    cursor: Cursor | None
    #: ``max_items`` cut this page short: its remaining items were not handed out
    truncated: bool = False
    #: the checkpoint after this page (set by the read engine; see ``resume_cursor``)
    checkpoint: Cursor | None = attrs.field(default=None, repr=False)

    @property
    def resume_cursor(self) -> Cursor:
        """The checkpoint to restart a read right after this page's items.

        Pass it (or ``str()`` of it) back as ``cursor=``: it carries the next page and the
        last key handed out, so the resumed read yields no item twice and misses none
        that existed at both times, whatever was created or deleted in between. When
        ``max_items`` cut this page, it resumes with the items not handed out. A list the
        server does not paginate (members, an external-id lookup) has nothing to resume:
        reading this raises ``PaginationError``.
        """
        if self.checkpoint is not None:
            return self.checkpoint
        if self.cursor is None:
            raise PaginationError(
                "this page is a whole list the server does not paginate (members, an "
                "external-id lookup): it has no cursor to resume from; read the list again"
            )
        return self.cursor if self.truncated else self.cursor.next_page()

    #: what pydantic's serialiser looks for on a value typed ``Any``
    __pydantic_serializer__: ClassVar[Any] = PydanticSerializer()

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """pydantic v2 support: a FastAPI route may return ``Page[Issue]``; it is sent as
        the envelope, with cursors as strings and the items as ``to_dict()`` gives them."""
        from .pydantic import page_schema  # pydantic is optional: loaded when it asks

        return page_schema(source, handler)


def page_from_body(
    body: Any, structure: Callable[[Any], T], cursor: Cursor | None = None
) -> Page[T]:
    """Build a ``Page`` from a response body: an envelope, a plain array or one object.

    ``cursor`` is the cursor the request sent (``None`` for the first page). Raises
    ``PaginationError`` for any other shape.
    """
    return decode_page(body, structure, cursor)[0]


# ---------------------------------------------------------------------------- decoding


def check_envelope(body: Any, raw: list[Any], per_page: int, page: Page[Any] | None = None) -> None:
    """Refuse a page whose envelope contradicts itself (``PaginationError``).

    Plane computes the page and ``next_page_results`` from one slice of ``per_page + 1``
    rows, so they always agree; a server where they do not would make the read skip or
    repeat items. ``page``: the page decoded from ``body`` (its cursor is not read twice).
    """
    if not isinstance(body, dict):
        return
    n = len(raw)
    problem = None
    if page is not None and page.cursor is not None:
        nxt = page.next_cursor  # an envelope's next_cursor, parsed once by decode_page
    else:
        nxt = Cursor.from_server(body.get("next_cursor"))
    if nxt is not None and nxt.per_page != per_page and body.get("next_page_results") is True:
        raise PaginationError(
            f"the server paged by {nxt.per_page} items, not the per_page={per_page} that was "
            f"sent (next_cursor {nxt.wire!r}); continuing would skip items. Use "
            f"per_page={nxt.per_page} or less."
        )
    if n > per_page:
        problem = f"{n} items on a page of per_page={per_page}"
    elif body.get("next_page_results") is True and n < per_page:
        problem = f"next_page_results=true on a page of {n} items, short of per_page={per_page}"
    if problem is not None:
        raise PaginationError(
            f"the server's page contradicts itself ({problem}); following it could skip or "
            "repeat items"
        )


def _int(body: dict[str, Any], key: str, default: int) -> int:
    value = body.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def as_is(row: Any) -> Any:
    """The ``structure`` that keeps rows as they are (decoded without a call per row)."""
    return row


def _structured(structure: Callable[[Any], T], raw: list[Any]) -> tuple[T, ...]:
    return tuple(raw) if structure is as_is else tuple(map(structure, raw))


def decode_page(
    body: Any, structure: Callable[[Any], T], cursor: Cursor | None
) -> tuple[Page[T], list[Any]]:
    """The page and the raw items it was built from (for ids)."""
    if isinstance(body, dict) and "results" in body:
        return _decode_envelope(body, structure, cursor)
    if isinstance(body, list):
        raw = body
    elif isinstance(body, dict):
        raw = [body]
    else:
        raise PaginationError(
            "unexpected response body: expected a page envelope, a JSON array or a JSON "
            f"object, got {type(body).__name__}"
        )
    n = len(raw)
    results = _structured(structure, raw)
    page = Page(results, n, n, 1 if n else 0, None, None, False, False, None, None)
    return page, raw


def _decode_envelope(
    body: dict[str, Any], structure: Callable[[Any], T], cursor: Cursor | None
) -> tuple[Page[T], list[Any]]:
    raw = body["results"]
    more = body.get("next_page_results")
    if not isinstance(raw, list) or not isinstance(more, bool):
        raise PaginationError(
            "unexpected page envelope: 'results' must be an array and 'next_page_results' "
            f"a boolean, got {type(raw).__name__} and {type(more).__name__}"
        )
    next_cursor = Cursor.from_server(body.get("next_cursor"))
    if cursor is None and next_cursor is not None and next_cursor.offset >= 1:
        cursor = Cursor(next_cursor.per_page, next_cursor.offset - 1)
    total = _int(body, "total_results", _int(body, "total_count", len(raw)))
    prev = body.get("prev_page_results")
    page = Page(
        results=_structured(structure, raw),
        count=_int(body, "count", len(raw)),
        total_results=total,
        total_pages=_int(body, "total_pages", 0),
        next_cursor=next_cursor,
        prev_cursor=Cursor.from_server(body.get("prev_cursor")),
        next_page_results=more,
        prev_page_results=prev if isinstance(prev, bool) else bool(cursor and cursor.offset),
        extra_stats=body.get("extra_stats"),
        cursor=cursor,
    )
    return page, raw
