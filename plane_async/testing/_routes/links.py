"""A work item's links."""

from __future__ import annotations

from typing import Any

from .._handlers import assign, insert, live_or_404, page, soft_delete, touched
from .._router import ApiError, Call, Reply, Router, not_found
from .._store import Link
from ._shared import work_item_or_404

__all__ = ["register"]


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
    issue = work_item_or_404(c)
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


def register(r: Router) -> None:
    item = "workspaces/{slug}/projects/{pid:uuid}/{items}/{issue_id:uuid}/"
    r.add(item + "links/", {"GET": links_list, "POST": links_create})
    r.add(
        item + "links/{link_id:uuid}/",
        {"GET": link_get, "PATCH": link_patch, "DELETE": link_delete},
    )
