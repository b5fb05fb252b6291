"""Work items (Plane's issues) and what hangs off them: comments, links, activities, intake."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ._base import UNSET, PlaneModel, model
from ._relations import Expanded, RelatedId
from .enums import CommentAccess, IntakeStatus, Priority
from .misc import (
    EstimatePoint,
    IssueLite,
    ProjectLite,
    ProjectScoped,
    StateLite,
    WorkspaceLite,
)
from .projects import Label
from .users import User

__all__ = ["Activity", "Comment", "IntakeIssue", "IntakeIssueDetail", "Issue", "Link"]


@model
class Issue(ProjectScoped):
    """A work item.

    Relations are ids unless expanded: ``state`` is a ``UUID``, or a ``StateLite`` with
    ``expand=state``; ``assignees`` a tuple of ``UUID``, or of ``User`` with
    ``expand=assignees``; ``labels`` likewise with ``Label``. Their typed companions:
    ``state_id`` and ``assignee_ids`` hold the ids either way, ``state_detail`` and
    ``assignee_details`` the expanded objects (``FieldNotExpandedError`` without expand).
    """

    name: str = UNSET
    description_html: str = UNSET
    description_binary: str | None = UNSET
    #: the description as the editor's JSON document and as plain text (webhook payloads)
    description: dict[str, Any] | None = UNSET
    description_json: dict[str, Any] | None = UNSET
    description_stripped: str | None = UNSET
    priority: Priority = UNSET
    state: uuid.UUID | StateLite | None = UNSET
    parent: uuid.UUID | IssueLite | None = UNSET
    estimate_point: uuid.UUID | EstimatePoint | None = UNSET
    point: int | None = UNSET
    start_date: dt.date | None = UNSET
    target_date: dt.date | None = UNSET
    assignees: tuple[uuid.UUID, ...] | tuple[User, ...] = UNSET
    labels: tuple[uuid.UUID, ...] | tuple[Label, ...] = UNSET
    sequence_id: int = UNSET
    sort_order: float = UNSET
    completed_at: dt.datetime | None = UNSET
    archived_at: dt.date | None = UNSET
    is_draft: bool = UNSET
    type: uuid.UUID | None = UNSET
    type_id: uuid.UUID | None = UNSET
    external_source: str | None = UNSET
    external_id: str | None = UNSET

    state_id = RelatedId[uuid.UUID | None]("state")
    state_detail = Expanded[StateLite | None]("state")
    parent_id = RelatedId[uuid.UUID | None]("parent")
    parent_detail = Expanded[IssueLite | None]("parent")
    estimate_point_id = RelatedId[uuid.UUID | None]("estimate_point")
    estimate_point_detail = Expanded[EstimatePoint | None]("estimate_point")
    assignee_ids = RelatedId[tuple[uuid.UUID, ...]]("assignees")
    assignee_details = Expanded[tuple[User, ...]]("assignees")
    label_ids = RelatedId[tuple[uuid.UUID, ...]]("labels")
    label_details = Expanded[tuple[Label, ...]]("labels")


@model
class Comment(ProjectScoped):
    """A comment on a work item. ``is_member`` is only in list responses."""

    issue: uuid.UUID | Issue = UNSET
    comment_html: str = UNSET
    access: CommentAccess = UNSET
    actor: uuid.UUID | User | None = UNSET
    parent: uuid.UUID | None = UNSET
    description: uuid.UUID | None = UNSET
    attachments: tuple[str, ...] = UNSET
    edited_at: dt.datetime | None = UNSET
    is_member: bool = UNSET
    external_source: str | None = UNSET
    external_id: str | None = UNSET

    issue_id = RelatedId[uuid.UUID]("issue")
    issue_detail = Expanded[Issue]("issue")
    actor_id = RelatedId[uuid.UUID | None]("actor")
    actor_detail = Expanded[User | None]("actor")


@model
class Link(ProjectScoped):
    """A link attached to a work item; the server fills ``title``/``metadata`` later."""

    issue: uuid.UUID | Issue = UNSET
    url: str = UNSET
    title: str | None = UNSET
    metadata: dict[str, Any] = UNSET

    issue_id = RelatedId[uuid.UUID]("issue")
    issue_detail = Expanded[Issue]("issue")


@model
class Activity(PlaneModel):
    """One entry of a work item's history (read-only)."""

    id: uuid.UUID = UNSET
    created_at: dt.datetime = UNSET
    updated_at: dt.datetime = UNSET
    deleted_at: dt.datetime | None = UNSET
    project: uuid.UUID | ProjectLite = UNSET
    workspace: uuid.UUID | WorkspaceLite = UNSET
    issue: uuid.UUID | Issue | None = UNSET
    verb: str = UNSET
    field: str | None = UNSET
    old_value: str | None = UNSET
    new_value: str | None = UNSET
    comment: str | None = UNSET
    attachments: tuple[Any, ...] = UNSET
    old_identifier: uuid.UUID | None = UNSET
    new_identifier: uuid.UUID | None = UNSET
    issue_comment: uuid.UUID | None = UNSET
    actor: uuid.UUID | User | None = UNSET
    epoch: float | None = UNSET

    project_id = RelatedId[uuid.UUID]("project")
    project_detail = Expanded[ProjectLite]("project")
    workspace_id = RelatedId[uuid.UUID]("workspace")
    workspace_detail = Expanded[WorkspaceLite]("workspace")
    issue_id = RelatedId[uuid.UUID | None]("issue")
    issue_detail = Expanded[Issue | None]("issue")
    actor_id = RelatedId[uuid.UUID | None]("actor")
    actor_detail = Expanded[User | None]("actor")


@model
class IntakeIssueDetail(Issue):
    """The work item inside an intake row (``issue_detail``): an Issue whose ``state`` is a
    ``StateLite``, plus ``description``, the editor's JSON document."""

    description: dict[str, Any] | None = UNSET


@model
class IntakeIssue(ProjectScoped):
    """A work item waiting in a project's intake (triage) queue."""

    issue: uuid.UUID | Issue = UNSET
    intake: uuid.UUID = UNSET
    inbox: uuid.UUID | None = UNSET
    status: IntakeStatus = UNSET
    snoozed_till: dt.datetime | None = UNSET
    duplicate_to: uuid.UUID | None = UNSET
    source: str | None = UNSET
    source_email: str | None = UNSET
    extra: dict[str, Any] | None = UNSET
    issue_detail: IntakeIssueDetail | None = UNSET
    external_source: str | None = UNSET
    external_id: str | None = UNSET

    #: (``issue_detail`` is the server's own field: the work item, always sent)
    issue_id = RelatedId[uuid.UUID]("issue")
