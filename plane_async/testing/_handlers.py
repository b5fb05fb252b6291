"""Building blocks of the route handlers: paging, row lookup, create/update stamps, delete."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ._paginator import envelope, parse_page_request
from ._router import ApiError, Call, Reply, not_found
from ._rows import ImportedRow, Row

__all__ = [
    "assign",
    "check_unique_name",
    "insert",
    "live_or_404",
    "new_row",
    "page",
    "soft_delete",
    "touched",
]

R = TypeVar("R", bound=Row)


def page(c: Call, rows: Any, render: Callable[[Any], Any]) -> Reply:
    """The paginated envelope of ``rows``, each rendered and shaped by fields/expand."""
    request = parse_page_request(c.query, max_per_page=c.max_per_page)
    fields, expand, shape = c.fields, c.expand, c.render.shape
    return 200, envelope(rows, request, lambda r: shape(render(r), fields, expand))


def live_or_404(c: Call, table: dict[str, Any], key: str) -> Any:
    """The live row of ``table`` in this project named by path parameter ``key``, else 404."""
    row = c.store.live(table, c.params[key], c.project.id)
    if row is None:
        raise not_found()
    return row


def new_row(c: Call) -> dict[str, Any]:
    """The id and audit fields of a row created by this request."""
    now = c.store.now()
    return {"id": c.store.new_id(), "created_by": c.actor, "created_at": now, "updated_at": now}


def insert(c: Call, table: dict[str, R], row: R) -> R:
    """Store a new row (and index its external ids, if it has any)."""
    table[row.id] = row
    if isinstance(row, ImportedRow):
        c.store.index_external(table, row)
    return row


def assign(row: Any, data: dict[str, Any], keys: Iterable[str], *, skip_none: bool = False) -> None:
    """Copy the ``keys`` present in ``data`` onto ``row`` (``skip_none``: leave defaults)."""
    for key in keys:
        if key in data and not (skip_none and data[key] is None):
            setattr(row, key, data[key])


def touched(c: Call, table: dict[str, Any], row: Row) -> None:
    """Stamp an update by this request (and re-index the row's external ids)."""
    row.updated_at = c.store.now()
    row.updated_by = c.actor
    if isinstance(row, ImportedRow):
        c.store.index_external(table, row)


def soft_delete(c: Call, row: Row) -> Reply:
    """Plane's soft delete: the row stays with ``deleted_at`` set; 204."""
    row.deleted_at = c.store.now()
    return 204, None


def check_unique_name(
    c: Call, table: dict[str, Any], data: dict[str, Any], current: Any, what: str
) -> None:
    """409 naming the other row when a live row of the project already has this name."""
    name = data.get("name")
    if name is None:
        return
    for other in c.store.project_rows(table, c.project.id):
        if other is not current and other.name == name:
            message = f"{what} with the same name already exists in the project"
            raise ApiError(409, {"error": message, "id": other.id})
