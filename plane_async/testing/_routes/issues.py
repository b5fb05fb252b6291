"""Work items (both spellings), lookup by identifier and external id, and search."""

from __future__ import annotations

import re
from typing import Any

from .._handlers import page, soft_delete, touched
from .._router import ApiError, Call, Reply, Router, not_found, server_error
from .._store import PRIORITIES, Issue, Project
from .._validate import check_choice, check_external_conflict, parse_date, raise_if, require

__all__ = ["create_issue", "issue_order_key", "register"]

_RANK = {p: n for n, p in enumerate(PRIORITIES)}
_ORDERABLE = {
    "created_at",
    "updated_at",
    "sequence_id",
    "name",
    "sort_order",
    "start_date",
    "target_date",
    "completed_at",
    "id",
    "point",
}
#: fields whose change PATCH records as an activity
_TRACKED = (
    "name",
    "priority",
    "state",
    "description_html",
    "start_date",
    "target_date",
    "parent",
    "estimate_point",
    "point",
    "assignees",
    "labels",
    "is_draft",
    "external_source",
    "external_id",
    "sort_order",
)


def issue_order_key(c: Call, order_by: str) -> Any:
    """The sort key for a work-item ``order_by``; an unknown field is a 500, as in Plane."""
    name = order_by.lstrip("-")
    if name == "priority":
        # "priority" lists urgent first; sorted(reverse=...) handles the "-" form.
        return lambda i: _RANK.get(i.priority, 5)
    if name in ("state__name", "state__group"):
        attr = name.split("__")[1]
        states = c.store.states

        def by_state(i: Issue) -> Any:
            state = states.get(i.state) if i.state else None
            return (state is not None, getattr(state, attr, ""))

        return by_state
    if name not in _ORDERABLE:
        raise server_error()
    return lambda i: (getattr(i, name) is not None, getattr(i, name))


def items_list(c: Call) -> Reply:
    project = c.project
    external_id, source = c.query.get("external_id"), c.query.get("external_source")
    if external_id and source:
        found = c.store.find_external(c.store.issues, project.id, source, external_id)
        if found is None:
            raise not_found()
        return 200, c.shape(c.render.issue(found))
    order_by = c.query.get("order_by", "-created_at")
    key = issue_order_key(c, order_by)
    return page(c, c.store.issue_view(project, order_by, key), c.render.issue)


def _check(
    c: Call, project: Project, data: dict[str, Any], current: Issue | None
) -> dict[str, Any]:
    """Validate a create/PATCH body; return the normalised values to store."""
    errors: dict[str, Any] = require(data, *(() if current else ("name",)))
    check_choice(errors, data, "priority", PRIORITIES)
    values: dict[str, Any] = {}
    for name in ("start_date", "target_date"):
        if name in data:
            values[name] = parse_date(errors, data, name)
    for name in ("assignees", "labels"):
        if name in data:
            ids = data[name]
            if not isinstance(ids, list):
                errors[name] = ['Expected a list of items but got type "str".']
                continue
            table: dict[str, Any] = c.store.users if name == "assignees" else c.store.labels
            bad = {
                str(n): [f'Invalid pk "{v}" - object does not exist.']
                for n, v in enumerate(ids)
                if v not in table
            }
            if bad:
                errors[name] = bad
    if "point" in data and data["point"] is not None and data["point"] not in range(13):
        errors["point"] = ["Ensure this value is less than or equal to 12."]
    raise_if(errors)
    if "state" in data and data["state"] is not None:
        state = c.store.live(c.store.states, str(data["state"]), project.id)
        if state is None:
            raise ApiError(
                400, {"non_field_errors": ["State is not valid please pass a valid state_id"]}
            )
    if "parent" in data and data["parent"] is not None:
        parent = c.store.issues.get(str(data["parent"]))
        if parent is None or parent.project_id != project.id or parent.deleted_at is not None:
            raise ApiError(
                400,
                {"non_field_errors": ["Parent is not valid issue_id please pass a valid issue_id"]},
            )
    start = values.get("start_date", current.start_date if current else None)
    target = values.get("target_date", current.target_date if current else None)
    if start and target and start > target:
        raise ApiError(400, {"non_field_errors": ["Start date cannot exceed target date"]})
    if "assignees" in data:
        # Users who are not active Members/Admins of the project are silently dropped.
        members = project.members
        values["assignees"] = tuple(
            dict.fromkeys(u for u in data["assignees"] if members.get(u, ("", 0))[1] >= 15)
        )
    if "labels" in data:
        values["labels"] = tuple(
            dict.fromkeys(
                x
                for x in data["labels"]
                if c.store.labels[x].project_id == project.id
                and c.store.labels[x].deleted_at is None
            )
        )
    for name in (
        "name",
        "priority",
        "description_html",
        "state",
        "parent",
        "estimate_point",
        "point",
        "sort_order",
        "is_draft",
        "external_source",
        "external_id",
    ):
        if name in data:
            values[name] = data[name]
    check_external_conflict(c, c.store.issues, data, "Issue", current=current)
    return values


def _completed_at(c: Call, issue: Issue) -> None:
    state = c.store.states.get(issue.state) if issue.state else None
    if state is not None and state.group == "completed":
        if issue.completed_at is None:
            issue.completed_at = c.store.now()
    else:
        issue.completed_at = None


def create_issue(c: Call, project: Project, data: dict[str, Any], **extra: Any) -> Issue:
    """Validate and create a work item (shared with intake)."""
    values = _check(c, project, data, None)
    if values.get("state") is None:
        default = next(
            (s for s in c.store.project_rows(c.store.states, project.id) if s.default), None
        )
        values["state"] = default.id if default else None
    if "assignees" not in values and project.default_assignee:
        values["assignees"] = (project.default_assignee,)
    now = c.store.now()
    created_at = data.get("created_at")
    issue = c.store.add_issue(
        project,
        created_by=data.get("created_by") or c.actor,
        created_at=now if created_at is None else _epoch(created_at),
        updated_at=now,
        sort_order=65535.0 + 10000.0 * len(project.issues),
        **values,
        **extra,
    )
    _completed_at(c, issue)
    c.store.index_external(c.store.issues, issue)
    c.store.record_activity(issue, "created", actor=c.actor)
    return issue


def _epoch(value: Any) -> float:
    from .._validate import parse_datetime

    moment = parse_datetime(value)
    assert moment is not None
    return moment


def items_create(c: Call) -> Reply:
    issue = create_issue(c, c.project, c.data)
    body = c.render.issue(issue)
    if c.data.get("created_at") is not None:
        # Plane saves, builds the 201 response, then sets the sent created_at: the
        # response shows the server's clock, the stored row (and a GET) the sent value.
        body["created_at"] = body["updated_at"]
    return 201, body


def _issue(c: Call, *, any_state: bool = False) -> Issue:
    issue = c.store.issues.get(c.params["issue_id"])
    if (
        issue is None
        or issue.project_id != c.project.id
        or issue.deleted_at is not None
        or not (any_state or c.store.visible(issue))
    ):
        raise not_found()
    return issue


def item_get(c: Call) -> Reply:
    return 200, c.shape(c.render.issue(_issue(c)))


def item_patch(c: Call) -> Reply:
    issue = _issue(c, any_state=True)  # PATCH/DELETE see archived and draft items too
    values = _check(c, c.project, c.data, issue)
    for name, new in values.items():
        old = getattr(issue, name)
        if old != new:
            setattr(issue, name, new)
            if name in _TRACKED:
                shown_old = ",".join(old) if isinstance(old, tuple) else old
                shown_new = ",".join(new) if isinstance(new, tuple) else new
                c.store.record_activity(issue, "updated", name, shown_old, shown_new, c.actor)
    _completed_at(c, issue)
    touched(c, c.store.issues, issue)
    c.store.touch(issue.project_id)
    return 200, c.render.issue(issue)


def item_delete(c: Call) -> Reply:
    issue = _issue(c, any_state=True)
    c.store.touch(issue.project_id)
    return soft_delete(c, issue)


def item_by_identifier(c: Call) -> Reply:
    project = c.store.project_by_identifier(c.params["ident"])
    if project is None:
        raise ApiError(403, {"detail": "You do not have permission to perform this action."})
    try:
        sequence = int(c.params["seq"])
    except ValueError:
        raise server_error() from None
    issue = project.by_sequence.get(sequence)
    if issue is None or not c.store.visible(issue):
        raise not_found()
    return 200, c.shape(c.render.issue(issue))


def items_search(c: Call) -> Reply:
    query = c.query.get("search")
    if not query:
        return 200, {"issues": []}
    try:
        limit = int(c.query.get("limit", "10"))
    except ValueError:
        raise server_error() from None
    workspace_search = c.query.get("workspace_search", "false")
    project_id = c.query.get("project_id")
    numbers = {int(n) for n in re.findall(r"\d+", query)}
    needle = query.lower()
    found = []
    for project in c.store.projects.values():
        if project.deleted_at is not None:
            continue
        if workspace_search == "false" and project_id and project.id != project_id:
            continue
        ident_hit = needle in project.identifier.lower()
        for issue in reversed(project.issues):
            if not c.store.visible(issue):
                continue
            if ident_hit or needle in issue.name.lower() or issue.sequence_id in numbers:
                found.append(
                    {
                        "name": issue.name,
                        "id": issue.id,
                        "sequence_id": issue.sequence_id,
                        "project__identifier": project.identifier,
                        "project_id": project.id,
                        "workspace__slug": c.store.workspace_slug,
                    }
                )
                if len(found) >= limit:
                    return 200, {"issues": found}
    return 200, {"issues": found}


def register(r: Router) -> None:
    ws = "workspaces/{slug}/"
    pr = ws + "projects/{pid:uuid}/"
    r.add(pr + "{items}/", {"GET": items_list, "POST": items_create})
    r.add(
        pr + "{items}/{issue_id:uuid}/",
        {"GET": item_get, "PATCH": item_patch, "DELETE": item_delete},
    )
    r.add(ws + "{items}/search/", {"GET": items_search})
    r.add(ws + "{items}/{ident}-{seq}/", {"GET": item_by_identifier})
