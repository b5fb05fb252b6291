"""Workspace-level objects: stickies and invitations."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ._base import UNSET, PlaneModel, model
from ._relations import Expanded, RelatedId
from .enums import Role
from .misc import Audited, WorkspaceLite

__all__ = ["Invitation", "Sticky"]


@model
class Sticky(Audited):
    """A sticky note; each user sees only their own."""

    name: str | None = UNSET
    description: dict[str, Any] = UNSET
    description_html: str = UNSET
    description_stripped: str | None = UNSET
    #: the editor's binary document, base64; None when only HTML was written
    description_binary: str | None = UNSET
    logo_props: dict[str, Any] = UNSET
    color: str | None = UNSET
    background_color: str | None = UNSET
    workspace: uuid.UUID | WorkspaceLite = UNSET
    owner: uuid.UUID = UNSET
    sort_order: float = UNSET

    workspace_id = RelatedId[uuid.UUID]("workspace")
    workspace_detail = Expanded[WorkspaceLite]("workspace")


@model
class Invitation(PlaneModel):
    """An invitation to join the workspace."""

    id: uuid.UUID = UNSET
    email: str = UNSET
    role: Role = UNSET
    created_at: dt.datetime = UNSET
    updated_at: dt.datetime = UNSET
    responded_at: dt.datetime | None = UNSET
    accepted: bool = UNSET
