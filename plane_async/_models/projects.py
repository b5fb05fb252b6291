"""Projects (and their summary counts), states and labels."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ._base import UNSET, PlaneModel, model
from ._relations import Expanded, RelatedId
from .enums import Network, Role, StateGroup
from .misc import Audited, ProjectScoped, WorkspaceLite
from .users import User

__all__ = ["Label", "Project", "ProjectSummary", "State"]


@model
class Project(Audited):
    """A project. ``sort_order`` is only in list responses."""

    workspace: uuid.UUID | WorkspaceLite = UNSET
    name: str = UNSET
    identifier: str = UNSET
    description: str = UNSET
    description_text: Any = UNSET
    description_html: Any = UNSET
    network: Network = UNSET
    emoji: str | None = UNSET
    icon_prop: dict[str, Any] | None = UNSET
    cover_image: str | None = UNSET
    cover_image_url: str | None = UNSET
    cover_image_asset: uuid.UUID | None = UNSET
    logo_props: dict[str, Any] = UNSET
    module_view: bool = UNSET
    cycle_view: bool = UNSET
    issue_views_view: bool = UNSET
    page_view: bool = UNSET
    intake_view: bool = UNSET
    is_time_tracking_enabled: bool = UNSET
    is_issue_type_enabled: bool = UNSET
    guest_view_all_features: bool = UNSET
    archive_in: int = UNSET
    close_in: int = UNSET
    archived_at: dt.datetime | None = UNSET
    timezone: str = UNSET
    external_source: str | None = UNSET
    external_id: str | None = UNSET
    project_lead: uuid.UUID | User | None = UNSET
    default_assignee: uuid.UUID | User | None = UNSET
    default_state: uuid.UUID | None = UNSET
    estimate: uuid.UUID | None = UNSET
    total_members: int = UNSET
    total_cycles: int = UNSET
    total_modules: int = UNSET
    is_member: bool = UNSET
    member_role: Role | None = UNSET
    is_deployed: bool = UNSET
    sort_order: float | None = UNSET

    workspace_id = RelatedId[uuid.UUID]("workspace")
    workspace_detail = Expanded[WorkspaceLite]("workspace")
    project_lead_id = RelatedId[uuid.UUID | None]("project_lead")
    project_lead_detail = Expanded[User | None]("project_lead")
    default_assignee_id = RelatedId[uuid.UUID | None]("default_assignee")
    default_assignee_detail = Expanded[User | None]("default_assignee")


@model
class ProjectSummary(PlaneModel):
    """``projects.summary()``: a project's id, name, identifier and per-kind ``counts``."""

    id: uuid.UUID = UNSET
    name: str = UNSET
    identifier: str = UNSET
    counts: dict[str, int] = UNSET


@model
class State(ProjectScoped):
    """A workflow state of a project."""

    name: str = UNSET
    description: str = UNSET
    color: str = UNSET
    slug: str = UNSET
    sequence: float = UNSET
    group: StateGroup = UNSET
    is_triage: bool = UNSET
    default: bool = UNSET
    external_source: str | None = UNSET
    external_id: str | None = UNSET


@model
class Label(ProjectScoped):
    """A label of a project (also what ``expand=labels`` gives on a work item)."""

    name: str = UNSET
    description: str = UNSET
    color: str = UNSET
    sort_order: float = UNSET
    parent: uuid.UUID | None = UNSET
    external_source: str | None = UNSET
    external_id: str | None = UNSET
