"""Input checks and error rewording shared by the namespaces (raised before any request)."""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .._errors import BadRequestError, PlaneValueError, UnknownFieldError, reworded
from .._models import PlaneModel
from .._protocol import wire as proto
from .._types import IdLike

__all__ = [
    "check_external",
    "check_name",
    "check_update",
    "feature_hint",
    "issue_id_list",
    "order_params",
    "reworded",
]

# An order_by value: an optional "-", then a field or a Django path ("state__name").
_ORDER_BY = re.compile(r"-?([a-z][a-z0-9]*(?:_[a-z0-9]+)*)(?:__[a-z][a-z0-9]*(?:_[a-z0-9]+)*)*")

# What Plane answers when a project has modules or cycles switched off.
_DISABLED = re.compile(r"not enabled|module_view|cycle_view", re.IGNORECASE)


def check_external(external_source: object, external_id: object) -> dict[str, str]:
    """Both external ids must be non-empty strings (the server's 409 needs both);
    returns them as the two body keys of an upsert."""
    keys: dict[str, str] = {}
    for name, value in (("external_source", external_source), ("external_id", external_id)):
        if not isinstance(value, str) or not value:
            raise PlaneValueError(f"{name} must be a non-empty string, got {value!r}")
        keys[name] = value
    return keys


def check_name(name: object) -> None:
    """A ``name`` argument must be a string with something besides blanks."""
    if not isinstance(name, str) or not name.strip():
        raise PlaneValueError(f"name must be a non-empty string, got {name!r}")


def check_update(fields: Mapping[str, Any]) -> None:
    """An update must change something (an empty PATCH would only cost a request)."""
    if not fields:
        raise PlaneValueError("update needs at least one field to change")


def issue_id_list(issue_ids: Iterable[IdLike]) -> list[str]:
    """Checked ids for an add-issues body; an empty list is refused (Plane answers 400)."""
    if isinstance(issue_ids, str | bytes) or not hasattr(issue_ids, "__iter__"):
        raise PlaneValueError(f"issue_ids must be a list of work-item ids, got {issue_ids!r}")
    ids = [str(proto.check_id(i, "issue_ids")) for i in issue_ids]
    if not ids:
        raise PlaneValueError("issue_ids must hold at least one work-item id")
    return ids


def order_params(model: type[PlaneModel], order_by: str | None) -> dict[str, str]:
    """``{"order_by": ...}`` checked against ``model`` (``{}`` for None).

    Plane sorts by any field of the object (``"-"`` first for descending, a Django path such
    as ``"state__name"`` through a relation) and answers an unknown name with a 500, so a
    name whose first part is not a field is refused here, with the closest valid names.
    """
    if order_by is None:
        return {}
    if not isinstance(order_by, str):
        raise PlaneValueError(f"order_by must be a field name, got {order_by!r}")
    text = order_by.strip()
    match = _ORDER_BY.fullmatch(text)
    if match is None:
        raise PlaneValueError(
            f"order_by must be a field name, optionally with '-' for descending order and "
            f"'__' to follow a relation (e.g. '-created_at', 'state__name'), got {order_by!r}"
        )
    head = match.group(1)
    keys = model.__plane_keys__
    if head not in keys:
        close = tuple(difflib.get_close_matches(head, sorted(keys), n=3, cutoff=0.6))
        hint = (
            f"did you mean {', '.join(map(repr, close))}?"
            if close
            else (f"valid: {', '.join(sorted(keys))}")
        )
        raise UnknownFieldError(
            f"cannot order {model.__name__} by {order_by!r}: it has no field {head!r} "
            f"(the server would answer 500); {hint}",
            name=head,
            suggestions=close,
        )
    return {"order_by": text}


@contextlib.contextmanager
def feature_hint(what: str, flag: str) -> Iterator[None]:
    """Re-raise Plane's "feature not enabled" 400 with a message that says how to fix it."""
    try:
        yield
    except BadRequestError as exc:
        if not _DISABLED.search(exc.message):
            raise
        message = (
            f"{what} are not enabled for this project; enable them with "
            f"`await plane.projects.update(project_id, {flag}=True)` (server said: {exc.message})"
        )
        raise reworded(exc, message) from exc
