"""A project's states."""

from __future__ import annotations

from typing import Any

from .._handlers import (
    assign,
    check_unique_name,
    insert,
    live_or_404,
    new_row,
    page,
    soft_delete,
    touched,
)
from .._router import ApiError, Call, Reply, Router
from .._store import State
from .._validate import check_choice, check_external_conflict, raise_if, require

__all__ = ["register"]


_STATE_GROUPS = ("backlog", "unstarted", "started", "completed", "cancelled")


_STATE_FIELDS = (
    "name",
    "color",
    "group",
    "description",
    "sequence",
    "default",
    "external_source",
    "external_id",
)


def states_list(c: Call) -> Reply:
    rows = [s for s in c.store.project_rows(c.store.states, c.project.id) if not s.is_triage]
    rows.sort(key=lambda s: s.sequence)
    return page(c, rows, c.render.state)


def _state_checks(c: Call, data: dict[str, Any], current: State | None) -> None:
    errors: dict[str, Any] = require(data, *(() if current else ("name", "color")))
    check_choice(errors, data, "group", _STATE_GROUPS)
    raise_if(errors)
    check_unique_name(c, c.store.states, data, current, "State")
    check_external_conflict(c, c.store.states, data, "State", current=current)


def states_create(c: Call) -> Reply:
    data = c.data
    _state_checks(c, data, None)
    rows = c.store.project_rows(c.store.states, c.project.id)
    state = State(
        project_id=c.project.id,
        name=data["name"],
        color=data["color"],
        group=data.get("group", "backlog"),
        description=data.get("description", ""),
        sequence=data.get("sequence", max((s.sequence for s in rows), default=0.0) + 15000.0),
        default=bool(data.get("default", False)),
        external_source=data.get("external_source"),
        external_id=data.get("external_id"),
        **new_row(c),
    )
    if state.default:  # a new default clears the others (PATCH does not)
        for other in rows:
            other.default = False
    return 200, c.render.state(insert(c, c.store.states, state))


def state_get(c: Call) -> Reply:
    return 200, c.shape(c.render.state(live_or_404(c, c.store.states, "state_id")))


def state_patch(c: Call) -> Reply:
    state: State = live_or_404(c, c.store.states, "state_id")
    data = c.data
    _state_checks(c, data, state)
    assign(state, data, _STATE_FIELDS)
    touched(c, c.store.states, state)
    return 200, c.render.state(state)


def state_delete(c: Call) -> Reply:
    state: State = live_or_404(c, c.store.states, "state_id")
    if state.default:
        raise ApiError(400, {"error": "Default state cannot be deleted"})
    if any(i.state == state.id and i.deleted_at is None for i in c.project.issues):
        raise ApiError(400, {"error": "The state is not empty, only empty states can be deleted"})
    return soft_delete(c, state)


def register(r: Router) -> None:
    pr = "workspaces/{slug}/projects/{pid:uuid}/"
    r.add(pr + "states/", {"GET": states_list, "POST": states_create})
    r.add(
        pr + "states/{state_id:uuid}/",
        {"GET": state_get, "PATCH": state_patch, "DELETE": state_delete},
    )
