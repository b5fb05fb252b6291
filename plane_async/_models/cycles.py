"""Cycles and their work-item rows."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ._base import UNSET, model
from ._relations import Expanded, RelatedId
from .issues import Issue
from .misc import ProjectScoped
from .users import User

__all__ = ["Cycle", "CycleIssue"]


@model
class Cycle(ProjectScoped):
    """A cycle (sprint). Plane stores no status: derive it from the dates.

    The ``*_estimates`` sums are only in the archived-cycles list.
    """

    name: str = UNSET
    description: str = UNSET
    start_date: dt.datetime | None = UNSET
    end_date: dt.datetime | None = UNSET
    owned_by: uuid.UUID | User = UNSET
    timezone: str = UNSET
    view_props: dict[str, Any] = UNSET
    progress_snapshot: dict[str, Any] = UNSET
    logo_props: dict[str, Any] = UNSET
    sort_order: float = UNSET
    archived_at: dt.datetime | None = UNSET
    version: int = UNSET
    external_source: str | None = UNSET
    external_id: str | None = UNSET
    total_issues: int = UNSET
    completed_issues: int = UNSET
    cancelled_issues: int = UNSET
    started_issues: int = UNSET
    unstarted_issues: int = UNSET
    backlog_issues: int = UNSET
    total_estimates: float | None = UNSET
    completed_estimates: float | None = UNSET
    started_estimates: float | None = UNSET

    owned_by_id = RelatedId[uuid.UUID]("owned_by")
    owned_by_detail = Expanded[User]("owned_by")


@model
class CycleIssue(ProjectScoped):
    """A cycle membership row, as returned when work items are added to a cycle."""

    cycle: uuid.UUID = UNSET
    issue: uuid.UUID | Issue = UNSET
    sub_issues_count: int = UNSET

    issue_id = RelatedId[uuid.UUID]("issue")
    issue_detail = Expanded[Issue]("issue")
