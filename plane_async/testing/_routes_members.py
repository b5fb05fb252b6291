"""Project members and intake issues."""

from __future__ import annotations

from typing import Any

from ._handlers import assign, live_or_404, new_row, page, touched
from ._router import ApiError, Call, Reply, Router, not_found
from ._routes_issues import create_issue
from ._store import IntakeIssue
from ._validate import check_choice, parse_datetime, raise_if

__all__ = ["register"]


def members_list(c: Call) -> Reply:
    """Every member, the removed (inactive) ones included, as Plane lists them."""
    users, project = c.store.users, c.project
    ids = [*project.members, *project.former_members]
    return 200, [c.render.user_lite(users[u]) for u in ids if u in users]


def members_add(c: Call) -> Reply:
    data = c.data
    errors: dict[str, Any] = {}
    if "member" not in data:
        errors["member"] = ["This field is required."]
    check_choice(errors, data, "role", (20, 15, 5))
    raise_if(errors)
    user_id = str(data["member"])
    if user_id not in c.store.users:
        raise ApiError(400, {"member": [f'Invalid pk "{user_id}" - object does not exist.']})
    if user_id in c.project.members or user_id in c.project.former_members:
        raise ApiError(400, {"error": "The payload is not valid"})  # the unique constraint
    role = int(data.get("role", 15))
    member_id = c.store.new_id()
    c.project.members[user_id] = (member_id, role)
    return 201, {"id": member_id, "member": user_id, "role": role}


def _member(c: Call) -> tuple[dict[str, tuple[str, int]], str]:
    """The table (active or former members) holding ``member_id``, and the user id."""
    for table in (c.project.members, c.project.former_members):
        for user_id, (member_id, _role) in table.items():
            if member_id == c.params["member_id"]:
                return table, user_id
    raise not_found()


def member_get(c: Call) -> Reply:
    return 200, c.render.user_lite(c.store.users[_member(c)[1]])


def member_patch(c: Call) -> Reply:
    table, user_id = _member(c)
    errors: dict[str, Any] = {}
    check_choice(errors, c.data, "role", (20, 15, 5))
    raise_if(errors)
    member_id, role = table[user_id]
    role = int(c.data.get("role", role))
    table[user_id] = (member_id, role)
    return 200, {"id": member_id, "member": user_id, "role": role}


def member_delete(c: Call) -> Reply:
    """Plane sets ``is_active=false``: the member stays listed and readable."""
    table, user_id = _member(c)
    if table is c.project.members:
        c.project.former_members[user_id] = table.pop(user_id)
    return 204, None


# -- intake --------------------------------------------------------------------------------


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
    for word in ("members", "project-members"):
        r.add(pr + word + "/", {"GET": members_list, "POST": members_add})
        r.add(
            pr + word + "/{member_id:uuid}/",
            {"GET": member_get, "PATCH": member_patch, "DELETE": member_delete},
        )
    r.add(pr + "intake-issues/", {"GET": intake_list, "POST": intake_create})
    r.add(
        pr + "intake-issues/{issue_id:uuid}/",
        {"GET": intake_get, "PATCH": intake_patch, "DELETE": intake_delete},
    )
