"""Users and memberships."""

from __future__ import annotations

import uuid

from ._base import UNSET, PlaneModel, model
from .enums import Role

__all__ = ["ProjectMember", "User", "WorkspaceMember"]


@model
class User(PlaneModel):
    """A user as the API shows it (Plane's UserLite): ``users.me()``, members, expands."""

    id: uuid.UUID = UNSET
    first_name: str = UNSET
    last_name: str = UNSET
    email: str | None = UNSET
    avatar: str | None = UNSET
    avatar_url: str | None = UNSET
    display_name: str = UNSET


@model
class WorkspaceMember(User):
    """A workspace member: the user plus their workspace ``role``."""

    role: Role = UNSET


@model
class ProjectMember(PlaneModel):
    """A project membership row (what adding a member returns): ``member`` is the user id."""

    id: uuid.UUID = UNSET
    member: uuid.UUID = UNSET
    role: Role = UNSET
