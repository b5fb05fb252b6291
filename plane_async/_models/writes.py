"""The keyword arguments of the writes (``create``, ``update``, ``upsert``), as TypedDicts.

Public as ``plane_async.types``: build a write's fields conditionally and keep them
type-checked. Plain typing and the model enumerations only: importing this module loads
no converter, so the resources, the blocking client and users all take them from here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

from .enums import CommentAccess, IntakeStatus, ModuleStatus, Network, Priority, StateGroup

__all__ = [
    "CommentCreateFields",
    "CommentFields",
    "CommentUpsertFields",
    "CycleCreateFields",
    "CycleDate",
    "CycleFields",
    "CycleUpsertFields",
    "EstimateFields",
    "EstimatePointFields",
    "ExternalIds",
    "IdLike",
    "IntakeCreateFields",
    "IntakeFields",
    "IssueCreateFields",
    "IssueFields",
    "IssueUpsertFields",
    "LabelCreateFields",
    "LabelFields",
    "LabelUpsertFields",
    "LinkCreateFields",
    "LinkFields",
    "ModuleCreateFields",
    "ModuleFields",
    "ModuleUpsertFields",
    "ProjectCreateFields",
    "ProjectFields",
    "StateCreateFields",
    "StateFields",
    "StateUpsertFields",
    "StickyFields",
]

#: an id as the caller may give it: a ``uuid.UUID`` or its string form
IdLike = uuid.UUID | str

#: a cycle boundary: a datetime, or a date (the server takes the project timezone's day)
CycleDate = dt.datetime | dt.date | str


class ExternalIds(TypedDict, total=False):
    """The ids an import gives its objects; a second create with the same pair answers 409."""

    external_source: str | None
    external_id: str | None


# -------------------------------------------------------------------------------- comments


class _CommentCommon(TypedDict, total=False):
    #: the editor's JSON document; stored, but never sent back by the server
    comment_json: Mapping[str, object]
    access: CommentAccess | str
    #: the comment this one replies to
    parent: IdLike | None
    #: for imports: backdate the comment (honoured on create only)
    created_at: dt.datetime | str
    #: for imports: the user shown as author (honoured on create only)
    created_by: IdLike


class CommentCreateFields(_CommentCommon, ExternalIds, total=False):
    """Optional fields of ``comments.create`` (``comment_html`` is its own argument)."""


class CommentUpsertFields(_CommentCommon, total=False):
    """Fields of ``comments.upsert`` (the external ids are their own arguments)."""

    comment_html: str


class CommentFields(CommentCreateFields, total=False):
    """Writable comment fields. Omitted: left as is. ``None``: cleared."""

    comment_html: str


# ---------------------------------------------------------------------------------- cycles


class _CycleCommon(TypedDict, total=False):
    description: str
    #: give ``start_date`` and ``end_date`` together, or neither
    start_date: CycleDate | None
    end_date: CycleDate | None
    #: the owner; defaults to the caller on create
    owned_by: IdLike
    #: a tz database name, e.g. ``"Europe/Berlin"``
    timezone: str
    sort_order: float
    logo_props: Mapping[str, object]


class CycleCreateFields(_CycleCommon, ExternalIds, total=False):
    """Optional fields of ``cycles.create`` (``name`` is its own argument)."""


class CycleUpsertFields(_CycleCommon, total=False):
    """Fields of ``cycles.upsert`` (the external ids are their own arguments)."""

    name: str


class CycleFields(CycleCreateFields, total=False):
    """Writable cycle fields. Omitted: left as is. ``None``: cleared."""

    name: str


# ------------------------------------------------------------------------------- estimates


class EstimateFields(TypedDict, total=False):
    """What ``estimates.update`` can change (Plane ignores every other field there)."""

    name: str
    description: str


class EstimatePointFields(TypedDict, total=False):
    """One estimate point: ``key`` (an int >= 0, its order), ``value`` (what people see,
    at most 20 characters) and an optional ``description``."""

    key: int
    value: str
    description: str


# ---------------------------------------------------------------------------------- intake


class IntakeCreateFields(TypedDict, total=False):
    """Optional fields of ``intake.create`` (``name`` is an argument)."""

    description_html: str
    priority: Priority | str


class IntakeFields(IntakeCreateFields, total=False):
    """Fields of ``intake.update``. The triage fields (``status``, ``snoozed_till``,
    ``duplicate_to``, ``source``, ``source_email``) are applied only for a project Admin and
    silently ignored otherwise; ``name``/``description_html``/``priority`` change the work item."""

    name: str
    #: ``IntakeStatus.ACCEPTED`` moves the work item into the project (default state)
    status: IntakeStatus | int
    snoozed_till: dt.datetime | str | None
    #: the work item this one duplicates (with ``status=IntakeStatus.DUPLICATE``)
    duplicate_to: IdLike | None
    source: str
    source_email: str | None


# ---------------------------------------------------------------------------------- issues


class _IssueCommon(TypedDict, total=False):
    description_html: str
    priority: Priority | str
    state: IdLike | None
    parent: IdLike | None
    estimate_point: IdLike | None
    point: int | None
    start_date: dt.date | str | None
    target_date: dt.date | str | None
    #: replaces the whole set of assignees
    assignees: Iterable[IdLike]
    #: replaces the whole set of labels
    labels: Iterable[IdLike]
    type_id: IdLike | None
    sort_order: float
    is_draft: bool
    #: for imports: backdate the creation (honoured on create only)
    created_at: dt.datetime | str
    #: for imports: the user shown as creator (honoured on create only)
    created_by: IdLike


class IssueCreateFields(_IssueCommon, ExternalIds, total=False):
    """Optional fields of ``issues.create`` (``name`` is its own argument)."""


class IssueUpsertFields(_IssueCommon, total=False):
    """Fields of ``issues.upsert`` (the external ids are their own arguments)."""

    name: str


class IssueFields(IssueCreateFields, total=False):
    """Writable work-item fields. Omitted: left as is. ``None``: cleared."""

    name: str


# ---------------------------------------------------------------------------------- labels


class _LabelCommon(TypedDict, total=False):
    #: e.g. ``"#e5484d"``; may be empty
    color: str
    description: str
    #: a parent label of the same project, for grouped labels
    parent: IdLike | None
    sort_order: float


class LabelCreateFields(_LabelCommon, ExternalIds, total=False):
    """Optional fields of ``labels.create`` (``name`` is an argument)."""


class LabelUpsertFields(_LabelCommon, total=False):
    """Optional fields of ``labels.upsert`` (name and external ids are arguments)."""


class LabelFields(LabelCreateFields, total=False):
    """Writable label fields for ``update``. Omitted: left as is. ``None``: cleared."""

    name: str


# ----------------------------------------------------------------------------------- links


class _LinkCommon(TypedDict, total=False):
    #: shown instead of the URL; the server fills it from the page when omitted
    title: str | None


class LinkCreateFields(_LinkCommon, total=False):
    """Optional fields of ``links.create`` (``url`` is its own argument)."""

    #: for imports: the user shown as creator
    created_by: IdLike


class LinkFields(_LinkCommon, total=False):
    """Writable link fields. Omitted: left as is. ``None``: cleared."""

    url: str


# --------------------------------------------------------------------------------- modules


class _ModuleCommon(TypedDict, total=False):
    description: str
    description_html: str
    start_date: dt.date | str | None
    target_date: dt.date | str | None
    status: ModuleStatus | str
    lead: IdLike | None
    #: replaces the whole set of members (users who are not project members are dropped)
    members: Iterable[IdLike]
    sort_order: float
    logo_props: Mapping[str, object]


class ModuleCreateFields(_ModuleCommon, ExternalIds, total=False):
    """Optional fields of ``modules.create`` (``name`` is its own argument)."""


class ModuleUpsertFields(_ModuleCommon, total=False):
    """Fields of ``modules.upsert`` (the external ids are their own arguments)."""

    name: str


class ModuleFields(ModuleCreateFields, total=False):
    """Writable module fields. Omitted: left as is. ``None``: cleared."""

    name: str


# -------------------------------------------------------------------------------- projects


class ProjectCreateFields(ExternalIds, total=False):
    """Optional fields of ``projects.create`` (``name`` and ``identifier`` are arguments)."""

    description: str
    #: ``Network.PUBLIC`` (the server's default) or ``Network.SECRET``
    network: Network | int
    project_lead: IdLike | None
    default_assignee: IdLike | None
    emoji: str | None
    icon_prop: Mapping[str, Any] | None
    logo_props: Mapping[str, Any]
    cover_image: str | None
    #: feature flags; modules and cycles are off on a new project
    module_view: bool
    cycle_view: bool
    issue_views_view: bool
    page_view: bool
    intake_view: bool
    guest_view_all_features: bool
    is_time_tracking_enabled: bool
    is_issue_type_enabled: bool
    #: months (0-12) after which done work items are archived / closed automatically
    archive_in: int
    close_in: int
    #: a pytz zone name; defaults to the workspace's
    timezone: str


class ProjectFields(ProjectCreateFields, total=False):
    """Writable project fields for ``update``. Omitted: left as is. ``None``: cleared."""

    name: str
    identifier: str
    #: update only
    default_state: IdLike | None
    estimate: IdLike | None


# ---------------------------------------------------------------------------------- states


class _StateCommon(TypedDict, total=False):
    description: str
    #: backlog (the server's default), unstarted, started, completed or cancelled
    group: StateGroup | str
    #: position in the workflow; the server appends (+15000) when omitted
    sequence: float
    #: on create this makes it the project's only default state (PATCH does not clear others)
    default: bool
    is_triage: bool


class StateCreateFields(_StateCommon, ExternalIds, total=False):
    """Optional fields of ``states.create`` (``name`` and ``color`` are arguments)."""


class StateUpsertFields(_StateCommon, total=False):
    """Optional fields of ``states.upsert`` (name, color and external ids are arguments)."""


class StateFields(StateCreateFields, total=False):
    """Writable state fields for ``update``. Omitted: left as is. ``None``: cleared."""

    name: str
    color: str


# -------------------------------------------------------------------------------- stickies


class StickyFields(TypedDict, total=False):
    """Writable sticky fields. Omitted: left as is. ``None``: cleared."""

    name: str | None
    #: the note's text as HTML, e.g. ``"<p>Call Anna</p>"``
    description_html: str
    color: str | None
    background_color: str | None
    logo_props: Mapping[str, object]
    sort_order: float
