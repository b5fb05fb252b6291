"""A project's estimate and its points (Plane 1.3.0)."""

from __future__ import annotations

from typing import Any

from .._router import ApiError, Call, Handler, Reply, Router
from .._rows import EstimatePointRow, EstimateRow

__all__ = ["register"]


_ESTIMATE_404 = {"error": "Estimate not found"}


def render_estimate(c: Call, e: EstimateRow) -> dict[str, Any]:
    return {
        **c.render.audit(e),
        "name": e.name,
        "description": e.description,
        "type": e.type,
        "last_used": e.last_used,
        "created_by": e.created_by,
        "updated_by": e.updated_by,
        "project": e.project_id,
        "workspace": c.store.workspace_id,
    }


def render_point(c: Call, p: EstimatePointRow) -> dict[str, Any]:
    return {
        **c.render.audit(p),
        "key": p.key,
        "description": p.description,
        "value": p.value,
        "created_by": p.created_by,
        "updated_by": p.updated_by,
        "project": p.project_id,
        "workspace": c.store.workspace_id,
        "estimate": p.estimate_id,
    }


def _estimate(c: Call) -> EstimateRow | None:
    for e in c.store.estimates.values():
        if e.project_id == c.project.id and e.deleted_at is None:
            return e
    return None


def _require_estimate(c: Call) -> EstimateRow:
    e = _estimate(c)
    if e is None:
        raise ApiError(404, _ESTIMATE_404)
    return e


def _field_errors(data: dict[str, Any], *, partial: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    name = data.get("name")
    if ("name" in data or not partial) and (not isinstance(name, str) or not name):
        errors["name"] = ["This field is required." if name is None else "Not a valid string."]
    if "type" in data and data["type"] not in ("categories", "points"):
        errors["type"] = [f'"{data["type"]}" is not a valid choice.']
    return errors


def estimate_get(c: Call) -> Reply:
    return 200, render_estimate(c, _require_estimate(c))


def estimate_create(c: Call) -> Reply:
    existing = _estimate(c)
    if existing is not None:
        body = {"error": "An estimate already exists for this project", "id": existing.id}
        raise ApiError(409, body)
    data = c.data
    errors = _field_errors(data, partial=False)
    if errors:
        raise ApiError(400, errors)
    now = c.store.now()
    e = EstimateRow(
        id=c.store.new_id(),
        project_id=c.project.id,
        name=data["name"],
        description=data.get("description") or "",
        type=data.get("type", "categories"),
        last_used=bool(data.get("last_used", False)),
        created_by=c.actor,
        created_at=now,
        updated_at=now,
    )
    c.store.estimates[e.id] = e
    return 201, render_estimate(c, e)


def estimate_patch(c: Call) -> Reply:
    e = _require_estimate(c)
    data = {k: v for k, v in c.data.items() if k in ("name", "description")}
    errors = _field_errors(data, partial=True)
    if errors:
        raise ApiError(400, errors)
    if data:
        e.name = data.get("name", e.name)
        e.description = data.get("description", e.description)
        e.updated_at, e.updated_by = c.store.now(), c.actor
    return 200, render_estimate(c, e)


def estimate_delete(c: Call) -> Reply:
    e = _require_estimate(c)
    e.deleted_at = c.store.now()
    return 204, None


def _points_estimate(c: Call) -> EstimateRow:
    e = c.store.estimates.get(c.params["estimate_id"])
    if e is None or e.project_id != c.project.id or e.deleted_at is not None:
        raise ApiError(404, _ESTIMATE_404)
    return e


def _point_errors(item: Any, *, partial: bool) -> dict[str, list[str]]:
    if not isinstance(item, dict):
        return {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}
    errors: dict[str, list[str]] = {}
    key = item.get("key")
    if "key" in item and (isinstance(key, bool) or not isinstance(key, int)):
        errors["key"] = ["A valid integer is required."]
    elif isinstance(key, int) and key < 0:
        errors["key"] = ["Ensure this value is greater than or equal to 0."]
    value = item.get("value")
    if "value" in item or not partial:
        if not isinstance(value, str) or not value:
            errors["value"] = ["This field is required."]
        elif len(value) > 20:
            errors["non_field_errors"] = ["Value can't be more than 20 characters"]
    return errors


def points_list(c: Call) -> Reply:
    e = _points_estimate(c)
    rows = [p for p in c.store.estimate_points.values()
            if p.estimate_id == e.id and p.deleted_at is None]  # fmt: skip
    return 200, [render_point(c, p) for p in rows]


def points_create(c: Call) -> Reply:
    e = _points_estimate(c)
    body = c.body
    items = body if isinstance(body, list) else (body or {}).get("estimate_points", [])
    if not items:
        raise ApiError(400, {"error": "Estimate points are required"})
    all_errors = [_point_errors(item, partial=False) for item in items]
    if any(all_errors):
        raise ApiError(400, all_errors)
    now = c.store.now()
    created = []
    for item in items:
        p = EstimatePointRow(
            id=c.store.new_id(),
            project_id=e.project_id,
            estimate_id=e.id,
            key=item.get("key", 0),
            value=item["value"],
            description=item.get("description") or "",
            created_by=c.actor,
            created_at=now,
            updated_at=now,
        )
        c.store.estimate_points[p.id] = p
        created.append(render_point(c, p))
    return 201, created


def _point(c: Call) -> EstimatePointRow:
    p = c.store.estimate_points.get(c.params["point_id"])
    if p is None or p.estimate_id != c.params["estimate_id"] or p.deleted_at is not None:
        raise ApiError(404, {"error": "Estimate point not found"})
    return p


def point_patch(c: Call) -> Reply:
    p = _point(c)
    data = {k: v for k, v in c.data.items() if k in ("key", "value", "description")}
    errors = _point_errors(data, partial=True)
    if errors:
        raise ApiError(400, errors)
    for k, v in data.items():
        setattr(p, k, v)
    if data:
        p.updated_at, p.updated_by = c.store.now(), c.actor
    return 200, render_point(c, p)


def point_delete(c: Call) -> Reply:
    _point(c).deleted_at = c.store.now()
    return 204, None


def register(r: Router) -> None:
    project = "workspaces/{slug}/projects/{pid:uuid}/"
    estimate: dict[str, Handler] = {
        "GET": estimate_get,
        "POST": estimate_create,
        "PATCH": estimate_patch,
        "DELETE": estimate_delete,
    }
    r.add(project + "estimates/", estimate, project_scoped=True)
    points = project + "estimates/{estimate_id:uuid}/estimate-points/"
    r.add(points, {"GET": points_list, "POST": points_create})
    r.add(points + "{point_id:uuid}/", {"PATCH": point_patch, "DELETE": point_delete})
