"""Workspace stickies (a DRF ViewSet in Plane: not rate limited, its own 404 bodies)."""

from __future__ import annotations

import re
from typing import Any

from .._paginator import envelope, parse_page_request
from .._router import ApiError, Call, Handler, Reply, Router
from .._rows import StickyRow

__all__ = ["register"]


_TAGS = re.compile(r"<[^>]+>")
_STICKY_FIELDS = ("name", "description_html", "color", "background_color", "logo_props",
                  "sort_order")  # fmt: skip


def render_sticky(c: Call, s: StickyRow) -> dict[str, Any]:
    return {
        **c.render.audit(s),
        "name": s.name,
        "description": {},
        "description_html": s.description_html,
        "description_stripped": s.description_stripped,
        "description_binary": None,
        "logo_props": s.logo_props,
        "color": s.color,
        "background_color": s.background_color,
        "sort_order": s.sort_order,
        "created_by": s.created_by,
        "updated_by": s.updated_by,
        "workspace": c.store.workspace_id,
        "owner": s.owner,
    }


def _mine(c: Call) -> list[StickyRow]:
    return [s for s in c.store.stickies.values()
            if s.owner == c.actor and s.deleted_at is None]  # fmt: skip


def stickies_list(c: Call) -> Reply:
    rows = sorted(_mine(c), key=lambda s: s.created_at, reverse=True)
    query = c.query.get("query")
    if query:
        rows = [s for s in rows if query.lower() in (s.description_stripped or "").lower()]
    request = parse_page_request(c.query, max_per_page=c.max_per_page, default_per_page=20)
    return 200, envelope(rows, request, lambda s: render_sticky(c, s))


def _sticky_errors(data: dict[str, Any]) -> None:
    html = data.get("description_html")
    if "description_html" in data and not isinstance(html, str):
        raise ApiError(400, {"description_html": ["Not a valid string."]})
    if isinstance(html, str) and "<script" in html.lower():
        raise ApiError(400, {"error": ["html content is not valid"]})


def _apply(s: StickyRow, data: dict[str, Any]) -> None:
    for key in _STICKY_FIELDS:
        if key in data:
            setattr(s, key, data[key])
    html = s.description_html
    s.description_stripped = _TAGS.sub("", html) if html else None


def stickies_create(c: Call) -> Reply:
    data = c.data
    _sticky_errors(data)
    now = c.store.now()
    assert c.actor is not None
    s = StickyRow(id=c.store.new_id(), owner=c.actor, created_by=c.actor, created_at=now,
                  updated_at=now)  # fmt: skip
    mine = _mine(c)
    if mine:
        s.sort_order = max(m.sort_order for m in mine) + 10000
    _apply(s, data)
    c.store.stickies[s.id] = s
    return 201, render_sticky(c, s)


def _sticky(c: Call) -> StickyRow:
    s = c.store.stickies.get(c.params["sticky_id"])
    if s is None or s.owner != c.actor or s.deleted_at is not None:
        raise ApiError(404, {"detail": "No Sticky matches the given query."})
    return s


def sticky_get(c: Call) -> Reply:
    return 200, render_sticky(c, _sticky(c))


def sticky_patch(c: Call) -> Reply:
    s = _sticky(c)
    data = c.data
    _sticky_errors(data)
    _apply(s, data)
    s.updated_at, s.updated_by = c.store.now(), c.actor
    return 200, render_sticky(c, s)


def sticky_delete(c: Call) -> Reply:
    _sticky(c).deleted_at = c.store.now()
    return 204, None


def register(r: Router) -> None:
    ws = "workspaces/{slug}/"
    # ViewSets: DRF's default throttle only counts anonymous requests, so these never 429
    sticky: dict[str, Handler] = {"GET": sticky_get, "PATCH": sticky_patch, "DELETE": sticky_delete}
    r.add(ws + "stickies/", {"GET": stickies_list, "POST": stickies_create}, throttled=False)
    r.add(ws + "stickies/{sticky_id:uuid}/", sticky, throttled=False)
