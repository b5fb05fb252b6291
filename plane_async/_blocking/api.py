"""The blocking client's namespaces: generated from the async ones, do not edit.

Regenerate with ``python -m plane_async._blocking.codegen`` after changing a public
method of AsyncPlane or of a namespace (a test fails until then).
"""

# ruff: noqa: E501
from __future__ import annotations

from typing import TYPE_CHECKING

from plane_async._models.enums import EstimateType, Role

from .._client import AsyncPlane
from .portal import BlockingStream, Portal, portal

if TYPE_CHECKING:
    import builtins
    import datetime as dt
    import uuid
    from collections.abc import Iterable, Sequence
    from typing import Any, Literal, Unpack

    import aiohttp

    from plane_async._http.storage import Destination, FileSource
    from plane_async._models import (
        Activity,
        AssetDownload,
        AssetUpload,
        Attachment,
        Comment,
        Cycle,
        CycleIssue,
        Estimate,
        EstimatePoint,
        IntakeIssue,
        Invitation,
        Issue,
        Label,
        Link,
        Module,
        ModuleIssue,
        Project,
        ProjectMember,
        ProjectSummary,
        RelatedIssue,
        Relations,
        RelationType,
        SearchResult,
        State,
        Sticky,
        User,
        WorkspaceMember,
    )
    from plane_async._models.writes import (
        CommentCreateFields,
        CommentFields,
        CommentUpsertFields,
        CycleCreateFields,
        CycleFields,
        CycleUpsertFields,
        EstimateFields,
        EstimatePointFields,
        IntakeCreateFields,
        IntakeFields,
        IssueCreateFields,
        IssueFields,
        IssueUpsertFields,
        LabelCreateFields,
        LabelFields,
        LabelUpsertFields,
        LinkCreateFields,
        LinkFields,
        ModuleCreateFields,
        ModuleFields,
        ModuleUpsertFields,
        ProjectCreateFields,
        ProjectFields,
        StateCreateFields,
        StateFields,
        StateUpsertFields,
        StickyFields,
    )
    from plane_async._observability.bus import Hook
    from plane_async._observability.telemetry import Telemetry
    from plane_async._paging.engine import Page
    from plane_async._ratelimit import Limiter, RateLimit
    from plane_async._ratelimit.redis import RedisLimiter
    from plane_async._types import IdLike, ListOptions, ReadOptions
    from plane_async.resources._options import AllAtOnceOptions, PageOptions
    from plane_async.resources.activities import ActivitiesResource
    from plane_async.resources.assets import AssetsResource
    from plane_async.resources.attachments import AttachmentsResource
    from plane_async.resources.comments import CommentsResource
    from plane_async.resources.cycles import CyclesResource, CycleView
    from plane_async.resources.estimates import EstimatesResource
    from plane_async.resources.intake import IntakeResource
    from plane_async.resources.invitations import InvitationsResource
    from plane_async.resources.issues import IssuesResource
    from plane_async.resources.labels import LabelsResource
    from plane_async.resources.links import LinksResource
    from plane_async.resources.members import MembersResource
    from plane_async.resources.modules import ModulesResource
    from plane_async.resources.projects import ProjectsResource
    from plane_async.resources.relations import RelationsResource
    from plane_async.resources.states import StatesResource
    from plane_async.resources.stickies import StickiesResource
    from plane_async.resources.users import UsersResource

__all__ = [
    "BlockingClientBase",
    "BlockingUsersResource",
    "BlockingProjectsResource",
    "BlockingStatesResource",
    "BlockingLabelsResource",
    "BlockingIssuesResource",
    "BlockingCommentsResource",
    "BlockingLinksResource",
    "BlockingActivitiesResource",
    "BlockingModulesResource",
    "BlockingCyclesResource",
    "BlockingMembersResource",
    "BlockingIntakeResource",
    "BlockingEstimatesResource",
    "BlockingRelationsResource",
    "BlockingAttachmentsResource",
    "BlockingAssetsResource",
    "BlockingStickiesResource",
    "BlockingInvitationsResource",
]


class BlockingUsersResource:
    """``plane.users`` of the blocking client: The API key's own user (v1 has no endpoint to list or look up other users)."""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: UsersResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingUsersResource>"

    def me(self) -> User:
        """The user the API key belongs to."""
        return self._portal.call(self._async.me)


class BlockingProjectsResource:
    """``plane.projects`` of the blocking client: Projects of the workspace: list, read, create, update, delete, archive, summary."""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: ProjectsResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingProjectsResource>"

    def archive(self, project_id: IdLike) -> None:
        """Archive a project: it leaves ``list()`` and becomes read-only."""
        return self._portal.call(self._async.archive, project_id)

    def create(
        self, *, name: str, identifier: str, **fields: Unpack[ProjectCreateFields]
    ) -> Project:
        """Create a project; the server adds the default states and makes you its Admin.

        ``identifier`` (at most 12 characters) is uppercased. Plane refuses
        ``& + , : ; $ ^ } { * = ? @ # | ' < > . ( ) % ! -`` in the name and identifier,
        so those are refused here (PlaneValueError) before any request. Modules and cycles
        start disabled: pass ``module_view=True``/``cycle_view=True`` to use them.
        """
        return self._portal.call(self._async.create, name=name, identifier=identifier, **fields)

    def delete(self, project_id: IdLike) -> None:
        """Delete a project (needs project Admin)."""
        return self._portal.call(self._async.delete, project_id)

    def get(self, project_id: IdLike, **options: Unpack[ReadOptions]) -> Project:
        """One project (an unknown id answers NotFoundError)."""
        return self._portal.call(self._async.get, project_id, **options)

    def list(
        self, *, order_by: str | None = None, **options: Unpack[ListOptions]
    ) -> BlockingStream[Project]:
        """Projects the key's user is a member of, plus every public project, in the
        caller's sort order; ``order_by`` a field (``"-"`` first for descending).
        """
        return self._portal.stream(self._async.list, order_by=order_by, **options)

    def pages(
        self, *, order_by: str | None = None, **options: Unpack[ListOptions]
    ) -> BlockingStream[Page[Project]]:
        """The projects page by page, with the envelope (totals, cursors)."""
        return self._portal.stream(self._async.pages, order_by=order_by, **options)

    def summary(self, project_id: IdLike, *, fields: Iterable[str] | None = None) -> ProjectSummary:
        """How many members, states, labels, cycles, modules, issues, intakes and pages the
        project has; ``fields=`` limits the counts to those names (default: all).
        """
        return self._portal.call(self._async.summary, project_id, fields=fields)

    def unarchive(self, project_id: IdLike) -> None:
        """Bring an archived project back."""
        return self._portal.call(self._async.unarchive, project_id)

    def update(self, project_id: IdLike, **fields: Unpack[ProjectFields]) -> Project:
        """Change the given fields (PATCH); ``None`` clears a field, omitted ones stay.

        An archived project cannot be updated (BadRequestError): unarchive it first.
        """
        return self._portal.call(self._async.update, project_id, **fields)


class BlockingStatesResource:
    """``plane.states`` of the blocking client: Workflow states of a project: list, read, create, update, delete, import."""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: StatesResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingStatesResource>"

    def create(
        self, project_id: IdLike, *, name: str, color: str, **fields: Unpack[StateCreateFields]
    ) -> State:
        """Create a state (``color`` like ``"#60646C"``). A duplicate name answers
        ConflictError with ``existing_id``. (Plane answers this create with 200, not 201.)
        """
        return self._portal.call(self._async.create, project_id, name=name, color=color, **fields)

    def delete(self, project_id: IdLike, state_id: IdLike) -> None:
        """Delete a state. The default state, or one still used by work items, cannot be
        deleted (BadRequestError).
        """
        return self._portal.call(self._async.delete, project_id, state_id)

    def get(self, project_id: IdLike, state_id: IdLike, **options: Unpack[ReadOptions]) -> State:
        """One state."""
        return self._portal.call(self._async.get, project_id, state_id, **options)

    def list(self, project_id: IdLike, **options: Unpack[ListOptions]) -> BlockingStream[State]:
        """The project's states in workflow order (the hidden triage state is left out)."""
        return self._portal.stream(self._async.list, project_id, **options)

    def pages(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> BlockingStream[Page[State]]:
        """The project's states page by page, with the envelope."""
        return self._portal.stream(self._async.pages, project_id, **options)

    def update(self, project_id: IdLike, state_id: IdLike, **fields: Unpack[StateFields]) -> State:
        """Change the given fields (PATCH); ``None`` clears a field, omitted ones stay."""
        return self._portal.call(self._async.update, project_id, state_id, **fields)

    def upsert(
        self,
        project_id: IdLike,
        *,
        external_source: str,
        external_id: str,
        name: str,
        color: str,
        **fields: Unpack[StateUpsertFields],
    ) -> State:
        """Create the state, or update the one the server names in its 409 (same external
        ids, or same name) with these values. Safe to re-run: the create is retried on
        network faults because a repeat answers 409.
        """
        return self._portal.call(
            self._async.upsert,
            project_id,
            external_source=external_source,
            external_id=external_id,
            name=name,
            color=color,
            **fields,
        )


class BlockingLabelsResource:
    """``plane.labels`` of the blocking client: Labels of a project: list, read, create, update, delete, import."""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: LabelsResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingLabelsResource>"

    def create(
        self, project_id: IdLike, *, name: str, **fields: Unpack[LabelCreateFields]
    ) -> Label:
        """Create a label. A duplicate name answers ConflictError with ``existing_id``."""
        return self._portal.call(self._async.create, project_id, name=name, **fields)

    def delete(self, project_id: IdLike, label_id: IdLike) -> None:
        """Delete a label (it is removed from the work items that had it)."""
        return self._portal.call(self._async.delete, project_id, label_id)

    def get(self, project_id: IdLike, label_id: IdLike, **options: Unpack[ReadOptions]) -> Label:
        """One label. (The server ignores ``fields``/``expand`` here: the whole label comes
        back.)
        """
        return self._portal.call(self._async.get, project_id, label_id, **options)

    def list(self, project_id: IdLike, **options: Unpack[ListOptions]) -> BlockingStream[Label]:
        """The project's labels, newest first."""
        return self._portal.stream(self._async.list, project_id, **options)

    def pages(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> BlockingStream[Page[Label]]:
        """The project's labels page by page, with the envelope."""
        return self._portal.stream(self._async.pages, project_id, **options)

    def update(self, project_id: IdLike, label_id: IdLike, **fields: Unpack[LabelFields]) -> Label:
        """Change the given fields (PATCH); ``None`` clears a field, omitted ones stay."""
        return self._portal.call(self._async.update, project_id, label_id, **fields)

    def upsert(
        self,
        project_id: IdLike,
        *,
        external_source: str,
        external_id: str,
        name: str,
        **fields: Unpack[LabelUpsertFields],
    ) -> Label:
        """Create the label, or update the one the server names in its 409 (same external
        ids, or same name) with these values. Safe to re-run: the create is retried on
        network faults because a repeat answers 409.
        """
        return self._portal.call(
            self._async.upsert,
            project_id,
            external_source=external_source,
            external_id=external_id,
            name=name,
            **fields,
        )


class BlockingIssuesResource:
    """``plane.issues`` of the blocking client: Work items of a project: list, read, create, update, delete, look up, import."""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: IssuesResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingIssuesResource>"

    def changed_since(
        self,
        project_id: IdLike,
        since: dt.datetime,
        *,
        per_page: int | None = None,
        **options: Unpack[ReadOptions],
    ) -> BlockingStream[Issue]:
        """Work items created or updated at or after ``since`` (an aware datetime), the
        most recently changed first, for an incremental sync.

        Reads ``order_by=-updated_at`` and stops at the first item changed before
        ``since`` (items changed exactly at ``since`` are included), so a few changes
        cost one or two requests however large the project. Deleted items do not show
        (Plane's lists leave them out): compare ``ids()`` with what you hold to find
        them. An item changed while the sync runs may be missed by this sync; start the
        next one from the moment this one started (a little earlier, for clock skew).
        """
        return self._portal.stream(
            self._async.changed_since, project_id, since, per_page=per_page, **options
        )

    def create(
        self, project_id: IdLike, *, name: str, **fields: Unpack[IssueCreateFields]
    ) -> Issue:
        """Create a work item; only ``name`` is required. Not retried after a network fault
        (the server may already have created it) unless the client has ``retry_post=True``;
        use ``upsert`` with external ids for idempotent imports.
        """
        return self._portal.call(self._async.create, project_id, name=name, **fields)

    def delete(self, project_id: IdLike, issue_id: IdLike) -> None:
        """Delete a work item (Plane soft-deletes it)."""
        return self._portal.call(self._async.delete, project_id, issue_id)

    def get(self, project_id: IdLike, issue_id: IdLike, **options: Unpack[ReadOptions]) -> Issue:
        """One work item. Archived, draft and intake items answer NotFoundError."""
        return self._portal.call(self._async.get, project_id, issue_id, **options)

    def get_by_external_id(
        self,
        project_id: IdLike,
        external_source: str,
        external_id: str,
        **options: Unpack[ReadOptions],
    ) -> Issue | None:
        """The work item imported with this ``external_source``/``external_id``, or None.

        Finds archived, draft and intake items too (the server's lookup is unfiltered).
        """
        return self._portal.call(
            self._async.get_by_external_id, project_id, external_source, external_id, **options
        )

    def get_by_identifier(self, identifier: str, **options: Unpack[ReadOptions]) -> Issue:
        """A work item by its human identifier, e.g. ``"WEB-12"`` (project identifier and
        sequence number). An unknown project identifier answers PermissionDeniedError (403).
        """
        return self._portal.call(self._async.get_by_identifier, identifier, **options)

    def ids(self, project_id: IdLike, *, per_page: int | None = None) -> BlockingStream[uuid.UUID]:
        """The id of every work item of the project (newest first), for finding deletions.

        Asks only for ``id`` (and ``created_at``, which keeps the read exact while items
        are created and deleted) in pages of the client's ``max_per_page``.
        """
        return self._portal.stream(self._async.ids, project_id, per_page=per_page)

    def list(
        self,
        project_id: IdLike,
        *,
        order_by: str | None = None,
        external_source: str | None = None,
        external_id: str | None = None,
        **options: Unpack[ListOptions],
    ) -> BlockingStream[Issue]:
        """Every work item of the project, across pages (newest first).

        ``order_by``: a field, ``"-"`` first for descending (``"-priority"`` is urgent
        last, ``"state__group"``, ``"labels__name"``...). With ``external_source`` and
        ``external_id``: only the work item imported with them (none or one; archived,
        draft and intake items included), as ``get_by_external_id`` finds it.
        """
        return self._portal.stream(
            self._async.list,
            project_id,
            order_by=order_by,
            external_source=external_source,
            external_id=external_id,
            **options,
        )

    def pages(
        self,
        project_id: IdLike,
        *,
        order_by: str | None = None,
        external_source: str | None = None,
        external_id: str | None = None,
        **options: Unpack[ListOptions],
    ) -> BlockingStream[Page[Issue]]:
        """The project's work items page by page, with the envelope (totals, cursors);
        the arguments are those of ``list`` (an external-id lookup is one page).
        """
        return self._portal.stream(
            self._async.pages,
            project_id,
            order_by=order_by,
            external_source=external_source,
            external_id=external_id,
            **options,
        )

    def search(
        self,
        text: str,
        *,
        project_id: IdLike | None = None,
        limit: int = 10,
        workspace_search: bool = False,
    ) -> builtins.list[SearchResult]:
        """Search work items by name, project identifier or sequence number.

        Searches one project with ``project_id``, else the whole workspace.
        """
        return self._portal.call(
            self._async.search,
            text,
            project_id=project_id,
            limit=limit,
            workspace_search=workspace_search,
        )

    def update(self, project_id: IdLike, issue_id: IdLike, **fields: Unpack[IssueFields]) -> Issue:
        """Change the given fields (PATCH); ``None`` clears a field, omitted ones stay."""
        return self._portal.call(self._async.update, project_id, issue_id, **fields)

    def upsert(
        self,
        project_id: IdLike,
        *,
        external_source: str,
        external_id: str,
        **fields: Unpack[IssueUpsertFields],
    ) -> Issue:
        """Create the work item, or update the one already imported with these external ids.

        Safe to re-run after a failure: the create is retried on network faults because a
        repeat answers 409 with the existing id, which is then updated.
        """
        return self._portal.call(
            self._async.upsert,
            project_id,
            external_source=external_source,
            external_id=external_id,
            **fields,
        )


class BlockingCommentsResource:
    """``plane.comments`` of the blocking client: Comments on a work item: list, read, create, update, delete, import."""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: CommentsResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingCommentsResource>"

    def create(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        *,
        comment_html: str,
        **fields: Unpack[CommentCreateFields],
    ) -> Comment:
        """Add a comment (HTML, e.g. ``"<p>Done</p>"``); ``access`` defaults to INTERNAL.
        For imports, ``created_at``/``created_by`` backdate it; prefer ``upsert``.
        """
        return self._portal.call(
            self._async.create, project_id, issue_id, comment_html=comment_html, **fields
        )

    def delete(self, project_id: IdLike, issue_id: IdLike, comment_id: IdLike) -> None:
        """Delete a comment."""
        return self._portal.call(self._async.delete, project_id, issue_id, comment_id)

    def get(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        comment_id: IdLike,
        **options: Unpack[ReadOptions],
    ) -> Comment:
        """One comment."""
        return self._portal.call(self._async.get, project_id, issue_id, comment_id, **options)

    def list(
        self, project_id: IdLike, issue_id: IdLike, **options: Unpack[ListOptions]
    ) -> BlockingStream[Comment]:
        """Every comment on the work item (oldest first)."""
        return self._portal.stream(self._async.list, project_id, issue_id, **options)

    def pages(
        self, project_id: IdLike, issue_id: IdLike, **options: Unpack[ListOptions]
    ) -> BlockingStream[Page[Comment]]:
        """The work item's comments page by page, with the envelope."""
        return self._portal.stream(self._async.pages, project_id, issue_id, **options)

    def update(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        comment_id: IdLike,
        **fields: Unpack[CommentFields],
    ) -> Comment:
        """Change the given fields (PATCH); ``None`` clears a field, omitted ones stay."""
        return self._portal.call(self._async.update, project_id, issue_id, comment_id, **fields)

    def upsert(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        *,
        external_source: str,
        external_id: str,
        **fields: Unpack[CommentUpsertFields],
    ) -> Comment:
        """Create the comment, or update the one already imported with these external ids.

        Safe to re-run: the create is retried on network faults (a repeat answers 409 with
        the existing id, which is then updated).
        """
        return self._portal.call(
            self._async.upsert,
            project_id,
            issue_id,
            external_source=external_source,
            external_id=external_id,
            **fields,
        )


class BlockingLinksResource:
    """``plane.links`` of the blocking client: Links of a work item: list, read, create, update, delete."""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: LinksResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingLinksResource>"

    def create(
        self, project_id: IdLike, issue_id: IdLike, *, url: str, **fields: Unpack[LinkCreateFields]
    ) -> Link:
        """Attach a link; ``url`` must start with http:// or https://. The same URL twice on
        one work item answers BadRequestError.
        """
        return self._portal.call(self._async.create, project_id, issue_id, url=url, **fields)

    def delete(self, project_id: IdLike, issue_id: IdLike, link_id: IdLike) -> None:
        """Remove a link from the work item."""
        return self._portal.call(self._async.delete, project_id, issue_id, link_id)

    def get(
        self, project_id: IdLike, issue_id: IdLike, link_id: IdLike, **options: Unpack[ReadOptions]
    ) -> Link:
        """One link (``title``/``metadata`` are filled by the server shortly after create)."""
        return self._portal.call(self._async.get, project_id, issue_id, link_id, **options)

    def list(
        self, project_id: IdLike, issue_id: IdLike, **options: Unpack[ListOptions]
    ) -> BlockingStream[Link]:
        """Every link of the work item (newest first)."""
        return self._portal.stream(self._async.list, project_id, issue_id, **options)

    def pages(
        self, project_id: IdLike, issue_id: IdLike, **options: Unpack[ListOptions]
    ) -> BlockingStream[Page[Link]]:
        """The work item's links page by page, with the envelope."""
        return self._portal.stream(self._async.pages, project_id, issue_id, **options)

    def update(
        self, project_id: IdLike, issue_id: IdLike, link_id: IdLike, **fields: Unpack[LinkFields]
    ) -> Link:
        """Change the URL and/or title (PATCH); omitted fields stay."""
        return self._portal.call(self._async.update, project_id, issue_id, link_id, **fields)


class BlockingActivitiesResource:
    """``plane.activities`` of the blocking client: What happened to a work item: one entry per change (comments and reactions excluded)."""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: ActivitiesResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingActivitiesResource>"

    def get(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        activity_id: IdLike,
        **options: Unpack[ReadOptions],
    ) -> Activity:
        """One activity entry (NotFoundError if it is not this work item's)."""
        return self._portal.call(self._async.get, project_id, issue_id, activity_id, **options)

    def list(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        *,
        order_by: str | None = None,
        **options: Unpack[ListOptions],
    ) -> BlockingStream[Activity]:
        """The work item's activity, oldest first (``order_by="-created_at"``: newest)."""
        return self._portal.stream(
            self._async.list, project_id, issue_id, order_by=order_by, **options
        )

    def pages(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        *,
        order_by: str | None = None,
        **options: Unpack[ListOptions],
    ) -> BlockingStream[Page[Activity]]:
        """The work item's activity page by page, with the envelope."""
        return self._portal.stream(
            self._async.pages, project_id, issue_id, order_by=order_by, **options
        )


class BlockingModulesResource:
    """``plane.modules`` of the blocking client: Modules of a project: CRUD, their work items (``issues``, ``add_issues``,"""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: ModulesResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingModulesResource>"

    def add_issues(
        self, project_id: IdLike, group_id: IdLike, issue_ids: Iterable[IdLike]
    ) -> builtins.list[ModuleIssue]:
        """Add work items; returns the membership rows. Safe to repeat (retried on network
        faults). An empty ``issue_ids`` is refused before sending.
        """
        return self._portal.call(self._async.add_issues, project_id, group_id, issue_ids)

    def archive(self, project_id: IdLike, group_id: IdLike) -> None:
        """Archive it (a cycle must have ended, a module be completed or cancelled; else
        BadRequestError).
        """
        return self._portal.call(self._async.archive, project_id, group_id)

    def archived_pages(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> BlockingStream[Page[Module]]:
        """The project's archived ones page by page, with the envelope."""
        return self._portal.stream(self._async.archived_pages, project_id, **options)

    def create(
        self, project_id: IdLike, *, name: str, **fields: Unpack[ModuleCreateFields]
    ) -> Module:
        """Create a module; ``name`` must be unique in the project (else BadRequestError).
        A project with modules switched off answers BadRequestError saying how to enable them.
        """
        return self._portal.call(self._async.create, project_id, name=name, **fields)

    def delete(self, project_id: IdLike, module_id: IdLike) -> None:
        """Delete a module (its work items stay)."""
        return self._portal.call(self._async.delete, project_id, module_id)

    def get(self, project_id: IdLike, module_id: IdLike, **options: Unpack[ReadOptions]) -> Module:
        """One module (an archived one answers NotFoundError)."""
        return self._portal.call(self._async.get, project_id, module_id, **options)

    def issue_pages(
        self,
        project_id: IdLike,
        group_id: IdLike,
        *,
        order_by: str | None = None,
        **options: Unpack[ListOptions],
    ) -> BlockingStream[Page[Issue]]:
        """Its work items page by page, with the envelope."""
        return self._portal.stream(
            self._async.issue_pages, project_id, group_id, order_by=order_by, **options
        )

    def issues(
        self,
        project_id: IdLike,
        group_id: IdLike,
        *,
        order_by: str | None = None,
        **options: Unpack[ListOptions],
    ) -> BlockingStream[Issue]:
        """The work items in it (full work items, oldest added first); ``order_by`` as in
        ``issues.list``.
        """
        return self._portal.stream(
            self._async.issues, project_id, group_id, order_by=order_by, **options
        )

    def list(self, project_id: IdLike, **options: Unpack[ListOptions]) -> BlockingStream[Module]:
        """Every module of the project that is not archived (newest first)."""
        return self._portal.stream(self._async.list, project_id, **options)

    def list_archived(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> BlockingStream[Module]:
        """The project's archived ones."""
        return self._portal.stream(self._async.list_archived, project_id, **options)

    def pages(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> BlockingStream[Page[Module]]:
        """The project's modules page by page, with the envelope."""
        return self._portal.stream(self._async.pages, project_id, **options)

    def remove_issue(self, project_id: IdLike, group_id: IdLike, issue_id: IdLike) -> None:
        """Take one work item out (the work item itself stays)."""
        return self._portal.call(self._async.remove_issue, project_id, group_id, issue_id)

    def unarchive(self, project_id: IdLike, group_id: IdLike) -> None:
        """Bring an archived one back."""
        return self._portal.call(self._async.unarchive, project_id, group_id)

    def update(
        self, project_id: IdLike, module_id: IdLike, **fields: Unpack[ModuleFields]
    ) -> Module:
        """Change the given fields (PATCH); ``None`` clears a field. Archived modules refuse."""
        return self._portal.call(self._async.update, project_id, module_id, **fields)

    def upsert(
        self,
        project_id: IdLike,
        *,
        external_source: str,
        external_id: str,
        **fields: Unpack[ModuleUpsertFields],
    ) -> Module:
        """Create the module, or update the one already imported with these external ids.

        Safe to re-run: the create is retried on network faults (a repeat answers 409 with
        the existing id, which is then updated).
        """
        return self._portal.call(
            self._async.upsert,
            project_id,
            external_source=external_source,
            external_id=external_id,
            **fields,
        )


class BlockingCyclesResource:
    """``plane.cycles`` of the blocking client: Cycles of a project: CRUD, their work items (``issues``, ``add_issues`` which moves"""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: CyclesResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingCyclesResource>"

    def add_issues(
        self, project_id: IdLike, group_id: IdLike, issue_ids: Iterable[IdLike]
    ) -> builtins.list[CycleIssue]:
        """Add work items; returns the membership rows. Safe to repeat (retried on network
        faults). An empty ``issue_ids`` is refused before sending.
        """
        return self._portal.call(self._async.add_issues, project_id, group_id, issue_ids)

    def archive(self, project_id: IdLike, group_id: IdLike) -> None:
        """Archive it (a cycle must have ended, a module be completed or cancelled; else
        BadRequestError).
        """
        return self._portal.call(self._async.archive, project_id, group_id)

    def archived_pages(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> BlockingStream[Page[Cycle]]:
        """The project's archived ones page by page, with the envelope."""
        return self._portal.stream(self._async.archived_pages, project_id, **options)

    def create(
        self, project_id: IdLike, *, name: str, **fields: Unpack[CycleCreateFields]
    ) -> Cycle:
        """Create a cycle: with ``start_date`` and ``end_date``, or neither (a draft).
        A project with cycles switched off answers BadRequestError saying how to enable them.
        """
        return self._portal.call(self._async.create, project_id, name=name, **fields)

    def current(self, project_id: IdLike, **options: Unpack[ReadOptions]) -> builtins.list[Cycle]:
        """The cycles running now (start <= now <= end); usually one, possibly none.
        (The server answers this view as a plain array, not pages.)
        """
        return self._portal.call(self._async.current, project_id, **options)

    def delete(self, project_id: IdLike, cycle_id: IdLike) -> None:
        """Delete a cycle (its work items stay). Needs the owner or a project admin."""
        return self._portal.call(self._async.delete, project_id, cycle_id)

    def get(self, project_id: IdLike, cycle_id: IdLike, **options: Unpack[ReadOptions]) -> Cycle:
        """One cycle."""
        return self._portal.call(self._async.get, project_id, cycle_id, **options)

    def get_issue_row(self, project_id: IdLike, cycle_id: IdLike, issue_id: IdLike) -> CycleIssue:
        """The membership row of one work item in the cycle (NotFoundError if not in it)."""
        return self._portal.call(self._async.get_issue_row, project_id, cycle_id, issue_id)

    def issue_pages(
        self,
        project_id: IdLike,
        group_id: IdLike,
        *,
        order_by: str | None = None,
        **options: Unpack[ListOptions],
    ) -> BlockingStream[Page[Issue]]:
        """Its work items page by page, with the envelope."""
        return self._portal.stream(
            self._async.issue_pages, project_id, group_id, order_by=order_by, **options
        )

    def issues(
        self,
        project_id: IdLike,
        group_id: IdLike,
        *,
        order_by: str | None = None,
        **options: Unpack[ListOptions],
    ) -> BlockingStream[Issue]:
        """The work items in it (full work items, oldest added first); ``order_by`` as in
        ``issues.list``.
        """
        return self._portal.stream(
            self._async.issues, project_id, group_id, order_by=order_by, **options
        )

    def list(
        self, project_id: IdLike, *, view: CycleView | None = None, **options: Unpack[ListOptions]
    ) -> BlockingStream[Cycle]:
        """The project's cycles that are not archived (newest first); ``view`` narrows them
        to ``upcoming``, ``completed``, ``draft`` (no dates) or ``incomplete``.
        """
        return self._portal.stream(self._async.list, project_id, view=view, **options)

    def list_archived(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> BlockingStream[Cycle]:
        """The project's archived ones."""
        return self._portal.stream(self._async.list_archived, project_id, **options)

    def pages(
        self, project_id: IdLike, *, view: CycleView | None = None, **options: Unpack[ListOptions]
    ) -> BlockingStream[Page[Cycle]]:
        """The project's cycles page by page, with the envelope (``view`` as in ``list``)."""
        return self._portal.stream(self._async.pages, project_id, view=view, **options)

    def remove_issue(self, project_id: IdLike, group_id: IdLike, issue_id: IdLike) -> None:
        """Take one work item out (the work item itself stays)."""
        return self._portal.call(self._async.remove_issue, project_id, group_id, issue_id)

    def transfer_issues(self, project_id: IdLike, cycle_id: IdLike, new_cycle_id: IdLike) -> None:
        """Move the cycle's unfinished work items (state not completed or cancelled) to
        ``new_cycle_id``, which must not be completed.
        """
        return self._portal.call(self._async.transfer_issues, project_id, cycle_id, new_cycle_id)

    def unarchive(self, project_id: IdLike, group_id: IdLike) -> None:
        """Bring an archived one back."""
        return self._portal.call(self._async.unarchive, project_id, group_id)

    def update(self, project_id: IdLike, cycle_id: IdLike, **fields: Unpack[CycleFields]) -> Cycle:
        """Change the given fields (PATCH); ``None`` clears a field. A completed cycle accepts
        only ``sort_order``; an archived one nothing (BadRequestError).
        """
        return self._portal.call(self._async.update, project_id, cycle_id, **fields)

    def upsert(
        self,
        project_id: IdLike,
        *,
        external_source: str,
        external_id: str,
        **fields: Unpack[CycleUpsertFields],
    ) -> Cycle:
        """Create the cycle, or update the one already imported with these external ids.

        Safe to re-run: the create is retried on network faults (a repeat answers 409 with
        the existing id, which is then updated). The fields must be valid for a create.
        """
        return self._portal.call(
            self._async.upsert,
            project_id,
            external_source=external_source,
            external_id=external_id,
            **fields,
        )


class BlockingMembersResource:
    """``plane.members`` of the blocking client: Project members (add, change role, remove) and the workspace's member list."""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: MembersResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingMembersResource>"

    def add(
        self, project_id: IdLike, *, member: IdLike, role: Role | int = Role.MEMBER
    ) -> ProjectMember:
        """Add a workspace user (``member`` is the user id) to the project (needs project
        Admin). Returns the membership: keep its ``id`` for ``update``/``remove``.
        """
        return self._portal.call(self._async.add, project_id, member=member, role=role)

    def get(
        self, project_id: IdLike, project_member_id: IdLike, **options: Unpack[ReadOptions]
    ) -> User:
        """The user behind a membership. ``project_member_id`` is the ProjectMember id
        (``add(...).id``), not the user id. (The server ignores ``fields``/``expand`` here:
        the whole user comes back.)
        """
        return self._portal.call(self._async.get, project_id, project_member_id, **options)

    def list(self, project_id: IdLike, **options: Unpack[ListOptions]) -> BlockingStream[User]:
        """The project's members as users (no role; includes deactivated members)."""
        return self._portal.stream(self._async.list, project_id, **options)

    def list_workspace(self, **options: Unpack[ListOptions]) -> BlockingStream[WorkspaceMember]:
        """Every member of the client's workspace with their workspace ``role`` (includes
        deactivated members). Guests are refused (PermissionDeniedError).
        """
        return self._portal.stream(self._async.list_workspace, **options)

    def pages(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> BlockingStream[Page[User]]:
        """The project's members as a single page."""
        return self._portal.stream(self._async.pages, project_id, **options)

    def remove(self, project_id: IdLike, project_member_id: IdLike) -> None:
        """Remove (deactivate) a membership. ``project_member_id`` is the ProjectMember id
        (``add(...).id``), not the user id.
        """
        return self._portal.call(self._async.remove, project_id, project_member_id)

    def update(
        self, project_id: IdLike, project_member_id: IdLike, *, role: Role | int
    ) -> ProjectMember:
        """Change a member's project role. ``project_member_id`` is the ProjectMember id
        (``add(...).id``), not the user id.
        """
        return self._portal.call(self._async.update, project_id, project_member_id, role=role)

    def workspace_pages(
        self, **options: Unpack[ListOptions]
    ) -> BlockingStream[Page[WorkspaceMember]]:
        """The workspace's members as a single page (``list_workspace`` with the page)."""
        return self._portal.stream(self._async.workspace_pages, **options)


class BlockingIntakeResource:
    """``plane.intake`` of the blocking client: A project's intake queue, keyed by the work item's id (``intake_issue.issue``)."""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: IntakeResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingIntakeResource>"

    def create(
        self, project_id: IdLike, *, name: str, **fields: Unpack[IntakeCreateFields]
    ) -> IntakeIssue:
        """Submit a work item to the intake queue (status pending).

        The project needs intake enabled; otherwise BadRequestError says how
        (``plane.projects.update(project_id, intake_view=True)``).
        """
        return self._portal.call(self._async.create, project_id, name=name, **fields)

    def delete(self, project_id: IdLike, issue_id: IdLike) -> None:
        """Remove an item from the intake queue (a still-pending work item goes with it)."""
        return self._portal.call(self._async.delete, project_id, issue_id)

    def get(
        self, project_id: IdLike, issue_id: IdLike, **options: Unpack[ReadOptions]
    ) -> IntakeIssue:
        """One intake item, by its work item's id (not the intake row's ``id``)."""
        return self._portal.call(self._async.get, project_id, issue_id, **options)

    def list(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> BlockingStream[IntakeIssue]:
        """The project's intake items, newest first (none when intake is disabled)."""
        return self._portal.stream(self._async.list, project_id, **options)

    def pages(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> BlockingStream[Page[IntakeIssue]]:
        """The project's intake items page by page, with the envelope."""
        return self._portal.stream(self._async.pages, project_id, **options)

    def update(
        self, project_id: IdLike, issue_id: IdLike, **fields: Unpack[IntakeFields]
    ) -> IntakeIssue:
        """Triage an intake item (accept, reject, snooze, mark duplicate) and/or edit its
        work item (PATCH). Keyed by the work item's id. Triage fields need project Admin.
        """
        return self._portal.call(self._async.update, project_id, issue_id, **fields)


class BlockingEstimatesResource:
    """``plane.estimates`` of the blocking client: The project's estimate (Plane keeps one per project) and its points."""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: EstimatesResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingEstimatesResource>"

    def add_points(
        self, project_id: IdLike, estimate_id: IdLike, points: Iterable[EstimatePointFields]
    ) -> builtins.list[EstimatePoint]:
        """Add points in one request: ``[{"key": 0, "value": "1"}, {"key": 1, "value": "2"}]``.
        Every point is checked before sending; an empty list is refused.
        """
        return self._portal.call(self._async.add_points, project_id, estimate_id, points)

    def create(
        self,
        project_id: IdLike,
        *,
        name: str,
        type: EstimateType | str = EstimateType.CATEGORIES,
        description: str | None = None,
        points: Iterable[EstimatePointFields] | None = None,
    ) -> Estimate:
        """Create the project's estimate; ``points`` adds its points right after (checked
        before the first request; should that second request fail, the estimate stays). A
        project that already has one answers ConflictError whose ``existing_id`` is it.
        """
        return self._portal.call(
            self._async.create,
            project_id,
            name=name,
            type=type,
            description=description,
            points=points,
        )

    def delete(self, project_id: IdLike) -> None:
        """Delete the project's estimate and its points."""
        return self._portal.call(self._async.delete, project_id)

    def delete_point(self, project_id: IdLike, estimate_id: IdLike, point_id: IdLike) -> None:
        """Delete one point."""
        return self._portal.call(self._async.delete_point, project_id, estimate_id, point_id)

    def get(self, project_id: IdLike) -> Estimate:
        """The project's estimate (NotFoundError when it has none)."""
        return self._portal.call(self._async.get, project_id)

    def list_points(
        self, project_id: IdLike, estimate_id: IdLike, **paging: Unpack[AllAtOnceOptions]
    ) -> BlockingStream[EstimatePoint]:
        """The estimate's points (one plain list, every field)."""
        return self._portal.stream(self._async.list_points, project_id, estimate_id, **paging)

    def update(self, project_id: IdLike, **fields: Unpack[EstimateFields]) -> Estimate:
        """Rename the estimate or change its description."""
        return self._portal.call(self._async.update, project_id, **fields)

    def update_point(
        self,
        project_id: IdLike,
        estimate_id: IdLike,
        point_id: IdLike,
        **fields: Unpack[EstimatePointFields],
    ) -> EstimatePoint:
        """Change a point's ``key``, ``value`` or ``description``."""
        return self._portal.call(
            self._async.update_point, project_id, estimate_id, point_id, **fields
        )


class BlockingRelationsResource:
    """``plane.relations`` of the blocking client: Relations between work items (Plane 1.3.0 and later). Community Edition has no"""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: RelationsResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingRelationsResource>"

    def add(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        relation_type: RelationType | str,
        issue_ids: Iterable[IdLike],
    ) -> builtins.list[RelatedIssue]:
        """Relate the work item to ``issue_ids``: ``add(pid, a, "blocked_by", [b])`` means
        b blocks a. Returns the related items; relations that exist already are kept
        (safe to repeat, retried on network faults).
        """
        return self._portal.call(self._async.add, project_id, issue_id, relation_type, issue_ids)

    def get(self, project_id: IdLike, issue_id: IdLike) -> Relations:
        """Every relation of the work item, grouped by type and seen from it:
        ``(await plane.relations.get(pid, iid)).blocked_by``.
        """
        return self._portal.call(self._async.get, project_id, issue_id)


class BlockingAttachmentsResource:
    """``plane.attachments`` of the blocking client: A work item's attachments. Uploads and downloads go straight to the server's file"""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: AttachmentsResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingAttachmentsResource>"

    def delete(self, project_id: IdLike, issue_id: IdLike, attachment_id: IdLike) -> None:
        """Delete an attachment."""
        return self._portal.call(self._async.delete, project_id, issue_id, attachment_id)

    def download(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        attachment_id: IdLike,
        dest: Destination,
        *,
        timeout: float | None = None,
        max_bytes: int | None = 1073741824,
    ) -> int:
        """Stream the file into ``dest`` (a path, written atomically, or a binary file);
        returns the number of bytes. ``timeout`` bounds each attempt (default: the
        client's); a file over ``max_bytes`` (1 GiB; None: no cap) raises
        DownloadTooLargeError. An attachment whose upload never finished answers
        BadRequestError.
        """
        return self._portal.call(
            self._async.download,
            project_id,
            issue_id,
            attachment_id,
            dest,
            timeout=timeout,
            max_bytes=max_bytes,
        )

    def download_url(self, project_id: IdLike, issue_id: IdLike, attachment_id: IdLike) -> str:
        """A short-lived presigned link to the file (anyone holding it can read the file)."""
        return self._portal.call(self._async.download_url, project_id, issue_id, attachment_id)

    def list(
        self, project_id: IdLike, issue_id: IdLike, **paging: Unpack[AllAtOnceOptions]
    ) -> BlockingStream[Attachment]:
        """The work item's uploaded attachments (one plain list, every field)."""
        return self._portal.stream(self._async.list, project_id, issue_id, **paging)

    def pages(
        self, project_id: IdLike, issue_id: IdLike, **paging: Unpack[AllAtOnceOptions]
    ) -> BlockingStream[Page[Attachment]]:
        """The work item's attachments as a single page."""
        return self._portal.stream(self._async.pages, project_id, issue_id, **paging)

    def upload(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        file: FileSource,
        *,
        name: str | None = None,
        content_type: str | None = None,
        external_source: str | None = None,
        external_id: str | None = None,
    ) -> Attachment:
        """Attach a file: a path, bytes (with ``name=``) or a binary file object.

        ``name`` defaults to the file's name and ``content_type`` is guessed from it.
        The file is streamed to the storage (never read whole), then marked uploaded.
        A file over the server's limit raises UploadTooLargeError before its bytes are
        sent; a storage failure raises StorageError; a repeat of the same external ids
        raises ConflictError with ``existing_id``.
        """
        return self._portal.call(
            self._async.upload,
            project_id,
            issue_id,
            file,
            name=name,
            content_type=content_type,
            external_source=external_source,
            external_id=external_id,
        )


class BlockingAssetsResource:
    """``plane.assets`` of the blocking client: Workspace assets: upload a file once, then reference its ``asset_id`` (e.g. in a"""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: AssetsResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingAssetsResource>"

    def download(
        self,
        asset_id: IdLike,
        dest: Destination,
        *,
        timeout: float | None = None,
        max_bytes: int | None = 1073741824,
    ) -> int:
        """Stream the asset into ``dest`` (a path, written atomically, or a binary file);
        returns the number of bytes. ``timeout`` bounds each attempt (default: the
        client's); a file over ``max_bytes`` (1 GiB; None: no cap) raises
        DownloadTooLargeError.
        """
        return self._portal.call(
            self._async.download, asset_id, dest, timeout=timeout, max_bytes=max_bytes
        )

    def get(self, asset_id: IdLike) -> AssetDownload:
        """A presigned download link for the asset, with its name and type (an asset whose
        upload never finished answers BadRequestError).
        """
        return self._portal.call(self._async.get, asset_id)

    def upload(
        self,
        file: FileSource,
        *,
        name: str | None = None,
        content_type: str | None = None,
        project_id: IdLike | None = None,
        external_source: str | None = None,
        external_id: str | None = None,
    ) -> AssetUpload:
        """Upload a file (a path, bytes with ``name=``, or a binary file object); returns
        its ``asset_id`` and ``asset_url``. Streamed; checked before the first request.

        With external ids, a second upload of the same pair raises ConflictError whose
        ``existing_id`` is the asset already imported (nothing is sent to the storage).
        """
        return self._portal.call(
            self._async.upload,
            file,
            name=name,
            content_type=content_type,
            project_id=project_id,
            external_source=external_source,
            external_id=external_id,
        )


class BlockingStickiesResource:
    """``plane.stickies`` of the blocking client: The caller's sticky notes (each user sees only their own)."""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: StickiesResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingStickiesResource>"

    def create(self, **fields: Unpack[StickyFields]) -> Sticky:
        """Create a sticky: ``create(name="Ideas", description_html="<p>...</p>")``."""
        return self._portal.call(self._async.create, **fields)

    def delete(self, sticky_id: IdLike) -> None:
        """Delete a sticky."""
        return self._portal.call(self._async.delete, sticky_id)

    def get(self, sticky_id: IdLike) -> Sticky:
        """One of the caller's stickies."""
        return self._portal.call(self._async.get, sticky_id)

    def list(
        self, *, search: str | None = None, **paging: Unpack[PageOptions]
    ) -> BlockingStream[Sticky]:
        """The caller's stickies, newest first; ``search`` keeps those whose text contains
        it (case-insensitive). (Plane renders every field here: no ``fields``/``expand``.)
        """
        return self._portal.stream(self._async.list, search=search, **paging)

    def pages(
        self, *, search: str | None = None, **paging: Unpack[PageOptions]
    ) -> BlockingStream[Page[Sticky]]:
        """The caller's stickies page by page (20 by default on the server), with the
        envelope.
        """
        return self._portal.stream(self._async.pages, search=search, **paging)

    def update(self, sticky_id: IdLike, **fields: Unpack[StickyFields]) -> Sticky:
        """Change the given fields (PATCH)."""
        return self._portal.call(self._async.update, sticky_id, **fields)


class BlockingInvitationsResource:
    """``plane.invitations`` of the blocking client: Workspace invitations: list, read, invite, change the role, revoke. Every call"""

    __slots__ = ("_async", "_portal")

    def __init__(self, portal: Portal, resource: InvitationsResource) -> None:
        self._portal = portal
        self._async = resource

    def __repr__(self) -> str:
        return "<BlockingInvitationsResource>"

    def create(self, *, email: str, role: Role | int = Role.GUEST) -> Invitation:
        """Invite ``email`` with ``role`` (Plane's default: guest). An address already
        invited answers BadRequestError.
        """
        return self._portal.call(self._async.create, email=email, role=role)

    def delete(self, invitation_id: IdLike) -> None:
        """Revoke an invitation; one already accepted or answered cannot be (BadRequestError)."""
        return self._portal.call(self._async.delete, invitation_id)

    def get(self, invitation_id: IdLike) -> Invitation:
        """One invitation."""
        return self._portal.call(self._async.get, invitation_id)

    def list(self, **paging: Unpack[AllAtOnceOptions]) -> BlockingStream[Invitation]:
        """Every invitation of the workspace, answered or not (one plain list)."""
        return self._portal.stream(self._async.list, **paging)

    def pages(self, **paging: Unpack[AllAtOnceOptions]) -> BlockingStream[Page[Invitation]]:
        """The invitations as a single page."""
        return self._portal.stream(self._async.pages, **paging)

    def update(self, invitation_id: IdLike, *, role: Role | int) -> Invitation:
        """Change the role the invitation grants (the address cannot change)."""
        return self._portal.call(self._async.update, invitation_id, role=role)


class BlockingClientBase:
    """The namespaces and calls of the blocking client (``Plane`` adds the rest)."""

    _async: AsyncPlane
    _portal: Portal
    users: BlockingUsersResource
    projects: BlockingProjectsResource
    states: BlockingStatesResource
    labels: BlockingLabelsResource
    issues: BlockingIssuesResource
    comments: BlockingCommentsResource
    links: BlockingLinksResource
    activities: BlockingActivitiesResource
    modules: BlockingModulesResource
    cycles: BlockingCyclesResource
    members: BlockingMembersResource
    intake: BlockingIntakeResource
    estimates: BlockingEstimatesResource
    relations: BlockingRelationsResource
    attachments: BlockingAttachmentsResource
    assets: BlockingAssetsResource
    stickies: BlockingStickiesResource
    invitations: BlockingInvitationsResource

    def _attach(self, portal: Portal, client: AsyncPlane) -> None:
        self._portal = portal
        self._async = client
        self.users = BlockingUsersResource(portal, client.users)
        self.projects = BlockingProjectsResource(portal, client.projects)
        self.states = BlockingStatesResource(portal, client.states)
        self.labels = BlockingLabelsResource(portal, client.labels)
        self.issues = BlockingIssuesResource(portal, client.issues)
        self.comments = BlockingCommentsResource(portal, client.comments)
        self.links = BlockingLinksResource(portal, client.links)
        self.activities = BlockingActivitiesResource(portal, client.activities)
        self.modules = BlockingModulesResource(portal, client.modules)
        self.cycles = BlockingCyclesResource(portal, client.cycles)
        self.members = BlockingMembersResource(portal, client.members)
        self.intake = BlockingIntakeResource(portal, client.intake)
        self.estimates = BlockingEstimatesResource(portal, client.estimates)
        self.relations = BlockingRelationsResource(portal, client.relations)
        self.attachments = BlockingAttachmentsResource(portal, client.attachments)
        self.assets = BlockingAssetsResource(portal, client.assets)
        self.stickies = BlockingStickiesResource(portal, client.stickies)
        self.invitations = BlockingInvitationsResource(portal, client.invitations)

    def __init__(
        self,
        *,
        api_key: str | None = None,
        workspace: str | None = None,
        base_url: str | None = None,
        rate_limit: RateLimit | None = None,
        max_retries: int = 3,
        timeout: float | None = 30.0,
        connect_timeout: float | None = 10.0,
        session: aiohttp.ClientSession | None = None,
        allow_insecure_http: bool = False,
        max_per_page: int = 100,
        retry_post: bool = False,
        max_response_bytes: int = 67108864,
        verify_ssl: bool = True,
        proxy: str | None = None,
        retry_backoff: tuple[float, float] = (0.5, 8.0),
        work_items_path: Literal["auto", "work-items", "issues"] = "auto",
        limiter: Limiter | RedisLimiter | None = None,
        telemetry: bool | Telemetry = False,
        on_request: Hook | Sequence[Hook] | None = None,
        on_response: Hook | Sequence[Hook] | None = None,
        wait_budget: float | None = None,
    ) -> None:
        """Takes ``AsyncPlane``'s arguments, with the same defaults and checks."""
        self._attach(
            portal,
            AsyncPlane(
                api_key=api_key,
                workspace=workspace,
                base_url=base_url,
                rate_limit=rate_limit,
                max_retries=max_retries,
                timeout=timeout,
                connect_timeout=connect_timeout,
                session=session,
                allow_insecure_http=allow_insecure_http,
                max_per_page=max_per_page,
                retry_post=retry_post,
                max_response_bytes=max_response_bytes,
                verify_ssl=verify_ssl,
                proxy=proxy,
                retry_backoff=retry_backoff,
                work_items_path=work_items_path,
                limiter=limiter,
                telemetry=telemetry,
                on_request=on_request,
                on_response=on_response,
                wait_budget=wait_budget,
            ),
        )

    def check(self) -> None:
        """Verify the API key and the workspace with one request, or raise a precise error.

        For a FastAPI lifespan or the start of a job: ``InvalidAPIKeyError`` for a wrong,
        expired or deactivated key, ``PermissionDeniedError`` naming the workspace when it
        does not exist or the key's user is not a member, ``NotFoundError`` when base_url
        has no Plane API, ``TransportError`` when the server cannot be reached. Without a
        workspace, only the key is verified.
        """
        return self._portal.call(self._async.check)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        timeout: float | None = None,
        wait_budget: float | None = None,
    ) -> Any:
        """Call any endpoint: ``plane.request("GET", "users/me/")``.

        ``path`` is relative to ``/api/v1/``; a trailing slash is added. Returns the parsed
        JSON body (None for an empty one). Retries, the limiter and typed errors apply;
        ``timeout`` bounds each attempt, ``wait_budget`` the whole call (the client's when
        None).
        """
        return self._portal.call(
            self._async.request,
            method,
            path,
            params=params,
            json=json,
            timeout=timeout,
            wait_budget=wait_budget,
        )
