"""Rows to Plane's JSON shapes: the workspace around the work items (users, projects,
states, labels), and the ``fields``/``expand`` handling (the work-item family is in
``_render_work_items``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ._render_work_items import JSON, Shapes
from ._store import Label, Project, State, Store, User

__all__ = ["Renderer", "split_param"]

_PROJECT_EXTRA_DEFAULTS: dict[str, Any] = {
    "description_text": None,
    "description_html": None,
    "emoji": None,
    "icon_prop": None,
    "is_time_tracking_enabled": False,
    "is_issue_type_enabled": False,
    "guest_view_all_features": False,
    "cover_image": None,
    "archive_in": 0,
    "close_in": 0,
    "logo_props": {},
    "cover_image_asset": None,
    "estimate": None,
    "default_state": None,
}


def split_param(value: str | None) -> list[str] | None:
    """Plane's parsing of ``fields``/``expand``: split on ",", drop empties, no stripping."""
    if not value:
        return None
    parts = [p for p in value.split(",") if p]
    return parts or None


def _empty_expansion(name: str) -> JSON:
    """What Plane sends for an expanded relation that is null: its expand serializer run on
    ``None`` gives the initial values of the writable fields, ``{}`` for the lite
    serializers and a placeholder point (``key`` null) for ``estimate_point``."""
    if name == "estimate_point":
        return {"key": None, "value": ""}
    return {}


class Renderer(Shapes):
    """Renders rows of one :class:`Store` with datetimes in ``tz`` (``Z`` for UTC), and
    applies a request's ``fields``/``expand``."""

    def __init__(self, store: Store, tz: dt.tzinfo) -> None:
        super().__init__(store, tz)
        self._expanders: dict[str, Callable[[Any], Any]] = {
            "state": self._expand_state,
            "project": self._expand_project,
            "workspace": lambda _v: self.workspace_lite(),
            "parent": self._expand_parent,
            "issue": self._expand_issue,
            "assignees": lambda v: [self._expand_user(u) for u in v],
            "labels": lambda v: [self.label(self.store.labels[x]) for x in v],
            "estimate_point": lambda v: v,
        }
        for name in (
            "created_by",
            "updated_by",
            "owned_by",
            "actor",
            "project_lead",
            "default_assignee",
            "user",
        ):
            self._expanders[name] = self._expand_user

    # -- helpers --------------------------------------------------------------------------

    def shape(self, obj: JSON, fields: list[str] | None, expand: list[str] | None) -> JSON:
        """Apply ``fields`` then ``expand`` the way Plane's DynamicBaseSerializer does."""
        if fields is not None:
            obj = {k: v for k, v in obj.items() if k in fields}
        if expand:
            for name in expand:
                expander = self._expanders.get(name)
                if expander is None or name not in obj:
                    continue
                value = obj[name]
                obj[name] = _empty_expansion(name) if value is None else expander(value)
        return obj

    def _expand_user(self, user_id: str) -> JSON | None:
        user = self.store.users.get(user_id)
        return None if user is None else self.user_lite(user)

    def _expand_project(self, project_id: str) -> JSON | None:
        project = self.store.projects.get(project_id)
        if project is None:
            return None
        return {
            "id": project.id,
            "identifier": project.identifier,
            "name": project.name,
            "cover_image": project.extra.get("cover_image"),
            "icon_prop": project.extra.get("icon_prop"),
            "emoji": project.extra.get("emoji"),
            "description": project.description,
            "cover_image_url": None,
        }

    def _expand_parent(self, parent_id: str) -> Any:
        issue = self.store.issues.get(parent_id)
        if issue is None:
            return parent_id
        return {"id": issue.id, "sequence_id": issue.sequence_id, "project_id": issue.project_id}

    def _expand_issue(self, issue_id: str) -> Any:
        issue = self.store.issues.get(issue_id)
        return issue_id if issue is None else self.issue(issue)

    def workspace_lite(self) -> JSON:
        s = self.store
        return {"name": s.workspace_name, "slug": s.workspace_slug, "id": s.workspace_id}

    # -- resources ------------------------------------------------------------------------

    @staticmethod
    def user_lite(user: User) -> JSON:
        return {
            "id": user.id,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "avatar": user.avatar,
            "avatar_url": user.avatar_url,
            "display_name": user.display_name,
        }

    def project(self, p: Project, *, listing: bool = False) -> JSON:
        me = self.store.me
        membership = p.members.get(me.id) if me is not None else None
        out: JSON = {
            "id": p.id,
            "total_members": len(p.members),
            "total_cycles": sum(
                1
                for c in self.store.cycles.values()
                if c.project_id == p.id and c.deleted_at is None
            ),
            "total_modules": sum(
                1
                for m in self.store.modules.values()
                if m.project_id == p.id and m.deleted_at is None
            ),
            "is_member": membership is not None,
        }
        if listing:
            out["sort_order"] = p.sort_order
        out.update(
            {
                "member_role": membership[1] if membership else None,
                "is_deployed": False,
                "cover_image_url": None,
                "created_at": self.dt(p.created_at),
                "updated_at": self.dt(p.updated_at),
                "deleted_at": self.dt(p.deleted_at),
                "name": p.name,
                "description": p.description,
            }
        )
        extra = {**_PROJECT_EXTRA_DEFAULTS, **p.extra}
        out["description_text"] = extra["description_text"]
        out["description_html"] = extra["description_html"]
        out["network"] = p.network
        out["identifier"] = p.identifier
        out["emoji"] = extra["emoji"]
        out["icon_prop"] = extra["icon_prop"]
        out.update(
            {
                "module_view": p.module_view,
                "cycle_view": p.cycle_view,
                "issue_views_view": p.issue_views_view,
                "page_view": p.page_view,
                "intake_view": p.intake_view,
            }
        )
        for key in (
            "is_time_tracking_enabled",
            "is_issue_type_enabled",
            "guest_view_all_features",
            "cover_image",
            "archive_in",
            "close_in",
            "logo_props",
        ):
            out[key] = extra[key]
        out["archived_at"] = self.dt(p.archived_at)
        out["timezone"] = p.timezone
        out["external_source"] = p.external_source
        out["external_id"] = p.external_id
        out["created_by"] = p.created_by
        out["updated_by"] = p.updated_by
        out["workspace"] = self.store.workspace_id
        out["default_assignee"] = p.default_assignee
        out["project_lead"] = p.project_lead
        out["cover_image_asset"] = extra["cover_image_asset"]
        out["estimate"] = extra["estimate"]
        out["default_state"] = extra["default_state"]
        return out

    def state(self, s: State) -> JSON:
        return {
            "id": s.id,
            "created_at": self.dt(s.created_at),
            "updated_at": self.dt(s.updated_at),
            "deleted_at": self.dt(s.deleted_at),
            "name": s.name,
            "description": s.description,
            "color": s.color,
            "slug": "",
            "sequence": s.sequence,
            "group": s.group,
            "is_triage": s.is_triage,
            "default": s.default,
            "external_source": s.external_source,
            "external_id": s.external_id,
            "created_by": s.created_by,
            "updated_by": s.updated_by,
            "project": s.project_id,
            "workspace": self.store.workspace_id,
        }

    def label(self, label: Label) -> JSON:
        return {
            "id": label.id,
            "created_at": self.dt(label.created_at),
            "updated_at": self.dt(label.updated_at),
            "deleted_at": self.dt(label.deleted_at),
            "name": label.name,
            "description": label.description,
            "color": label.color,
            "sort_order": label.sort_order,
            "external_source": label.external_source,
            "external_id": label.external_id,
            "created_by": label.created_by,
            "updated_by": label.updated_by,
            "workspace": self.store.workspace_id,
            "project": label.project_id,
            "parent": label.parent,
        }
