"""Suggestions for a misspelt or misremembered name: only names that mean the same.

A name from another API (``title`` for ``name``, ``assignee_ids`` for ``assignees``) or
a one-letter slip (``priorty``, ``lables``) gets a suggestion; a name that merely looks
alike (``title`` and ``state``) gets none, because a wrong hint misleads more than none.
"""

from __future__ import annotations

from collections.abc import Collection

__all__ = ["same_meaning"]

# What other trackers and APIs call Plane's write fields.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("name",),
    "summary": ("name",),
    "subject": ("name",),
    "label_name": ("name",),
    "description": ("description_html", "description"),
    "body": ("description_html", "comment_html"),
    "content": ("description_html", "comment_html"),
    "text": ("comment_html",),
    "comment": ("comment_html",),
    "html": ("description_html", "comment_html"),
    "status": ("state", "status"),
    "assignee": ("assignees",),
    "owner": ("assignees", "owned_by", "lead"),
    "assigned_to": ("assignees",),
    "tag": ("labels",),
    "tags": ("labels",),
    "label": ("labels",),
    "due": ("target_date", "end_date"),
    "due_date": ("target_date", "end_date"),
    "deadline": ("target_date", "end_date"),
    "end_date": ("target_date", "end_date"),
    "start": ("start_date",),
    "begin_date": ("start_date",),
    "estimate": ("estimate_point", "point"),
    "points": ("point",),
    "story_points": ("point", "estimate_point"),
    "order": ("sort_order",),
    "position": ("sort_order",),
    "draft": ("is_draft",),
    "type": ("type_id",),
    "link": ("url",),
    "href": ("url",),
    "colour": ("color",),
    "leader": ("lead",),
    "member": ("members",),
    "visibility": ("network", "access"),
    "emoji_icon": ("emoji",),
}


def same_meaning(name: str, valid: Collection[str]) -> tuple[str, ...]:
    """Names in ``valid`` that mean what ``name`` probably meant (possibly none)."""
    found: list[str] = [n for n in _SYNONYMS.get(name, ()) if n in valid]
    base = name.removesuffix("_ids").removesuffix("_id")
    if base != name:  # state_id -> state, assignee_ids -> assignees
        found += [n for n in (base, base + "s") if n in valid]
    if not found and len(name) >= 4:
        found = [n for n in sorted(valid) if _one_slip(name, n)]
    return tuple(dict.fromkeys(found))


def _one_slip(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one inserted, deleted, replaced or swapped letter."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]
