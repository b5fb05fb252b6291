"""A project's labels."""

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
from .._router import Call, Reply, Router
from .._store import Label
from .._validate import check_external_conflict, raise_if, require

__all__ = ["register"]


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
    pr = "workspaces/{slug}/projects/{pid:uuid}/"
    r.add(pr + "labels/", {"GET": labels_list, "POST": labels_create})
    r.add(
        pr + "labels/{label_id:uuid}/",
        {"GET": label_get, "PATCH": label_patch, "DELETE": label_delete},
    )
