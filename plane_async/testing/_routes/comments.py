"""A work item's comments."""

from __future__ import annotations

from typing import Any

from .._handlers import assign, insert, live_or_404, page, soft_delete, touched
from .._router import Call, Reply, Router, not_found
from .._store import Comment
from .._validate import check_choice, check_external_conflict, parse_datetime, raise_if
from ._shared import work_item_or_404

__all__ = ["register"]


def _comments(c: Call) -> list[Comment]:
    issue_id = c.params["issue_id"]
    rows = [x for x in c.store.comments.values() if x.issue_id == issue_id and x.deleted_at is None]
    rows.sort(key=lambda x: x.created_at)
    return rows


def comments_list(c: Call) -> Reply:
    return page(c, _comments(c), lambda x: c.render.comment(x, listing=True))


def comments_create(c: Call) -> Reply:
    data = c.data
    # Plane checks the external id before validating the body.
    check_external_conflict(c, c.store.comments, data, "Issue Comment")
    issue = work_item_or_404(c)
    errors: dict[str, Any] = {}
    check_choice(errors, data, "access", ("INTERNAL", "EXTERNAL"))
    raise_if(errors)
    now = c.store.now()
    created_at = parse_datetime(data.get("created_at"))
    comment = Comment(
        id=c.store.new_id(),
        issue_id=issue.id,
        project_id=issue.project_id,
        comment_html=data.get("comment_html") or "<p></p>",
        access=data.get("access", "INTERNAL"),
        actor=data.get("created_by") or c.actor,
        description=c.store.new_id(),
        parent=data.get("parent"),
        external_source=data.get("external_source"),
        external_id=data.get("external_id"),
        created_by=data.get("created_by") or c.actor,
        updated_by=c.actor,
        created_at=now if created_at is None else created_at,
        updated_at=now,
    )
    body = c.render.comment(insert(c, c.store.comments, comment))
    if created_at is not None:
        body["created_at"] = body["updated_at"]  # built before the backdate is saved
    return 201, body


def _comment(c: Call) -> Comment:
    comment: Comment = live_or_404(c, c.store.comments, "comment_id")
    if comment.issue_id != c.params["issue_id"]:
        raise not_found()
    return comment


def comment_get(c: Call) -> Reply:
    return 200, c.shape(c.render.comment(_comment(c), listing=True))


def comment_patch(c: Call) -> Reply:
    comment = _comment(c)
    data = c.data
    check_external_conflict(c, c.store.comments, data, "Issue Comment", current=comment)
    errors: dict[str, Any] = {}
    check_choice(errors, data, "access", ("INTERNAL", "EXTERNAL"))
    raise_if(errors)
    assign(comment, data, ("comment_html", "access", "external_source", "external_id"))
    touched(c, c.store.comments, comment)
    comment.edited_at = comment.updated_at
    return 200, c.render.comment(comment)


def comment_delete(c: Call) -> Reply:
    return soft_delete(c, _comment(c))


def register(r: Router) -> None:
    item = "workspaces/{slug}/projects/{pid:uuid}/{items}/{issue_id:uuid}/"
    r.add(item + "comments/", {"GET": comments_list, "POST": comments_create})
    r.add(
        item + "comments/{comment_id:uuid}/",
        {"GET": comment_get, "PATCH": comment_patch, "DELETE": comment_delete},
    )
