"""A project's intake work items."""

from __future__ import annotations

from typing import Any

from .._handlers import assign, live_or_404, new_row, page, touched
from .._router import ApiError, Call, Reply, Router
from .._store import IntakeIssue
from .._validate import check_choice, parse_datetime, raise_if
from .issues import create_issue

__all__ = ["register"]


def intake_list(c: Call) -> Reply:
    rows = c.store.project_rows(c.store.intake, c.project.id) if c.project.intake_view else []
    rows.sort(key=lambda x: x.created_at, reverse=True)
    return page(c, rows, c.render.intake)


def intake_create(c: Call) -> Reply:
    project = c.project
    if not project.intake_view:
        raise ApiError(400, {"error": "Intake is not enabled for this project"})
    issue_data = c.data.get("issue")
    if not isinstance(issue_data, dict) or not issue_data.get("name"):
        raise ApiError(400, {"error": "Name is required"})
    fields = {k: issue_data[k] for k in ("name", "description_html", "priority") if k in issue_data}
    issue = create_issue(c, project, fields, is_triage=True)
    intake_id = project.extra.setdefault("intake_id", c.store.new_id())
    row = IntakeIssue(issue_id=issue.id, project_id=project.id, intake_id=intake_id, **new_row(c))
    c.store.intake[issue.id] = row  # keyed by the work item, as the routes are
    return 201, c.render.intake(row)


def _intake(c: Call) -> IntakeIssue:
    row: IntakeIssue = live_or_404(c, c.store.intake, "issue_id")
    return row


def intake_get(c: Call) -> Reply:
    return 200, c.shape(c.render.intake(_intake(c)))


_BAD_DATETIME = (
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)
_TRIAGE_FIELDS = ("status", "snoozed_till", "duplicate_to", "source", "source_email")


def intake_patch(c: Call) -> Reply:
    row = _intake(c)
    data = c.data
    errors: dict[str, Any] = {}
    check_choice(errors, data, "status", (-2, -1, 0, 1, 2))
    triage = {k: data[k] for k in _TRIAGE_FIELDS if k in data}
    if "snoozed_till" in triage:
        try:
            triage["snoozed_till"] = parse_datetime(triage["snoozed_till"])
        except ApiError:
            errors["snoozed_till"] = [_BAD_DATETIME]
    raise_if(errors)
    role = c.project.members.get(c.actor or "", ("", 0))[1]
    if role > 15:  # Plane silently ignores the triage fields below project Admin
        assign(row, triage, triage)
    issue = c.store.issues[row.issue_id]
    patch = data.get("issue")
    if isinstance(patch, dict):
        assign(issue, patch, ("name", "description_html", "priority"))
    if row.status == 1 and issue.is_triage:
        issue.is_triage = False  # accepted: it joins the project's work items
        default = next(
            (s for s in c.store.project_rows(c.store.states, c.project.id) if s.default), None
        )
        issue.state = default.id if default else issue.state
        c.store.touch(c.project.id)
    touched(c, c.store.intake, row)
    return 200, c.render.intake(row)


def intake_delete(c: Call) -> Reply:
    row = _intake(c)
    row.deleted_at = c.store.now()
    issue = c.store.issues[row.issue_id]
    if issue.is_triage:
        issue.deleted_at = row.deleted_at
    return 204, None


def register(r: Router) -> None:
    pr = "workspaces/{slug}/projects/{pid:uuid}/"
    r.add(pr + "intake-issues/", {"GET": intake_list, "POST": intake_create})
    r.add(
        pr + "intake-issues/{issue_id:uuid}/",
        {"GET": intake_get, "PATCH": intake_patch, "DELETE": intake_delete},
    )
