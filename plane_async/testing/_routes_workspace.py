"""users/me, workspace members, states and labels."""

from __future__ import annotations

from typing import Any

from ._handlers import (
    assign,
    check_unique_name,
    insert,
    live_or_404,
    new_row,
    page,
    soft_delete,
    touched,
)
from ._router import ApiError, Call, Reply, Router
from ._store import Label, State
from ._validate import check_choice, check_external_conflict, raise_if, require

__all__ = ["register"]

_STATE_GROUPS = ("backlog", "unstarted", "started", "completed", "cancelled")


# -- users and workspace members -----------------------------------------------------------


def users_me(c: Call) -> Reply:
    assert c.store.me is not None
    return 200, c.render.user_lite(c.store.me)


def workspace_members(c: Call) -> Reply:
    return 200, [{**c.render.user_lite(u), "role": u.role} for u in c.store.users.values()]


# -- states --------------------------------------------------------------------------------

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


# -- labels --------------------------------------------------------------------------------

_LABEL_FIELDS = (
    "name",
    "color",
    "description",
    "parent",
    "sort_order",
    "external_source",
    "external_id",
)


def labels_list(c: Call) -> Reply:
    rows = c.store.project_rows(c.store.labels, c.project.id)
    rows.sort(key=lambda label: label.created_at, reverse=True)
    return page(c, rows, c.render.label)


def _label_checks(c: Call, data: dict[str, Any], current: Label | None) -> None:
    raise_if(require(data, *(() if current else ("name",))))
    check_unique_name(c, c.store.labels, data, current, "Label")
    check_external_conflict(c, c.store.labels, data, "Label", current=current)


def labels_create(c: Call) -> Reply:
    data = c.data
    _label_checks(c, data, None)
    label = Label(project_id=c.project.id, name=data["name"], **new_row(c))
    assign(label, data, _LABEL_FIELDS, skip_none=True)
    return 201, c.render.label(insert(c, c.store.labels, label))


def label_get(c: Call) -> Reply:
    # the label detail ignores fields/expand
    return 200, c.render.label(live_or_404(c, c.store.labels, "label_id"))


def label_patch(c: Call) -> Reply:
    label: Label = live_or_404(c, c.store.labels, "label_id")
    data = c.data
    _label_checks(c, data, label)
    assign(label, data, _LABEL_FIELDS)
    touched(c, c.store.labels, label)
    return 200, c.render.label(label)


def label_delete(c: Call) -> Reply:
    return soft_delete(c, live_or_404(c, c.store.labels, "label_id"))


def register(r: Router) -> None:
    ws = "workspaces/{slug}/"
    pr = ws + "projects/{pid:uuid}/"
    r.add("users/me/", {"GET": users_me})
    r.add(ws + "members/", {"GET": workspace_members})
    r.add(pr + "states/", {"GET": states_list, "POST": states_create})
    r.add(
        pr + "states/{state_id:uuid}/",
        {"GET": state_get, "PATCH": state_patch, "DELETE": state_delete},
    )
    r.add(pr + "labels/", {"GET": labels_list, "POST": labels_create})
    r.add(
        pr + "labels/{label_id:uuid}/",
        {"GET": label_get, "PATCH": label_patch, "DELETE": label_delete},
    )
