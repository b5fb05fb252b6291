"""Work-item relations (Plane 1.3.0; the ``work-items`` spelling only)."""

from __future__ import annotations

from typing import Any

from .._router import ApiError, Call, Reply, Router
from .._rows import RelationRow
from ._shared import add_new_only

__all__ = ["RELATION_TYPES", "register"]


RELATION_TYPES = (
    "blocking", "blocked_by", "duplicate", "relates_to",
    "start_before", "start_after", "finish_before", "finish_after",
)  # fmt: skip
#: a reverse type is stored as its forward twin with the two work items swapped
_REVERSE = {
    "blocking": "blocked_by",
    "start_after": "start_before",
    "finish_after": "finish_before",
}


def _ref(c: Call, issue_id: str) -> dict[str, str]:
    return {"project_id": c.store.issues[issue_id].project_id, "issue_id": issue_id}


def relations_get(c: Call) -> Reply:
    me = c.params["issue_id"]
    out: dict[str, list[dict[str, str]]] = {t: [] for t in (
        "blocking", "blocked_by", "duplicate", "relates_to",
        "start_after", "start_before", "finish_after", "finish_before",
    )}  # fmt: skip
    seen: dict[str, set[str]] = {"duplicate": set(), "relates_to": set()}
    for rel in c.store.relations.values():
        if rel.deleted_at is not None or me not in (rel.issue_id, rel.related_issue_id):
            continue
        kind = rel.relation_type
        if kind in seen:
            other = rel.related_issue_id if rel.issue_id == me else rel.issue_id
            if other not in seen[kind]:
                seen[kind].add(other)
                out[kind].append(_ref(c, other))
            continue
        reverse = {"blocked_by": "blocking", "start_before": "start_after",
                   "finish_before": "finish_after"}[kind]  # fmt: skip
        if rel.related_issue_id == me:
            out[reverse].append(_ref(c, rel.issue_id))
        if rel.issue_id == me:
            out[kind].append(_ref(c, rel.related_issue_id))
    return 200, out


def relations_create(c: Call) -> Reply:
    data = c.data
    errors: dict[str, list[str]] = {}
    kind = data.get("relation_type")
    if kind is None:
        errors["relation_type"] = ["This field is required."]
    elif kind not in RELATION_TYPES:
        errors["relation_type"] = [f'"{kind}" is not a valid choice.']
    others = data.get("issues")
    if not isinstance(others, list) or not others:
        errors["issues"] = ["This list may not be empty." if others == [] else
                            "This field is required."]  # fmt: skip
    if errors or not isinstance(others, list) or not isinstance(kind, str):
        raise ApiError(400, errors)
    issue = c.store.issues.get(c.params["issue_id"])
    if issue is None or any(c.store.issues.get(str(other)) is None for other in others):
        # bulk_create trips the foreign key: Plane's IntegrityError answer
        raise ApiError(400, {"error": "The payload is not valid"})
    stored = _REVERSE.get(kind, kind)
    reverse = kind in _REVERSE
    x = c.store
    now = c.store.now()
    made = []
    for other in others:
        a, b = (other, issue.id) if reverse else (issue.id, other)
        rel = next((r for r in x.relations.values() if (r.issue_id, r.related_issue_id,
                    r.relation_type) == (a, b, stored) and r.deleted_at is None), None)  # fmt: skip
        if rel is None:
            rel = RelationRow(
                id=c.store.new_id(), project_id=issue.project_id, issue_id=a,
                related_issue_id=b, relation_type=stored, created_by=c.actor,
                updated_by=c.actor, created_at=now, updated_at=now,
            )  # fmt: skip
            x.relations[rel.id] = rel
        made.append(_render_related(c, rel, reverse))
    return 201, made


def _render_related(c: Call, rel: RelationRow, reverse: bool) -> dict[str, Any]:
    """IssueRelationSerializer (the related item), or RelatedIssueSerializer (the source
    item, with ``type_id``/``is_epic``) for a type stored reversed."""
    other = c.store.issues[rel.issue_id if reverse else rel.related_issue_id]
    out: dict[str, Any] = {
        "id": other.id,
        "project_id": other.project_id,
        "sequence_id": other.sequence_id,
        "relation_type": rel.relation_type,
        "name": other.name,
    }
    if reverse:
        out.update(type_id=None, is_epic=None)
    out.update(
        state_id=other.state,
        priority=other.priority,
        created_by=rel.created_by,
        created_at=c.render.dt(rel.created_at),
        updated_by=rel.updated_by,
        updated_at=c.render.dt(rel.updated_at),
    )
    return out


def register(r: Router) -> None:
    add_new_only(
        r,
        "workspaces/{slug}/projects/{pid:uuid}/work-items/{issue_id:uuid}/relations/",
        {"GET": relations_get, "POST": relations_create},
    )
