"""Projects: list, create, detail, archive and the per-kind summary counts."""

from __future__ import annotations

import re
from typing import Any

from .._handlers import new_row, page, soft_delete, touched
from .._router import ApiError, Call, Reply, Router, not_found, server_error
from .._seed import add_default_states
from .._store import Project
from .._validate import check_choice, raise_if, require, sort_key

__all__ = ["register"]

_FORBIDDEN = re.compile(r"[&+,:;$^}{*=?@#|'<>.()%!-]")
_PROJECT_ROW_FIELDS = (
    "name",
    "identifier",
    "description",
    "network",
    "module_view",
    "cycle_view",
    "issue_views_view",
    "page_view",
    "intake_view",
    "project_lead",
    "default_assignee",
    "timezone",
    "external_source",
    "external_id",
)
_PROJECT_EXTRA_FIELDS = (
    "emoji",
    "icon_prop",
    "cover_image",
    "logo_props",
    "description_html",
    "guest_view_all_features",
    "is_time_tracking_enabled",
    "is_issue_type_enabled",
    "archive_in",
    "close_in",
    "default_state",
    "estimate",
)
_PROJECT_ORDER = {"sort_order", "created_at", "updated_at", "name", "identifier", "id"}


# -- projects ------------------------------------------------------------------------------


def _project_errors(c: Call, data: dict[str, Any], current: Project | None) -> None:
    needed = () if current is not None else ("name", "identifier")
    errors: dict[str, Any] = require(data, *needed)
    if (
        "identifier" in data
        and isinstance(data["identifier"], str)
        and len(data["identifier"]) > 12
    ):
        errors["identifier"] = ["Ensure this field has no more than 12 characters."]
    check_choice(errors, data, "network", (0, 2))
    raise_if(errors)
    for key, what in (("name", "name"), ("identifier", "identifier")):
        value = data.get(key)
        if isinstance(value, str) and _FORBIDDEN.search(value):
            raise ApiError(
                400, {"non_field_errors": [f"Project {what} cannot contain special characters."]}
            )
    for other in c.store.projects.values():
        if other is current or other.deleted_at is not None:
            continue
        if "name" in data and other.name == data["name"]:
            raise ApiError(409, {"name": "The project name is already taken"})
        if "identifier" in data and other.identifier == str(data["identifier"]).upper():
            raise ApiError(409, {"identifier": "The project identifier is already taken"})


def _apply_project(project: Project, data: dict[str, Any]) -> None:
    for key in _PROJECT_ROW_FIELDS:
        if key in data:
            value = data[key]
            setattr(project, key, value.upper() if key == "identifier" else value)
    for key in _PROJECT_EXTRA_FIELDS:
        if key in data:
            project.extra[key] = data[key]


def projects_list(c: Call) -> Reply:
    me = c.actor
    order_by = c.query.get("order_by", "sort_order")
    if order_by.lstrip("-") not in _PROJECT_ORDER:
        raise server_error()
    rows = [
        p
        for p in c.store.projects.values()
        if p.deleted_at is None and p.archived_at is None and (me in p.members or p.network == 2)
    ]
    rows.sort(key=sort_key(order_by.lstrip("-")), reverse=order_by.startswith("-"))
    return page(c, rows, lambda p: c.render.project(p, listing=True))


def projects_create(c: Call) -> Reply:
    data = c.data
    _project_errors(c, data, None)
    project = Project(name=data["name"], identifier=data["identifier"].upper(), **new_row(c))
    _apply_project(project, data)
    if c.actor is not None:
        project.members[c.actor] = (c.store.new_id(), 20)
    c.store.projects[project.id] = project
    add_default_states(c.store, project, c.actor, project.created_at)
    return 201, c.render.project(project)


def _project_or_404(c: Call) -> Project:
    project = c.store.project(c.params["pid"])
    if project is None:
        raise not_found()
    return project


def project_get(c: Call) -> Reply:
    return 200, c.shape(c.render.project(_project_or_404(c)))


def project_patch(c: Call) -> Reply:
    project = _project_or_404(c)
    if project.archived_at is not None:
        raise ApiError(400, {"error": "Archived project cannot be updated"})
    data = c.data
    _project_errors(c, data, project)
    _apply_project(project, data)
    touched(c, c.store.projects, project)
    return 200, c.render.project(project)


def project_delete(c: Call) -> Reply:
    return soft_delete(c, _project_or_404(c))


def project_archive(c: Call) -> Reply:
    c.project.archived_at = c.store.now()
    return 204, None


def project_unarchive(c: Call) -> Reply:
    c.project.archived_at = None
    return 204, None


#: the counts ``summary/`` knows, in the order it reports them
_SUMMARY_FIELDS = ("members", "states", "labels", "cycles", "modules", "issues", "intakes", "pages")


def project_summary(c: Call) -> Reply:
    """``{"id", "name", "identifier", "counts"}``; ``fields`` picks the counts (unknown names
    dropped, none left means all)."""
    wanted = [n for n in _SUMMARY_FIELDS if n in (c.fields or ())] or list(_SUMMARY_FIELDS)
    project, store = c.project, c.store
    counters: dict[str, Any] = {
        "members": lambda: len(project.members),
        "states": lambda: sum(
            not s.is_triage for s in store.project_rows(store.states, project.id)
        ),
        "labels": lambda: len(store.project_rows(store.labels, project.id)),
        "cycles": lambda: len(store.project_rows(store.cycles, project.id)),
        "modules": lambda: len(store.project_rows(store.modules, project.id)),
        "issues": lambda: sum(store.visible(i) for i in project.issues),
        "intakes": lambda: len(store.project_rows(store.intake, project.id)),
        "pages": lambda: 0,  # the fake has no pages
    }
    counts = {name: counters[name]() for name in wanted}
    body = {"id": project.id, "name": project.name, "identifier": project.identifier}
    return 200, {**body, "counts": counts}


def register(r: Router) -> None:
    pr = "workspaces/{slug}/projects/{pid:uuid}/"
    r.add("workspaces/{slug}/projects/", {"GET": projects_list, "POST": projects_create})
    r.add(pr, {"GET": project_get, "PATCH": project_patch, "DELETE": project_delete})
    r.add(pr + "archive/", {"POST": project_archive, "DELETE": project_unarchive})
    r.add(pr + "summary/", {"GET": project_summary})
