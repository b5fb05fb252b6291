"""The fake server's rows: slotted attrs classes, ids as strings, times as epoch floats."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = [
    "Activity",
    "Comment",
    "Cycle",
    "EstimatePointRow",
    "EstimateRow",
    "FileRow",
    "ImportedRow",
    "IntakeIssue",
    "InvitationRow",
    "Issue",
    "Label",
    "Link",
    "Module",
    "Project",
    "RelationRow",
    "Row",
    "State",
    "StickyRow",
    "User",
]


@attrs.define(eq=False)
class Row:
    """The id and audit fields every Plane model carries (times as epoch floats). They are
    keyword-only, so subclasses can still declare required fields."""

    id: str = attrs.field(kw_only=True)
    created_by: str | None = attrs.field(default=None, kw_only=True)
    updated_by: str | None = attrs.field(default=None, kw_only=True)
    created_at: float = attrs.field(default=0.0, kw_only=True)
    updated_at: float = attrs.field(default=0.0, kw_only=True)
    deleted_at: float | None = attrs.field(default=None, kw_only=True)


@attrs.define(eq=False)
class ImportedRow(Row):
    """A row an import can tag with ``external_source``/``external_id`` (409 on a repeat)."""

    external_source: str | None = attrs.field(default=None, kw_only=True)
    external_id: str | None = attrs.field(default=None, kw_only=True)


@attrs.define(eq=False)
class User:
    id: str
    first_name: str
    last_name: str
    email: str
    display_name: str
    role: int = 15
    avatar: str = ""
    avatar_url: str | None = None


@attrs.define(eq=False)
class State(ImportedRow):
    project_id: str
    name: str
    color: str
    group: str = "backlog"
    sequence: float = 15000.0
    default: bool = False
    description: str = ""
    is_triage: bool = False


@attrs.define(eq=False)
class Label(ImportedRow):
    project_id: str
    name: str
    color: str = ""
    description: str = ""
    parent: str | None = None
    sort_order: float = 65535.0


@attrs.define(eq=False)
class Issue(ImportedRow):
    """One work item. ``archived_at`` is a date string; the other times are epoch floats."""

    project_id: str
    sequence_id: int
    name: str
    state: str | None
    priority: str = "none"
    description_html: str = "<p></p>"
    assignees: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    parent: str | None = None
    estimate_point: str | None = None
    point: int | None = None
    start_date: str | None = None
    target_date: str | None = None
    sort_order: float = 65535.0
    completed_at: float | None = None
    archived_at: str | None = None
    is_draft: bool = False
    is_triage: bool = False
    type_id: str | None = None


@attrs.define(eq=False)
class Project(Row):
    """A project. It keeps external ids but is no :class:`ImportedRow`: Plane has no
    external-id 409 for projects, and nothing indexes them."""

    name: str
    identifier: str
    description: str = ""
    network: int = 2
    module_view: bool = False
    cycle_view: bool = False
    issue_views_view: bool = False
    page_view: bool = True
    intake_view: bool = False
    project_lead: str | None = None
    default_assignee: str | None = None
    timezone: str = "UTC"
    external_source: str | None = None
    external_id: str | None = None
    extra: dict[str, Any] = attrs.Factory(dict)
    archived_at: float | None = None
    sort_order: float = 65535.0
    #: user id -> (ProjectMember id, role) of the active members
    members: dict[str, tuple[str, int]] = attrs.Factory(dict)
    #: the same for members removed by DELETE (Plane keeps them with is_active=false)
    former_members: dict[str, tuple[str, int]] = attrs.Factory(dict)
    #: every work item of the project in creation order (including deleted ones)
    issues: list[Issue] = attrs.Factory(list)
    by_sequence: dict[int, Issue] = attrs.Factory(dict)
    next_sequence: int = 1
    #: bumped on every work-item write, so cached list orderings know they are stale
    version: int = 0


@attrs.define(eq=False)
class Module(ImportedRow):
    project_id: str
    name: str
    description: str = ""
    status: str = "planned"
    start_date: str | None = None
    target_date: str | None = None
    lead: str | None = None
    members: list[str] = attrs.Factory(list)
    sort_order: float = 65535.0
    archived_at: float | None = None
    #: issue id -> ModuleIssue row id
    issue_ids: dict[str, str] = attrs.Factory(dict)


@attrs.define(eq=False)
class Cycle(ImportedRow):
    project_id: str
    name: str
    description: str = ""
    start_date: float | None = None
    end_date: float | None = None
    owned_by: str | None = None
    timezone: str = "UTC"
    sort_order: float = 65535.0
    archived_at: float | None = None
    #: issue id -> CycleIssue row id
    issue_ids: dict[str, str] = attrs.Factory(dict)


@attrs.define(eq=False)
class Comment(ImportedRow):
    issue_id: str
    project_id: str
    comment_html: str = "<p></p>"
    access: str = "INTERNAL"
    actor: str | None = None
    description: str | None = None
    parent: str | None = None
    edited_at: float | None = None


@attrs.define(eq=False)
class Link(Row):
    issue_id: str
    project_id: str
    url: str
    title: str | None = None
    metadata: dict[str, Any] = attrs.Factory(dict)


@attrs.define(eq=False)
class Activity:
    id: str
    issue_id: str
    project_id: str
    verb: str
    field: str | None
    old_value: str | None
    new_value: str | None
    comment: str
    actor: str | None
    created_at: float = 0.0


@attrs.define(eq=False)
class IntakeIssue(ImportedRow):
    issue_id: str
    project_id: str
    intake_id: str
    status: int = -2
    snoozed_till: float | None = None
    duplicate_to: str | None = None
    source: str = "IN_APP"
    source_email: str | None = None


# -- the tables of the endpoints added in Plane 1.2-1.3 ----------------------------------


@attrs.define(eq=False)
class EstimateRow(Row):
    project_id: str
    name: str
    description: str = ""
    type: str = "categories"
    last_used: bool = False


@attrs.define(eq=False)
class EstimatePointRow(Row):
    project_id: str
    estimate_id: str
    key: int
    value: str
    description: str = ""


@attrs.define(eq=False)
class RelationRow(Row):
    """``issue_id`` -> ``related_issue_id`` with a stored type (blocked_by, duplicate,
    relates_to, start_before, finish_before), as Plane keeps them."""

    project_id: str
    issue_id: str
    related_issue_id: str
    relation_type: str


@attrs.define(eq=False)
class FileRow(ImportedRow):
    """A FileAsset: a work-item attachment (``issue_id`` set) or a workspace asset."""

    project_id: str | None
    issue_id: str | None
    name: str
    content_type: str
    size: int
    key: str
    entity_type: str = "ISSUE_ATTACHMENT"
    is_uploaded: bool = False
    is_deleted: bool = False


@attrs.define(eq=False)
class StickyRow(Row):
    owner: str
    name: str | None = None
    description_html: str = "<p></p>"
    description_stripped: str | None = None
    color: str | None = None
    background_color: str | None = None
    logo_props: dict[str, Any] = attrs.Factory(dict)
    sort_order: float = 65535.0


@attrs.define(eq=False)
class InvitationRow:
    id: str
    email: str
    role: int
    created_at: float
    updated_at: float
    accepted: bool = False
    responded_at: float | None = None
    created_by: str | None = None
