"""Which API writes Plane turns into webhook events, and the payloads it builds for them.

Read from Plane's ``api/views`` and ``bgtasks/webhook_task.py``: creates and updates of
projects, work items, cycles, modules and comments, and project deletions (a work item
deleted through the v1 API sends nothing). An update sends one event per key of the
request body whose value differs from the stored one, with the object as it is after the
update. Objects are rendered in UTC, as Plane's worker does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import attrs

from ._render_workspace import Renderer
from ._router import Call
from ._store import Store

__all__ = ["Change", "Payload", "WebhookEvents"]

_TAGS = re.compile(r"<[^>]*>")

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_PROJECT = r"workspaces/[^/]+/projects/"
_ITEMS = rf"{_PROJECT}{_UUID}/(?:work-items|issues)/"
#: (path under /api/v1/, event, the Store table of its rows); a detail path captures ``id``
_ROUTES = [
    (re.compile(rf"{_PROJECT}(?P<id>{_UUID})?/?\Z"), "project", "projects"),
    (re.compile(rf"{_ITEMS}(?P<id>{_UUID})?/?\Z"), "issue", "issues"),
    (re.compile(rf"{_PROJECT}{_UUID}/cycles/(?P<id>{_UUID})?/?\Z"), "cycle", "cycles"),
    (re.compile(rf"{_PROJECT}{_UUID}/modules/(?P<id>{_UUID})?/?\Z"), "module", "modules"),
    (
        re.compile(rf"{_ITEMS}{_UUID}/comments/(?P<id>{_UUID})?/?\Z"),
        "issue_comment",
        "comments",
    ),
]

#: the Renderer method for each Store table
_RENDER = {
    "projects": "project",
    "issues": "issue",
    "cycles": "cycle",
    "modules": "module",
    "comments": "comment",
}
#: (event, action, data, activity) of one delivery, before the webhook's own ids
Payload = tuple[str, str, dict[str, Any], dict[str, Any]]


@attrs.define
class Change:
    """A write that may send webhooks, seen before the handler runs."""

    event: str
    table: str
    method: str
    object_id: str | None
    actor: str | None
    request: dict[str, Any]
    #: the object before a PATCH, as the API renders it (what Plane compares against)
    before: dict[str, Any] | None = None


class WebhookEvents:
    """Turns the fake server's writes into Plane's webhook payloads."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.render = Renderer(store, dt.UTC)

    def before(self, call: Call, rel_path: str) -> Change | None:
        """The change a request would make, or None if Plane sends no webhook for it."""
        for pattern, event, table in _ROUTES:
            m = pattern.match(rel_path)
            if m is None:
                continue
            object_id = m.group("id")
            if (call.method, object_id is None) not in (
                ("POST", True),
                ("PATCH", False),
                ("DELETE", False),
            ) or (call.method == "DELETE" and event != "project"):
                return None
            request = call.body if isinstance(call.body, dict) else {}
            change = Change(event, table, call.method, object_id, call.actor, request)
            if call.method == "PATCH" and object_id is not None:
                row = getattr(self.store, table).get(object_id)
                change.before = None if row is None else self._plain(change.table, row)
            return change
        return None

    def after(self, change: Change, status: int, body: Any) -> list[Payload]:
        """The payloads of a change the handler answered with ``status`` and ``body``."""
        if not 200 <= status < 300:
            return []
        if change.method == "DELETE":
            return [(change.event, "deleted", {"id": change.object_id}, self._activity(change))]
        object_id = change.object_id or (body.get("id") if isinstance(body, dict) else None)
        row = getattr(self.store, change.table).get(object_id)
        if row is None:
            return []
        data = self._data(change.table, row)
        if change.method == "POST":
            return [(change.event, "created", data, self._activity(change))]
        before = change.before or {}
        return [
            (change.event, "updated", data, self._activity(change, key, before[key], new))
            for key, new in change.request.items()
            if key in before and before[key] != new
        ]

    def _activity(
        self, change: Change, field: str | None = None, old: Any = None, new: Any = None
    ) -> dict[str, Any]:
        user = self.store.users.get(change.actor) if change.actor else None
        return {
            "field": field,
            "new_value": new,
            "old_value": old,
            "actor": None if user is None else self.render.user_lite(user),
            "old_identifier": None,
            "new_identifier": None,
        }

    def _plain(self, table: str, row: Any) -> dict[str, Any]:
        render: Callable[[Any], dict[str, Any]] = getattr(self.render, _RENDER[table])
        return render(row)

    def _data(self, table: str, row: Any) -> dict[str, Any]:
        data = self._plain(table, row)
        if table == "issues":
            # Plane's IssueExpandSerializer: labels, assignees and state expanded
            data = self.render.shape(data, None, ["state", "assignees"])
            labels = self.store.labels
            data["labels"] = [
                {"id": x, "name": labels[x].name, "color": labels[x].color}
                for x in data["labels"]
                if x in labels
            ]
            # Plane's payload also carries the description in its other forms
            data["description"] = {}
            data["description_json"] = {}
            data["description_stripped"] = _TAGS.sub("", data.get("description_html") or "") or None
        return data
