"""Modules, their work items, and archive."""

from __future__ import annotations

from typing import Any

from .._handlers import assign, insert, live_or_404, new_row, page, soft_delete, touched
from .._router import ApiError, Call, Reply, Router, not_found
from .._store import Module
from .._validate import check_choice, check_external_conflict, parse_date, raise_if, require
from ._shared import issues_in_body, link_row, member_issues, newest_first

__all__ = ["register"]

_MODULE_STATUS = ("backlog", "planned", "in-progress", "paused", "completed", "cancelled")
_MODULE_FIELDS = (
    "name",
    "description",
    "status",
    "lead",
    "members",
    "sort_order",
    "external_source",
    "external_id",
)


# -- modules -------------------------------------------------------------------------------


def modules_list(c: Call) -> Reply:
    return page(c, newest_first(c, c.store.modules, archived=False), c.render.module)


def archived_modules_list(c: Call) -> Reply:
    return page(c, newest_first(c, c.store.modules, archived=True), c.render.module)


def _module_checks(c: Call, data: dict[str, Any], current: Module | None) -> dict[str, Any]:
    errors: dict[str, Any] = require(data, *(() if current else ("name",)))
    check_choice(errors, data, "status", _MODULE_STATUS)
    dates: dict[str, Any] = {
        n: parse_date(errors, data, n) for n in ("start_date", "target_date") if n in data
    }
    raise_if(errors)
    # Plane's view checks the external ids (409) before serializer.save(), whose create()
    # and update() refuse a duplicate name (400).
    check_external_conflict(c, c.store.modules, data, "Module", current=current)
    name = data.get("name")
    for other in c.store.project_rows(c.store.modules, c.project.id):
        if other is not current and name is not None and other.name == name:
            message = "Module with this name already exists"
            raise ApiError(
                400,
                {
                    "id": other.id,
                    "code": "MODULE_NAME_ALREADY_EXISTS",
                    "error": message,
                    "message": message,
                },
            )
    return dates


def modules_create(c: Call) -> Reply:
    if not c.project.module_view:
        raise ApiError(400, {"error": "Modules are not enabled for this project"})
    data = c.data
    dates = _module_checks(c, data, None)
    module = Module(project_id=c.project.id, name=data["name"], **new_row(c))
    _apply_module(c, module, data, dates)
    return 201, c.render.module(insert(c, c.store.modules, module))


def _apply_module(c: Call, module: Module, data: dict[str, Any], dates: dict[str, Any]) -> None:
    assign(module, data, _MODULE_FIELDS)
    assign(module, dates, dates)
    if "members" in data:  # non-members of the project are dropped
        module.members = [u for u in data["members"] or [] if u in c.project.members]


def _module(c: Call) -> Module:
    module: Module = live_or_404(c, c.store.modules, "module_id")
    return module


def module_get(c: Call) -> Reply:
    return 200, c.shape(c.render.module(_module(c)))


def module_patch(c: Call) -> Reply:
    module = _module(c)
    if module.archived_at is not None:
        raise ApiError(400, {"error": "Archived module cannot be updated"})
    data = c.data
    _apply_module(c, module, data, _module_checks(c, data, module))
    touched(c, c.store.modules, module)
    return 200, c.render.module(module)


def module_delete(c: Call) -> Reply:
    return soft_delete(c, _module(c))


def module_issues_list(c: Call) -> Reply:
    return member_issues(c, _module(c).issue_ids)


def module_issues_add(c: Call) -> Reply:
    module = _module(c)
    rows = []
    for issue in issues_in_body(c, {"error": "Issues are required"}):
        row_id = module.issue_ids.setdefault(issue.id, c.store.new_id())
        rows.append(link_row(c, row_id, issue, "module", module.id))
    return 200, rows


def module_issue_remove(c: Call) -> Reply:
    module = _module(c)
    if module.issue_ids.pop(c.params["issue_id"], None) is None:
        raise not_found()
    return 204, None


def module_archive(c: Call) -> Reply:
    module = _module(c)
    if module.status not in ("completed", "cancelled"):
        raise ApiError(400, {"error": "Only completed or cancelled modules can be archived"})
    module.archived_at = c.store.now()
    return 204, None


def module_unarchive(c: Call) -> Reply:
    _module(c).archived_at = None
    return 204, None


def register(r: Router) -> None:
    pr = "workspaces/{slug}/projects/{pid:uuid}/"
    md = pr + "modules/{module_id:uuid}/"
    r.add(pr + "modules/", {"GET": modules_list, "POST": modules_create})
    r.add(md, {"GET": module_get, "PATCH": module_patch, "DELETE": module_delete})
    r.add(md + "module-issues/", {"GET": module_issues_list, "POST": module_issues_add})
    r.add(md + "module-issues/{issue_id:uuid}/", {"DELETE": module_issue_remove})
    r.add(md + "archive/", {"POST": module_archive})
    r.add(pr + "archived-modules/", {"GET": archived_modules_list})
    r.add(pr + "archived-modules/{module_id:uuid}/unarchive/", {"DELETE": module_unarchive})
