"""Modules and their work-item rows."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ._base import UNSET, model
from ._relations import Expanded, RelatedId
from .enums import ModuleStatus
from .issues import Issue
from .misc import ProjectScoped

__all__ = ["Module", "ModuleIssue"]


@model
class Module(ProjectScoped):
    """A module: a group of work items with dates, a lead and members."""

    name: str = UNSET
    description: str = UNSET
    description_text: Any = UNSET
    description_html: Any = UNSET
    start_date: dt.date | None = UNSET
    target_date: dt.date | None = UNSET
    status: ModuleStatus = UNSET
    #: the lead's user id (Plane does not expand it: fetch the user by this id)
    lead: uuid.UUID | None = UNSET
    members: tuple[uuid.UUID, ...] = UNSET
    view_props: dict[str, Any] = UNSET
    logo_props: dict[str, Any] = UNSET
    sort_order: float = UNSET
    archived_at: dt.datetime | None = UNSET
    external_source: str | None = UNSET
    external_id: str | None = UNSET
    total_issues: int = UNSET
    completed_issues: int = UNSET
    cancelled_issues: int = UNSET
    started_issues: int = UNSET
    unstarted_issues: int = UNSET
    backlog_issues: int = UNSET


@model
class ModuleIssue(ProjectScoped):
    """A module membership row, as returned when work items are added to a module."""

    module: uuid.UUID = UNSET
    issue: uuid.UUID | Issue = UNSET
    sub_issues_count: int = UNSET

    issue_id = RelatedId[uuid.UUID]("issue")
    issue_detail = Expanded[Issue]("issue")
