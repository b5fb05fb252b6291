"""Per-work-item comments, links and activities."""

from __future__ import annotations

from typing import Any

from ._handlers import assign, insert, live_or_404, page, soft_delete, touched
from ._router import ApiError, Call, Reply, Router, not_found
from ._store import Comment, Issue, Link
from ._validate import check_choice, check_external_conflict, parse_datetime, raise_if

__all__ = ["register"]


def _issue(c: Call) -> Issue | None:
    issue = c.store.issues.get(c.params["issue_id"])
    if issue is None or issue.project_id != c.project.id or issue.deleted_at is not None:
        return None
    return issue


def _require_issue(c: Call) -> Issue:
    issue = _issue(c)
    if issue is None:
        raise not_found()
    return issue


# -- comments ------------------------------------------------------------------------------


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
    issue = _require_issue(c)
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


# -- links ---------------------------------------------------------------------------------


def links_list(c: Call) -> Reply:
    issue_id = c.params["issue_id"]
    rows = [x for x in c.store.links.values() if x.issue_id == issue_id and x.deleted_at is None]
    rows.sort(key=lambda x: x.created_at, reverse=True)
    return page(c, rows, c.render.link)


def _check_url(c: Call, issue_id: str, data: dict[str, Any], current: Link | None) -> None:
    url = data.get("url")
    if current is None and not url:
        raise ApiError(400, {"url": ["This field is required."]})
    if url is None:
        return
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ApiError(400, {"url": ["Enter a valid URL."]})
    for other in c.store.links.values():
        if (
            other is not current
            and other.issue_id == issue_id
            and other.deleted_at is None
            and other.url == url
        ):
            raise ApiError(400, {"error": "URL already exists for this Issue"})


def links_create(c: Call) -> Reply:
    issue = _require_issue(c)
    data = c.data
    _check_url(c, issue.id, data, None)
    now = c.store.now()
    link = Link(
        id=c.store.new_id(),
        issue_id=issue.id,
        project_id=issue.project_id,
        url=data["url"],
        title=data.get("title"),
        created_by=data.get("created_by") or c.actor,
        updated_by=c.actor,
        created_at=now,
        updated_at=now,
    )
    created = c.render.link(insert(c, c.store.links, link))
    # Plane fills the metadata in a background task right after the create.
    link.metadata = {"url": link.url, "title": link.title, "favicon": "", "favicon_url": None}
    return 201, created


def _link(c: Call) -> Link:
    link: Link = live_or_404(c, c.store.links, "link_id")
    if link.issue_id != c.params["issue_id"]:
        raise not_found()
    return link


def link_get(c: Call) -> Reply:
    return 200, c.shape(c.render.link(_link(c)))


def link_patch(c: Call) -> Reply:
    link = _link(c)
    data = c.data
    _check_url(c, link.issue_id, data, link)
    assign(link, data, ("url", "title"))
    touched(c, c.store.links, link)
    return 200, c.render.link(link)


def link_delete(c: Call) -> Reply:
    return soft_delete(c, _link(c))


# -- activities ----------------------------------------------------------------------------


def activities_list(c: Call) -> Reply:
    issue = _issue(c)
    rows = list(c.store.issue_activities(issue)) if issue is not None else []
    order_by = c.query.get("order_by", "created_at")
    if order_by.lstrip("-") == "created_at":
        rows.sort(key=lambda a: a.created_at, reverse=order_by.startswith("-"))
    return page(c, rows, c.render.activity)


def activity_get(c: Call) -> Reply:
    issue = _issue(c)
    activities = c.store.issue_activities(issue) if issue is not None else []
    for activity in activities:
        if activity.id == c.params["activity_id"]:
            return 200, c.shape(c.render.activity(activity))
    raise ApiError(404, {"message": "Activity not found.", "code": "NOT_FOUND"})


def register(r: Router) -> None:
    item = "workspaces/{slug}/projects/{pid:uuid}/{items}/{issue_id:uuid}/"
    r.add(item + "comments/", {"GET": comments_list, "POST": comments_create})
    r.add(
        item + "comments/{comment_id:uuid}/",
        {"GET": comment_get, "PATCH": comment_patch, "DELETE": comment_delete},
    )
    r.add(item + "links/", {"GET": links_list, "POST": links_create})
    r.add(
        item + "links/{link_id:uuid}/",
        {"GET": link_get, "PATCH": link_patch, "DELETE": link_delete},
    )
    r.add(item + "activities/", {"GET": activities_list})
    r.add(item + "activities/{activity_id:uuid}/", {"GET": activity_get})
