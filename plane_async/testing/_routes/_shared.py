"""Helpers shared by the routes: a work item's children, module and cycle membership, routes
only the ``work-items`` spelling has."""

from __future__ import annotations

from typing import Any

from .._handlers import page
from .._router import ApiError, Call, Handler, Reply, Route, Router, _compile, not_found
from .._store import Issue
from .issues import issue_order_key

__all__ = ["add_new_only", "issues_in_body", "link_row", "member_issues", "newest_first",
           "work_item_or_404", "work_item_or_none"]  # fmt: skip


def work_item_or_none(c: Call) -> Issue | None:
    issue = c.store.issues.get(c.params["issue_id"])
    if issue is None or issue.project_id != c.project.id or issue.deleted_at is not None:
        return None
    return issue


def work_item_or_404(c: Call) -> Issue:
    issue = work_item_or_none(c)
    if issue is None:
        raise not_found()
    return issue


def newest_first(c: Call, table: dict[str, Any], *, archived: bool) -> list[Any]:
    """The project's live modules or cycles, archived or not, newest first (``-created_at``)."""
    rows = [
        x
        for x in c.store.project_rows(table, c.project.id)
        if (x.archived_at is not None) == archived
    ]
    rows.sort(key=lambda x: x.created_at, reverse=True)
    return rows


def member_issues(c: Call, issue_ids: dict[str, str]) -> Reply:
    rows = [c.store.issues[i] for i in issue_ids if i in c.store.issues]
    rows = [i for i in rows if c.store.visible(i)]
    order_by = c.query.get("order_by", "created_at")
    rows.sort(key=issue_order_key(c, order_by), reverse=order_by.startswith("-"))
    return page(c, rows, c.render.issue)


def link_row(c: Call, row_id: str, issue: Issue, kind: str, owner_id: str) -> dict[str, Any]:
    now = c.render.dt(c.store.now())
    return {
        "id": row_id,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
        "created_by": c.actor,
        "updated_by": c.actor,
        "project": issue.project_id,
        "workspace": c.store.workspace_id,
        kind: owner_id,
        "issue": issue.id,
    }


def issues_in_body(c: Call, message: dict[str, Any]) -> list[Issue]:
    ids = c.data.get("issues")
    if not ids:
        raise ApiError(400, message)
    found = []
    for issue_id in ids:
        issue = c.store.issues.get(str(issue_id))
        if issue is not None and issue.project_id == c.project.id and issue.deleted_at is None:
            found.append(issue)
    return found


def add_new_only(r: Router, template: str, handlers: dict[str, Handler]) -> None:
    """A route that only servers with the ``work-items`` spelling have (not legacy ones)."""
    r.routes.append(Route(_compile(template), handlers, project_scoped=True, new_path=True))
