"""Rows and tables of the v1 endpoints added in Plane 1.2-1.3: estimates, relations, file
assets (with the fake object storage), stickies and invitations.

They live beside the :class:`Store` rather than in it: ``extras(store)`` returns the
tables of one store (created on first use).
"""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Callable
from typing import Any

import attrs

from ._rows import ImportedRow, Row
from ._store import Store

__all__ = [
    "EstimatePointRow",
    "EstimateRow",
    "Extras",
    "FileRow",
    "InvitationRow",
    "RelationRow",
    "StickyRow",
    "StorageRecord",
    "audit",
    "extras",
]

#: Plane's FILE_SIZE_LIMIT default (5 MiB)
FILE_SIZE_LIMIT = 5 * 1024 * 1024


@attrs.define(eq=False)
class EstimateRow(Row):
    project_id: str
    name: str
    description: str = ""
    type: str = "categories"
    last_used: bool = False


@attrs.define(eq=False)
class EstimatePointRow(Row):
    project_id: str
    estimate_id: str
    key: int
    value: str
    description: str = ""


@attrs.define(eq=False)
class RelationRow(Row):
    """``issue_id`` -> ``related_issue_id`` with a stored type (blocked_by, duplicate,
    relates_to, start_before, finish_before), as Plane keeps them."""

    project_id: str
    issue_id: str
    related_issue_id: str
    relation_type: str


@attrs.define(eq=False)
class FileRow(ImportedRow):
    """A FileAsset: a work-item attachment (``issue_id`` set) or a workspace asset."""

    project_id: str | None
    issue_id: str | None
    name: str
    content_type: str
    size: int
    key: str
    entity_type: str = "ISSUE_ATTACHMENT"
    is_uploaded: bool = False
    is_deleted: bool = False


@attrs.define(eq=False)
class StickyRow(Row):
    owner: str
    name: str | None = None
    description_html: str = "<p></p>"
    description_stripped: str | None = None
    color: str | None = None
    background_color: str | None = None
    logo_props: dict[str, Any] = attrs.Factory(dict)
    sort_order: float = 65535.0


@attrs.define(eq=False)
class InvitationRow:
    id: str
    email: str
    role: int
    created_at: float
    updated_at: float
    accepted: bool = False
    responded_at: float | None = None
    created_by: str | None = None


@attrs.frozen
class StorageRecord:
    """One request the fake object storage received. ``api_key_sent`` is True when it
    carried an ``X-API-Key`` header (a client must never send one there)."""

    method: str
    path: str
    status: int
    api_key_sent: bool


@attrs.define(eq=False)
class Extras:
    """The tables of one store, and the fake object storage's state."""

    estimates: dict[str, EstimateRow] = attrs.Factory(dict)
    estimate_points: dict[str, EstimatePointRow] = attrs.Factory(dict)
    relations: dict[str, RelationRow] = attrs.Factory(dict)
    files: dict[str, FileRow] = attrs.Factory(dict)
    stickies: dict[str, StickyRow] = attrs.Factory(dict)
    invitations: dict[str, InvitationRow] = attrs.Factory(dict)
    #: the storage's objects by key
    objects: dict[str, bytes] = attrs.Factory(dict)
    #: the largest file the server presigns an upload for (Plane's FILE_SIZE_LIMIT)
    file_size_limit: int = FILE_SIZE_LIMIT
    #: statuses the storage answers to its next requests, first one first (fault injection)
    storage_faults: list[int] = attrs.Factory(list)
    storage_requests: list[StorageRecord] = attrs.Factory(list)
    #: set when the server starts: where presigned links point
    storage_url: str = ""
    secret: bytes = attrs.Factory(lambda: secrets.token_bytes(16))


_EXTRAS: weakref.WeakKeyDictionary[Store, Extras] = weakref.WeakKeyDictionary()


def extras(store: Store) -> Extras:
    """The extra tables of ``store``."""
    found = _EXTRAS.get(store)
    if found is None:
        found = _EXTRAS[store] = Extras()
    return found


def audit(dt: Callable[[float | None], str | None], row: Row) -> dict[str, Any]:
    """The id and times every serializer of a Plane model starts with."""
    return {
        "id": row.id,
        "created_at": dt(row.created_at),
        "updated_at": dt(row.updated_at),
        "deleted_at": dt(row.deleted_at),
    }
