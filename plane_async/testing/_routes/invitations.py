"""Workspace invitations (a DRF ViewSet in Plane: not rate limited, its own 404 bodies)."""

from __future__ import annotations

import re
from typing import Any

from .._router import ApiError, Call, Handler, Reply, Router
from .._rows import InvitationRow

__all__ = ["register"]


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_ROLES = (20, 15, 5)


def render_invitation(c: Call, i: InvitationRow) -> dict[str, Any]:
    return {
        "id": i.id,
        "email": i.email,
        "role": i.role,
        "created_at": c.render.dt(i.created_at),
        "updated_at": c.render.dt(i.updated_at),
        "responded_at": c.render.dt(i.responded_at),
        "accepted": i.accepted,
    }


def _admin(c: Call) -> None:
    me = c.store.me
    if me is None or me.role != 20:
        raise ApiError(403, {"detail": "You do not have permission to perform this action."})


def invitations_list(c: Call) -> Reply:
    _admin(c)
    return 200, [render_invitation(c, i) for i in c.store.invitations.values()]


def _invite_errors(c: Call, data: dict[str, Any], *, partial: bool) -> None:
    errors: dict[str, list[str]] = {}
    email = data.get("email")
    if not partial and email is None:
        errors["email"] = ["This field is required."]
    elif email is not None and (not isinstance(email, str) or not _EMAIL.fullmatch(email)):
        errors["email"] = ["Invalid email address"]
    if "role" in data and data["role"] not in _ROLES:
        errors["role"] = ["Invalid role"]
    if errors:
        raise ApiError(400, errors)
    taken = any(i.email == email for i in c.store.invitations.values())
    if email and taken:
        raise ApiError(400, {"non_field_errors": ["Email already invited"]})


def invitations_create(c: Call) -> Reply:
    _admin(c)
    data = c.data
    _invite_errors(c, data, partial=False)
    now = c.store.now()
    i = InvitationRow(id=c.store.new_id(), email=data["email"], role=data.get("role", 5),
                      created_at=now, updated_at=now, created_by=c.actor)  # fmt: skip
    c.store.invitations[i.id] = i
    return 201, render_invitation(c, i)


def _invitation(c: Call) -> InvitationRow:
    _admin(c)
    i = c.store.invitations.get(c.params["invitation_id"])
    if i is None:
        raise ApiError(404, {"error": "The required object does not exist."})
    return i


def invitation_get(c: Call) -> Reply:
    return 200, render_invitation(c, _invitation(c))


def invitation_patch(c: Call) -> Reply:
    i = _invitation(c)
    data = c.data
    if data.get("email"):
        raise ApiError(400, {"error": "Email cannot be updated after invite is created.",
                             "code": "EMAIL_CANNOT_BE_UPDATED"})  # fmt: skip
    _invite_errors(c, data, partial=True)
    if "role" in data:
        i.role = data["role"]
    i.updated_at = c.store.now()
    return 200, render_invitation(c, i)


def invitation_delete(c: Call) -> Reply:
    i = _invitation(c)
    if i.accepted:
        raise ApiError(400, {"error": "Invite already accepted", "code": "INVITE_ALREADY_ACCEPTED"})
    if i.responded_at is not None:
        raise ApiError(400, {"error": "Invite already responded",
                             "code": "INVITE_ALREADY_RESPONDED"})  # fmt: skip
    del c.store.invitations[i.id]
    return 204, None


def register(r: Router) -> None:
    ws = "workspaces/{slug}/"
    # a ViewSet: DRF's default throttle only counts anonymous requests, so it never 429s
    r.add(ws + "invitations/", {"GET": invitations_list, "POST": invitations_create},
          throttled=False)  # fmt: skip
    invitation: dict[str, Handler] = {
        "GET": invitation_get,
        "PATCH": invitation_patch,
        "DELETE": invitation_delete,
    }
    r.add(ws + "invitations/{invitation_id:uuid}/", invitation, throttled=False)
