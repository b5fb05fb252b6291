"""users/me, workspace members, states and labels."""

from __future__ import annotations

from typing import Any

from ._pagination import envelope, parse_page_request
from ._router import ApiError, Call, Reply, Router, not_found
from ._store import Label, State
from ._validate import check_choice, check_external_conflict, raise_if, require

__all__ = ["register"]

_STATE_GROUPS = ("backlog", "unstarted", "started", "completed", "cancelled")


def _page(c: Call, rows: list[Any], render: Any) -> Reply:
    page = parse_page_request(c.query, max_per_page=c.max_per_page)
    fields, expand = c.fields, c.expand
    return 200, envelope(rows, page, lambda r: c.render.shape(render(r), fields, expand))


# -- users and workspace members -----------------------------------------------------------


def users_me(c: Call) -> Reply:
    assert c.store.me is not None
    return 200, c.render.user_lite(c.store.me)


def workspace_members(c: Call) -> Reply:
    return 200, [{**c.render.user_lite(u), "role": u.role} for u in c.store.users.values()]


# -- states --------------------------------------------------------------------------------


def states_list(c: Call) -> Reply:
    rows = [s for s in c.store.project_rows(c.store.states, c.project.id) if not s.is_triage]
    rows.sort(key=lambda s: s.sequence)
    return _page(c, rows, c.render.state)


def _state_checks(c: Call, data: dict[str, Any], current: State | None) -> None:
    errors: dict[str, Any] = require(data, *(() if current else ("name", "color")))
    check_choice(errors, data, "group", _STATE_GROUPS)
    raise_if(errors)
    name = data.get("name")
    if name is not None:
        for other in c.store.project_rows(c.store.states, c.project.id):
            if other is not current and other.name == name:
                raise ApiError(
                    409,
                    {
                        "error": "State with the same name already exists in the project",
                        "id": other.id,
                    },
                )
    check_external_conflict(c, c.store.states, data, "State", current=current)


def states_create(c: Call) -> Reply:
    data = c.data
    _state_checks(c, data, None)
    rows = c.store.project_rows(c.store.states, c.project.id)
    now = c.store.now()
    state = State(
        id=c.store.new_id(),
        project_id=c.project.id,
        name=data["name"],
        color=data["color"],
        group=data.get("group", "backlog"),
        description=data.get("description", ""),
        sequence=data.get("sequence", max((s.sequence for s in rows), default=0.0) + 15000.0),
        default=bool(data.get("default", False)),
        external_source=data.get("external_source"),
        external_id=data.get("external_id"),
        created_by=c.actor,
        created_at=now,
        updated_at=now,
    )
    if state.default:
        for other in rows:
            other.default = False
    c.store.states[state.id] = state
    c.store.index_external(c.store.states, state)
    return 200, c.render.state(state)


def _state(c: Call) -> State:
    state: State | None = c.store.live(c.store.states, c.params["state_id"], c.project.id)
    if state is None:
        raise not_found()
    return state


def state_get(c: Call) -> Reply:
    return 200, c.shape(c.render.state(_state(c)))


def state_patch(c: Call) -> Reply:
    state = _state(c)
    data = c.data
    _state_checks(c, data, state)
    for key in (
        "name",
        "color",
        "group",
        "description",
        "sequence",
        "default",
        "external_source",
        "external_id",
    ):
        if key in data:
            setattr(state, key, data[key])
    state.updated_at = c.store.now()
    state.updated_by = c.actor
    c.store.index_external(c.store.states, state)
    return 200, c.render.state(state)


def state_delete(c: Call) -> Reply:
    state = _state(c)
    if state.default:
        raise ApiError(400, {"error": "Default state cannot be deleted"})
    if any(i.state == state.id and i.deleted_at is None for i in c.project.issues):
        raise ApiError(400, {"error": "The state is not empty, only empty states can be deleted"})
    state.deleted_at = c.store.now()
    return 204, None


# -- labels --------------------------------------------------------------------------------


def labels_list(c: Call) -> Reply:
    rows = c.store.project_rows(c.store.labels, c.project.id)
    rows.sort(key=lambda label: label.created_at, reverse=True)
    return _page(c, rows, c.render.label)


def _label_checks(c: Call, data: dict[str, Any], current: Label | None) -> None:
    raise_if(require(data, *(() if current else ("name",))))
    name = data.get("name")
    if name is not None:
        for other in c.store.project_rows(c.store.labels, c.project.id):
            if other is not current and other.name == name:
                raise ApiError(
                    409,
                    {
                        "error": "Label with the same name already exists in the project",
                        "id": other.id,
                    },
                )
    check_external_conflict(c, c.store.labels, data, "Label", current=current)


_LABEL_FIELDS = (
    "name",
    "color",
    "description",
    "parent",
    "sort_order",
    "external_source",
    "external_id",
)


def labels_create(c: Call) -> Reply:
    data = c.data
    _label_checks(c, data, None)
    now = c.store.now()
    label = Label(
        id=c.store.new_id(),
        project_id=c.project.id,
        name=data["name"],
        created_by=c.actor,
        created_at=now,
        updated_at=now,
    )
    for key in _LABEL_FIELDS:
        if key in data and data[key] is not None:
            setattr(label, key, data[key])
    c.store.labels[label.id] = label
    c.store.index_external(c.store.labels, label)
    return 201, c.render.label(label)


def _label(c: Call) -> Label:
    label: Label | None = c.store.live(c.store.labels, c.params["label_id"], c.project.id)
    if label is None:
        raise not_found()
    return label


def label_get(c: Call) -> Reply:
    return 200, c.render.label(_label(c))  # the label detail ignores fields/expand


def label_patch(c: Call) -> Reply:
    label = _label(c)
    data = c.data
    _label_checks(c, data, label)
    for key in _LABEL_FIELDS:
        if key in data:
            setattr(label, key, data[key])
    label.updated_at = c.store.now()
    label.updated_by = c.actor
    c.store.index_external(c.store.labels, label)
    return 200, c.render.label(label)


def label_delete(c: Call) -> Reply:
    _label(c).deleted_at = c.store.now()
    return 204, None


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
