"""Plane's offset paginator: query parsing, errors and the envelope, exactly as CE does it."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from ._router import ApiError, server_error

__all__ = ["PageRequest", "envelope", "parse_page_request"]

T = TypeVar("T")


class PageRequest:
    """A parsed ``per_page``/``cursor`` pair: the slice is ``offset * per_page``."""

    __slots__ = ("offset", "per_page")

    def __init__(self, per_page: int, offset: int) -> None:
        self.per_page = per_page
        self.offset = offset


def parse_page_request(
    query: Mapping[str, str], *, max_per_page: int, default_per_page: int = 1000
) -> PageRequest:
    """Validate ``per_page`` and ``cursor``; raise :class:`ApiError` like the server."""
    raw = query.get("per_page")
    try:
        per_page = default_per_page if raw is None else int(raw)
    except ValueError:
        raise ApiError(400, {"detail": "Invalid per_page parameter."}) from None
    if per_page > max_per_page:
        raise ApiError(400, {"detail": f"Invalid per_page value. Cannot exceed {max_per_page}."})
    offset = 0
    is_prev = False
    value: float = per_page
    cursor = query.get("cursor")
    if cursor is not None:
        bits = cursor.split(":")
        try:
            if len(bits) != 3:
                raise ValueError(cursor)
            value = float(bits[0]) if "." in bits[0] else int(bits[0])
            offset = int(bits[1])
            is_prev = bool(int(bits[2]))
        except ValueError:
            raise ApiError(400, {"detail": "Invalid cursor parameter."}) from None
        if offset < 0:
            raise ApiError(400, {"detail": "Error in parsing"})
    if per_page <= 0:
        # ZeroDivisionError / negative slicing inside the real paginator.
        raise server_error()
    if is_prev and value != per_page:
        raise server_error()
    return PageRequest(per_page, offset)


def envelope(rows: Sequence[T], page: PageRequest, render: Callable[[T], Any]) -> dict[str, Any]:
    """The paginated envelope with every key Plane sends, rendering only the page's rows."""
    per_page, offset = page.per_page, page.offset
    total = len(rows)
    start = offset * per_page
    results = [render(r) for r in rows[start : start + per_page]]
    return {
        "grouped_by": None,
        "sub_grouped_by": None,
        "total_count": total,
        "next_cursor": f"{per_page}:{offset + 1}:0",
        "prev_cursor": f"{per_page}:{offset - 1}:1",
        "next_page_results": total > start + per_page,
        "prev_page_results": offset > 0,
        "count": len(results),
        "total_pages": math.ceil(total / per_page),
        "total_results": total,
        "extra_stats": None,
        "results": results,
    }
