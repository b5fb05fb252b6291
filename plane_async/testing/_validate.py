"""Input checks shared by the routes, with DRF's error wording."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ._router import ApiError, Call

__all__ = [
    "check_choice",
    "check_external_conflict",
    "parse_date",
    "parse_datetime",
    "require",
]

REQUIRED = "This field is required."


def require(data: dict[str, Any], *names: str, max_length: int = 255) -> dict[str, list[str]]:
    """Field errors for required string fields that are missing, blank or too long."""
    errors: dict[str, list[str]] = {}
    for name in names:
        value = data.get(name)
        if value is None:
            errors[name] = [REQUIRED if name not in data else "This field may not be null."]
        elif not isinstance(value, str):
            errors[name] = ["Not a valid string."]
        elif not value:
            errors[name] = ["This field may not be blank."]
        elif len(value) > max_length:
            errors[name] = [f"Ensure this field has no more than {max_length} characters."]
    return errors


def check_choice(
    errors: dict[str, list[str]], data: dict[str, Any], name: str, choices: Iterable[Any]
) -> None:
    if name in data and data[name] not in tuple(choices):
        errors[name] = [f'"{data[name]}" is not a valid choice.']


def raise_if(errors: dict[str, Any]) -> None:
    if errors:
        raise ApiError(400, errors)


def parse_date(errors: dict[str, list[str]], data: dict[str, Any], name: str) -> str | None:
    """A ``YYYY-MM-DD`` date (or null), recording DRF's message when malformed."""
    value = data.get(name)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        errors[name] = ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
        return None


def parse_datetime(value: Any) -> float | None:
    """An ISO date or datetime to epoch seconds (a bare date is midnight UTC)."""
    if value is None:
        return None
    text = str(value)
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(
            400,
            {"error": "Invalid date format. Use one of these formats instead: YYYY-MM-DD."},
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def check_external_conflict(
    c: Call, table: dict[str, Any], data: dict[str, Any], what: str, *, current: Any = None
) -> None:
    """409 when another live row of the project has the same external source and id.

    On create the body names the existing row; on PATCH Plane names the patched row.
    """
    source, external_id = data.get("external_source"), data.get("external_id")
    if current is not None:
        source = data.get("external_source", current.external_source)
        external_id = data.get("external_id", current.external_id)
    if not source or not external_id:
        return
    existing = c.store.find_external(table, c.project.id, source, external_id)
    if existing is None or existing is current:
        return
    raise ApiError(
        409,
        {
            "error": f"{what} with the same external id and external source already exists",
            "id": (current or existing).id,
        },
    )


def sort_key(attr: str) -> Any:
    """A sort key for ``order_by`` on an attribute that may be None."""

    def key(row: Any) -> Any:
        value = getattr(row, attr)
        return (value is not None, value)

    return key
