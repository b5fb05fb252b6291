"""A work item's activities."""

from __future__ import annotations

from .._handlers import page
from .._router import ApiError, Call, Reply, Router
from ._shared import work_item_or_none

__all__ = ["register"]


def activities_list(c: Call) -> Reply:
    issue = work_item_or_none(c)
    rows = list(c.store.issue_activities(issue)) if issue is not None else []
    order_by = c.query.get("order_by", "created_at")
    if order_by.lstrip("-") == "created_at":
        rows.sort(key=lambda a: a.created_at, reverse=order_by.startswith("-"))
    return page(c, rows, c.render.activity)


def activity_get(c: Call) -> Reply:
    issue = work_item_or_none(c)
    activities = c.store.issue_activities(issue) if issue is not None else []
    for activity in activities:
        if activity.id == c.params["activity_id"]:
            return 200, c.shape(c.render.activity(activity))
    raise ApiError(404, {"message": "Activity not found.", "code": "NOT_FOUND"})


def register(r: Router) -> None:
    item = "workspaces/{slug}/projects/{pid:uuid}/{items}/{issue_id:uuid}/"
    r.add(item + "activities/", {"GET": activities_list})
    r.add(item + "activities/{activity_id:uuid}/", {"GET": activity_get})
