"""Workspace members, and project members (both spellings of the path)."""

from __future__ import annotations

from typing import Any

from .._router import ApiError, Call, Reply, Router, not_found
from .._validate import check_choice, raise_if

__all__ = ["register", "register_workspace"]


def workspace_members(c: Call) -> Reply:
    return 200, [{**c.render.user_lite(u), "role": u.role} for u in c.store.users.values()]


def members_list(c: Call) -> Reply:
    """Every member, the removed (inactive) ones included, as Plane lists them."""
    users, project = c.store.users, c.project
    ids = [*project.members, *project.former_members]
    return 200, [c.render.user_lite(users[u]) for u in ids if u in users]


def members_add(c: Call) -> Reply:
    data = c.data
    errors: dict[str, Any] = {}
    if "member" not in data:
        errors["member"] = ["This field is required."]
    check_choice(errors, data, "role", (20, 15, 5))
    raise_if(errors)
    user_id = str(data["member"])
    if user_id not in c.store.users:
        raise ApiError(400, {"member": [f'Invalid pk "{user_id}" - object does not exist.']})
    if user_id in c.project.members or user_id in c.project.former_members:
        raise ApiError(400, {"error": "The payload is not valid"})  # the unique constraint
    role = int(data.get("role", 15))
    member_id = c.store.new_id()
    c.project.members[user_id] = (member_id, role)
    return 201, {"id": member_id, "member": user_id, "role": role}


def _member(c: Call) -> tuple[dict[str, tuple[str, int]], str]:
    """The table (active or former members) holding ``member_id``, and the user id."""
    for table in (c.project.members, c.project.former_members):
        for user_id, (member_id, _role) in table.items():
            if member_id == c.params["member_id"]:
                return table, user_id
    raise not_found()


def member_get(c: Call) -> Reply:
    return 200, c.render.user_lite(c.store.users[_member(c)[1]])


def member_patch(c: Call) -> Reply:
    table, user_id = _member(c)
    errors: dict[str, Any] = {}
    check_choice(errors, c.data, "role", (20, 15, 5))
    raise_if(errors)
    member_id, role = table[user_id]
    role = int(c.data.get("role", role))
    table[user_id] = (member_id, role)
    return 200, {"id": member_id, "member": user_id, "role": role}


def member_delete(c: Call) -> Reply:
    """Plane sets ``is_active=false``: the member stays listed and readable."""
    table, user_id = _member(c)
    if table is c.project.members:
        c.project.former_members[user_id] = table.pop(user_id)
    return 204, None


def register_workspace(r: Router) -> None:
    r.add("workspaces/{slug}/members/", {"GET": workspace_members})


def register(r: Router) -> None:
    pr = "workspaces/{slug}/projects/{pid:uuid}/"
    for word in ("members", "project-members"):
        r.add(pr + word + "/", {"GET": members_list, "POST": members_add})
        r.add(
            pr + word + "/{member_id:uuid}/",
            {"GET": member_get, "PATCH": member_patch, "DELETE": member_delete},
        )
