"""Cycles, their work items, transfer and archive."""

from __future__ import annotations

from typing import Any

from .._handlers import assign, insert, live_or_404, new_row, page, soft_delete, touched
from .._router import ApiError, Call, Reply, Router, not_found
from .._store import Cycle
from .._validate import check_external_conflict, parse_datetime, raise_if, require
from ._shared import issues_in_body, link_row, member_issues, newest_first

__all__ = ["register"]

_CYCLE_FIELDS = (
    "name",
    "description",
    "timezone",
    "sort_order",
    "owned_by",
    "external_source",
    "external_id",
)


# -- cycles --------------------------------------------------------------------------------


def cycles_list(c: Call) -> Reply:
    now = c.store.now()
    view = c.query.get("cycle_view", "all")
    rows = newest_first(c, c.store.cycles, archived=False)
    if view == "current":
        current = [
            x
            for x in rows
            if x.start_date is not None
            and x.end_date is not None
            and x.start_date <= now <= x.end_date
        ]
        return 200, [c.shape(c.render.cycle(x)) for x in current]
    if view == "upcoming":
        rows = [x for x in rows if x.start_date is not None and x.start_date > now]
    elif view == "completed":
        rows = [x for x in rows if x.end_date is not None and x.end_date < now]
    elif view == "draft":
        rows = [x for x in rows if x.start_date is None and x.end_date is None]
    elif view == "incomplete":
        rows = [x for x in rows if x.end_date is None or x.end_date >= now]
    return page(c, rows, c.render.cycle)


def archived_cycles_list(c: Call) -> Reply:
    return page(
        c,
        newest_first(c, c.store.cycles, archived=True),
        lambda x: c.render.cycle(x, archived_list=True),
    )


def _cycle_dates(data: dict[str, Any], current: Cycle | None) -> dict[str, Any]:
    if current is None or "start_date" in data or "end_date" in data:
        start = data.get("start_date", None if current is None else current.start_date)
        end = data.get("end_date", None if current is None else current.end_date)
        if (start is None) != (end is None):
            raise ApiError(
                400, {"error": "Both start date and end date are either required or are to be null"}
            )
        start_at = parse_datetime(start) if isinstance(start, str) else start
        end_at = parse_datetime(end) if isinstance(end, str) else end
        if start_at is not None and end_at is not None and start_at > end_at:
            raise ApiError(400, {"error": "Start date cannot exceed end date"})
        return {"start_date": start_at, "end_date": end_at}
    return {}


def cycles_create(c: Call) -> Reply:
    if not c.project.cycle_view:
        raise ApiError(400, {"error": "Cycles are not enabled for this project"})
    data = c.data
    dates = _cycle_dates(data, None)
    if "project_id" not in data:
        raise ApiError(400, {"non_field_errors": ["Project ID is required"]})
    raise_if(require(data, "name"))
    check_external_conflict(c, c.store.cycles, data, "Cycle")
    cycle = Cycle(
        project_id=c.project.id,
        name=data["name"],
        owned_by=data.get("owned_by") or c.actor,
        **dates,
        **new_row(c),
    )
    keys = ("description", "timezone", "sort_order", "external_source", "external_id")
    assign(cycle, data, keys, skip_none=True)
    return 201, c.render.cycle(insert(c, c.store.cycles, cycle))


def _cycle(c: Call) -> Cycle:
    cycle: Cycle = live_or_404(c, c.store.cycles, "cycle_id")
    return cycle


def _completed(c: Call, cycle: Cycle) -> bool:
    return cycle.end_date is not None and cycle.end_date < c.store.now()


def cycle_get(c: Call) -> Reply:
    return 200, c.shape(c.render.cycle(_cycle(c)))


def cycle_patch(c: Call) -> Reply:
    cycle = _cycle(c)
    data = c.data
    if cycle.archived_at is not None:
        raise ApiError(400, {"error": "Archived cycle cannot be updated"})
    if _completed(c, cycle) and set(data) - {"sort_order"}:
        raise ApiError(
            400, {"error": "The Cycle has already been completed so it cannot be edited"}
        )
    dates = _cycle_dates(data, cycle)
    raise_if(require(data, *(n for n in ("name",) if n in data)))
    check_external_conflict(c, c.store.cycles, data, "Cycle", current=cycle)
    assign(cycle, data, _CYCLE_FIELDS)
    assign(cycle, dates, dates)
    touched(c, c.store.cycles, cycle)
    return 200, c.render.cycle(cycle)


def cycle_delete(c: Call) -> Reply:
    return soft_delete(c, _cycle(c))


def cycle_issues_list(c: Call) -> Reply:
    return member_issues(c, _cycle(c).issue_ids)


def cycle_issues_add(c: Call) -> Reply:
    cycle = _cycle(c)
    if _completed(c, cycle):
        raise ApiError(
            400,
            {
                "code": "CYCLE_COMPLETED",
                "message": "The Cycle has already been completed so no new issues can be added",
            },
        )
    issues = issues_in_body(c, {"error": "Work items are required", "code": "MISSING_WORK_ITEMS"})
    rows = []
    for issue in issues:
        for other in c.store.project_rows(c.store.cycles, c.project.id):
            if other is not cycle:
                other.issue_ids.pop(issue.id, None)  # an item is in one cycle at most
        row_id = cycle.issue_ids.setdefault(issue.id, c.store.new_id())
        rows.append(link_row(c, row_id, issue, "cycle", cycle.id))
    return 200, rows


def cycle_issue_get(c: Call) -> Reply:
    cycle = _cycle(c)
    row_id = cycle.issue_ids.get(c.params["issue_id"])
    issue = c.store.issues.get(c.params["issue_id"])
    if row_id is None or issue is None:
        raise not_found()
    return 200, {**link_row(c, row_id, issue, "cycle", cycle.id), "sub_issues_count": 0}


def cycle_issue_remove(c: Call) -> Reply:
    if _cycle(c).issue_ids.pop(c.params["issue_id"], None) is None:
        raise not_found()
    return 204, None


def cycle_transfer(c: Call) -> Reply:
    cycle = _cycle(c)
    new_id = c.data.get("new_cycle_id")
    if not new_id:
        raise ApiError(400, {"error": "New Cycle Id is required"})
    target = c.store.live(c.store.cycles, str(new_id), c.project.id)
    if target is None:
        raise not_found()
    if _completed(c, target):
        raise ApiError(
            400, {"error": "The cycle where the issues are transferred is already completed"}
        )
    for issue_id in list(cycle.issue_ids):
        issue = c.store.issues.get(issue_id)
        state = c.store.states.get(issue.state) if issue and issue.state else None
        if state is None or state.group not in ("completed", "cancelled"):
            target.issue_ids[issue_id] = cycle.issue_ids.pop(issue_id)
    return 200, {"message": "Success"}


def cycle_archive(c: Call) -> Reply:
    cycle = _cycle(c)
    if not _completed(c, cycle):
        raise ApiError(400, {"error": "Only completed cycles can be archived"})
    cycle.archived_at = c.store.now()
    return 204, None


def cycle_unarchive(c: Call) -> Reply:
    _cycle(c).archived_at = None
    return 204, None


def register(r: Router) -> None:
    pr = "workspaces/{slug}/projects/{pid:uuid}/"
    cy = pr + "cycles/{cycle_id:uuid}/"
    r.add(pr + "cycles/", {"GET": cycles_list, "POST": cycles_create})
    r.add(cy, {"GET": cycle_get, "PATCH": cycle_patch, "DELETE": cycle_delete})
    r.add(cy + "cycle-issues/", {"GET": cycle_issues_list, "POST": cycle_issues_add})
    r.add(
        cy + "cycle-issues/{issue_id:uuid}/", {"GET": cycle_issue_get, "DELETE": cycle_issue_remove}
    )
    r.add(cy + "transfer-issues/", {"POST": cycle_transfer})
    r.add(cy + "archive/", {"POST": cycle_archive})
    r.add(pr + "archived-cycles/", {"GET": archived_cycles_list})
    r.add(pr + "archived-cycles/{cycle_id:uuid}/unarchive/", {"DELETE": cycle_unarchive})
