"""Webhook deliveries as models: one per event kind, read lazily like every other model.

Plane Community Edition posts ``{"event", "action", "webhook_id", "workspace_id", "data",
"activity"}``. ``data`` is the changed object as the API serializes it (a work item with
its labels, assignees and state expanded), or just ``{"id": ...}`` for a deletion.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any, ClassVar

from ._base import UNSET, PlaneModel, model
from ._fields import _get_raw
from .cycles import Cycle
from .enums import PlaneStrEnum
from .issues import Comment, Issue
from .modules import Module
from .projects import Project
from .users import User

__all__ = [
    "CommentEvent",
    "CycleEvent",
    "IssueEvent",
    "ModuleEvent",
    "ProjectEvent",
    "WebhookAction",
    "WebhookActivity",
    "WebhookEvent",
    "event_class",
]


class WebhookAction(PlaneStrEnum):
    """What happened. Older servers (and Plane's old docs) send ``create``/``update``/
    ``delete``, or the HTTP method; all of them read as these three."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"

    @classmethod
    def _missing_(cls, value: object) -> Any:
        alias = _ACTION_ALIASES.get(value) if isinstance(value, str) else None
        return cls(alias) if alias is not None else super()._missing_(value)


_ACTION_ALIASES = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "POST": "created",
    "PATCH": "updated",
    "PUT": "updated",
    "DELETE": "deleted",
}


@model
class WebhookActivity(PlaneModel):
    """Who changed what. On ``updated`` Plane sends one delivery per changed field:
    ``field`` names it, ``old_value`` is the stored value and ``new_value`` the value as
    the request sent it (both plain JSON). On ``created``/``deleted`` ``field`` is None."""

    field: str | None = UNSET
    old_value: Any = UNSET
    new_value: Any = UNSET
    actor: uuid.UUID | User | None = UNSET
    old_identifier: uuid.UUID | None = UNSET
    new_identifier: uuid.UUID | None = UNSET


@model
class WebhookEvent(PlaneModel):
    """One webhook delivery. :func:`plane_async.webhooks.parse_event` returns the subclass
    for the event kind (``IssueEvent``...) or this class for a kind this client does not
    know, whose ``data`` is the plain JSON object."""

    #: the ``event`` values this class is parsed for
    kinds: ClassVar[tuple[str, ...]] = ()

    event: str = UNSET
    action: WebhookAction = UNSET
    webhook_id: uuid.UUID = UNSET
    workspace_id: uuid.UUID = UNSET
    data: Any = UNSET
    #: always sent by Plane CE (a null reads as a FieldValueError)
    activity: WebhookActivity = UNSET

    @property
    def dedupe_key(self) -> str:
        """The SHA-256 of the signed body (hex): the same for every retry of one delivery
        (Plane re-sends the same bytes with a new ``X-Plane-Delivery``), different for
        every distinct change (an update is one delivery per field)."""
        key = self.__dict__.get("_dedupe_key")
        if key is None:
            # built without a body: the bytes Plane would have signed for this payload
            raw = _get_raw(self)
            body = json.dumps(raw if type(raw) is dict else dict(self.raw)).encode()
            key = hashlib.sha256(body).hexdigest()
            object.__setattr__(self, "_dedupe_key", key)
        return str(key)

    @property
    def delivery_id(self) -> str | None:
        """The ``X-Plane-Delivery`` header when the receiver passed it (new on every retry:
        log it, but deduplicate with :attr:`dedupe_key`)."""
        value = self.__dict__.get("_delivery_id")
        return None if value is None else str(value)

    @property
    def object_id(self) -> uuid.UUID | None:
        """``data["id"]``: the id of the changed object (all a deletion carries)."""
        raw = _get_raw(self)
        data = raw.get("data") if type(raw) is dict else None
        value = data.get("id") if type(data) is dict else None
        try:
            return uuid.UUID(value) if type(value) is str else None
        except ValueError:
            return None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WebhookEvent):
            return NotImplemented
        return type(other) is type(self) and other.dedupe_key == self.dedupe_key

    def __hash__(self) -> int:
        return hash(self.dedupe_key)

    def __repr__(self) -> str:
        raw = _get_raw(self)
        if type(raw) is not dict:
            return f"<{type(self).__name__}>"
        activity = raw.get("activity")
        field = activity.get("field") if type(activity) is dict else None
        action = getattr(self, "action", raw.get("action"))  # normalised when readable
        parts = [f"action={str(action)!r:.40}"]
        if self.object_id is not None:
            parts.append(f"id={str(self.object_id)!r}")
        if type(self) is WebhookEvent:
            parts.insert(0, f"event={raw.get('event')!r:.40}")
        if field is not None:
            parts.append(f"field={field!r:.40}")
        return f"{type(self).__name__}({', '.join(parts)})"


@model
class IssueEvent(WebhookEvent):
    """``event == "issue"``: a work item. ``data`` has ``labels``, ``assignees`` and
    ``state`` expanded."""

    kinds: ClassVar[tuple[str, ...]] = ("issue",)
    data: Issue = UNSET


@model
class ProjectEvent(WebhookEvent):
    """``event == "project"`` (the only kind Plane sends ``deleted`` for today)."""

    kinds: ClassVar[tuple[str, ...]] = ("project",)
    data: Project = UNSET


@model
class CycleEvent(WebhookEvent):
    """``event == "cycle"``."""

    kinds: ClassVar[tuple[str, ...]] = ("cycle",)
    data: Cycle = UNSET


@model
class ModuleEvent(WebhookEvent):
    """``event == "module"``."""

    kinds: ClassVar[tuple[str, ...]] = ("module",)
    data: Module = UNSET


@model
class CommentEvent(WebhookEvent):
    """``event == "issue_comment"``: a comment on a work item."""

    kinds: ClassVar[tuple[str, ...]] = ("issue_comment",)
    data: Comment = UNSET


_BY_KIND: dict[str, type[WebhookEvent]] = {
    kind: cls
    for cls in (IssueEvent, ProjectEvent, CycleEvent, ModuleEvent, CommentEvent)
    for kind in cls.kinds
}


def event_class(kind: object) -> type[WebhookEvent]:
    """The model for an ``event`` value (``WebhookEvent`` for an unknown kind)."""
    return _BY_KIND.get(kind, WebhookEvent) if isinstance(kind, str) else WebhookEvent
