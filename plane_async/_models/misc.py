"""Shapes shared by several resources: the expanded "lite" objects, estimates, search."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ._base import UNSET, PlaneModel, field, model
from ._relations import Expanded, RelatedId
from .enums import EstimateType, StateGroup
from .users import User

__all__ = [
    "Estimate",
    "EstimatePoint",
    "IssueLite",
    "ProjectLite",
    "SearchResult",
    "StateLite",
    "WorkspaceLite",
]


@model
class StateLite(PlaneModel):
    """A state as ``expand=state`` renders it."""

    id: uuid.UUID = UNSET
    name: str = UNSET
    color: str = UNSET
    group: StateGroup = UNSET


@model
class ProjectLite(PlaneModel):
    """A project as ``expand=project`` renders it."""

    id: uuid.UUID = UNSET
    identifier: str = UNSET
    name: str = UNSET
    cover_image: str | None = UNSET
    icon_prop: dict[str, Any] | None = UNSET
    emoji: str | None = UNSET
    description: str | None = UNSET
    cover_image_url: str | None = UNSET


@model
class WorkspaceLite(PlaneModel):
    """A workspace as ``expand=workspace`` renders it."""

    id: uuid.UUID = UNSET
    name: str = UNSET
    slug: str = UNSET


@model
class IssueLite(PlaneModel):
    """A work item as ``expand=parent`` renders it."""

    id: uuid.UUID = UNSET
    sequence_id: int = UNSET
    project_id: uuid.UUID = UNSET


@model
class Audited(PlaneModel):
    """Fields every stored object carries (base class; not returned on its own)."""

    id: uuid.UUID = UNSET
    created_at: dt.datetime = UNSET
    updated_at: dt.datetime = UNSET
    deleted_at: dt.datetime | None = UNSET
    created_by: uuid.UUID | User | None = UNSET
    updated_by: uuid.UUID | User | None = UNSET

    created_by_id = RelatedId[uuid.UUID | None]("created_by")
    created_by_detail = Expanded[User | None]("created_by")
    updated_by_id = RelatedId[uuid.UUID | None]("updated_by")
    updated_by_detail = Expanded[User | None]("updated_by")


@model
class ProjectScoped(Audited):
    """Fields of every object that lives in a project (base class)."""

    project: uuid.UUID | ProjectLite = UNSET
    workspace: uuid.UUID | WorkspaceLite = UNSET

    project_id = RelatedId[uuid.UUID]("project")
    project_detail = Expanded[ProjectLite]("project")
    workspace_id = RelatedId[uuid.UUID]("workspace")
    workspace_detail = Expanded[WorkspaceLite]("workspace")


@model
class EstimatePoint(ProjectScoped):
    """One point of a project's estimate (also ``expand=estimate_point``)."""

    estimate: uuid.UUID = UNSET
    key: int = UNSET
    value: str = UNSET
    description: str | None = UNSET
    external_source: str | None = UNSET
    external_id: str | None = UNSET


@model
class Estimate(ProjectScoped):
    """A project's estimate system."""

    name: str = UNSET
    description: str | None = UNSET
    type: EstimateType = UNSET
    last_used: bool = UNSET
    external_source: str | None = UNSET
    external_id: str | None = UNSET


@model
class SearchResult(PlaneModel):
    """One hit of ``issues.search()``."""

    id: uuid.UUID = UNSET
    name: str = UNSET
    sequence_id: int = UNSET
    project_id: uuid.UUID = UNSET
    project_identifier: str = field(key="project__identifier")
    workspace_slug: str = field(key="workspace__slug")
