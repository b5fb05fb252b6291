"""Rows to Plane's JSON shapes: the datetime and audit fields every shape shares, and the
work-item family (work items, comments, links, activities, intake, modules, cycles)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ._rows import Row
from ._store import Activity, Comment, Cycle, IntakeIssue, Issue, Link, Module, Store

__all__ = ["JSON", "Shapes"]

JSON = dict[str, Any]
_GROUPS = ("cancelled", "completed", "started", "unstarted", "backlog")


class Shapes:
    """Renders rows of one :class:`Store` with datetimes in ``tz`` (``Z`` for UTC); key
    order as the real serializers."""

    def __init__(self, store: Store, tz: dt.tzinfo) -> None:
        self.store = store
        self.tz = tz

    def dt(self, ts: float | None) -> str | None:
        if ts is None:
            return None
        text = dt.datetime.fromtimestamp(ts, self.tz).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def audit(self, row: Row) -> JSON:
        """The id and times every serializer of a Plane model starts with."""
        return {
            "id": row.id,
            "created_at": self.dt(row.created_at),
            "updated_at": self.dt(row.updated_at),
            "deleted_at": self.dt(row.deleted_at),
        }

    def _expand_state(self, state_id: str) -> JSON | None:
        state = self.store.states.get(state_id)
        if state is None:
            return None
        return {"id": state.id, "name": state.name, "color": state.color, "group": state.group}

    def issue(self, i: Issue) -> JSON:
        return {
            "id": i.id,
            "type_id": i.type_id,
            "created_at": self.dt(i.created_at),
            "updated_at": self.dt(i.updated_at),
            "deleted_at": self.dt(i.deleted_at),
            "point": i.point,
            "name": i.name,
            "description_html": i.description_html,
            "description_binary": None,
            "priority": i.priority,
            "start_date": i.start_date,
            "target_date": i.target_date,
            "sequence_id": i.sequence_id,
            "sort_order": i.sort_order,
            "completed_at": self.dt(i.completed_at),
            "archived_at": i.archived_at,
            "is_draft": i.is_draft,
            "external_source": i.external_source,
            "external_id": i.external_id,
            "created_by": i.created_by,
            "updated_by": i.updated_by,
            "project": i.project_id,
            "workspace": self.store.workspace_id,
            "parent": i.parent,
            "state": i.state,
            "estimate_point": i.estimate_point,
            "type": i.type_id,
            "assignees": list(i.assignees),
            "labels": list(i.labels),
        }

    def _counts(self, issue_ids: dict[str, str]) -> JSON:
        counts = dict.fromkeys(_GROUPS, 0)
        total = 0
        for issue_id in issue_ids:
            issue = self.store.issues.get(issue_id)
            if issue is None or not self.store.visible(issue):
                continue
            total += 1
            state = self.store.states.get(issue.state) if issue.state else None
            if state is not None and state.group in counts:
                counts[state.group] += 1
        out: JSON = {"total_issues": total}
        out.update({f"{group}_issues": n for group, n in counts.items()})
        return out

    def module(self, m: Module) -> JSON:
        out: JSON = {"id": m.id, **self._counts(m.issue_ids)}
        out.update(
            {
                "created_at": self.dt(m.created_at),
                "updated_at": self.dt(m.updated_at),
                "deleted_at": self.dt(m.deleted_at),
                "name": m.name,
                "description": m.description,
                "description_text": None,
                "description_html": None,
                "start_date": m.start_date,
                "target_date": m.target_date,
                "status": m.status,
                "view_props": {},
                "sort_order": m.sort_order,
                "external_source": m.external_source,
                "external_id": m.external_id,
                "archived_at": self.dt(m.archived_at),
                "logo_props": {},
                "created_by": m.created_by,
                "updated_by": m.updated_by,
                "project": m.project_id,
                "workspace": self.store.workspace_id,
                "lead": m.lead,
                "members": list(m.members),
            }
        )
        return out

    def cycle(self, c: Cycle, *, archived_list: bool = False) -> JSON:
        out: JSON = {"id": c.id, **self._counts(c.issue_ids)}
        if archived_list:
            out.update({"total_estimates": 0.0, "completed_estimates": 0.0})
            out["started_estimates"] = 0.0
        out.update(
            {
                "created_at": self.dt(c.created_at),
                "updated_at": self.dt(c.updated_at),
                "deleted_at": self.dt(c.deleted_at),
                "name": c.name,
                "description": c.description,
                "start_date": self.dt(c.start_date),
                "end_date": self.dt(c.end_date),
                "view_props": {},
                "sort_order": c.sort_order,
                "external_source": c.external_source,
                "external_id": c.external_id,
                "progress_snapshot": {},
                "archived_at": self.dt(c.archived_at),
                "logo_props": {},
                "timezone": c.timezone,
                "version": 1,
                "created_by": c.created_by,
                "updated_by": c.updated_by,
                "project": c.project_id,
                "workspace": self.store.workspace_id,
                "owned_by": c.owned_by,
            }
        )
        return out

    def comment(self, c: Comment, *, listing: bool = False) -> JSON:
        out: JSON = {"id": c.id}
        if listing:
            out["is_member"] = True
        out.update(
            {
                "created_at": self.dt(c.created_at),
                "updated_at": self.dt(c.updated_at),
                "deleted_at": self.dt(c.deleted_at),
                "comment_html": c.comment_html,
                "attachments": [],
                "access": c.access,
                "external_source": c.external_source,
                "external_id": c.external_id,
                "edited_at": self.dt(c.edited_at),
                "created_by": c.created_by,
                "updated_by": c.updated_by,
                "project": c.project_id,
                "workspace": self.store.workspace_id,
                "description": c.description,
                "issue": c.issue_id,
                "actor": c.actor,
                "parent": c.parent,
            }
        )
        return out

    def link(self, link: Link) -> JSON:
        return {
            "id": link.id,
            "created_at": self.dt(link.created_at),
            "updated_at": self.dt(link.updated_at),
            "deleted_at": self.dt(link.deleted_at),
            "title": link.title,
            "url": link.url,
            "metadata": link.metadata,
            "created_by": link.created_by,
            "updated_by": link.updated_by,
            "project": link.project_id,
            "workspace": self.store.workspace_id,
            "issue": link.issue_id,
        }

    def activity(self, a: Activity) -> JSON:
        return {
            "id": a.id,
            "created_at": self.dt(a.created_at),
            "updated_at": self.dt(a.created_at),
            "deleted_at": None,
            "verb": a.verb,
            "field": a.field,
            "old_value": a.old_value,
            "new_value": a.new_value,
            "comment": a.comment,
            "attachments": [],
            "old_identifier": None,
            "new_identifier": None,
            "epoch": float(int(a.created_at)),
            "project": a.project_id,
            "workspace": self.store.workspace_id,
            "issue": a.issue_id,
            "issue_comment": None,
            "actor": a.actor,
        }

    def intake(self, x: IntakeIssue) -> JSON:
        issue = self.store.issues[x.issue_id]
        detail = self.issue(issue)
        detail["state"] = self._expand_state(issue.state) if issue.state else None
        detail["description"] = {}
        return {
            "id": x.id,
            "issue_detail": detail,
            "inbox": x.intake_id,
            "created_at": self.dt(x.created_at),
            "updated_at": self.dt(x.updated_at),
            "deleted_at": self.dt(x.deleted_at),
            "status": x.status,
            "snoozed_till": self.dt(x.snoozed_till),
            "source": x.source,
            "source_email": x.source_email,
            "external_source": x.external_source,
            "external_id": x.external_id,
            "extra": {},
            "created_by": x.created_by,
            "updated_by": x.updated_by,
            "project": x.project_id,
            "workspace": self.store.workspace_id,
            "intake": x.intake_id,
            "issue": x.issue_id,
            "duplicate_to": x.duplicate_to,
        }
