"""The fake server's in-memory data: compact rows and the indexes the routes need.

Rows keep ids as strings and times as epoch floats; rendering to Plane's JSON shapes
happens in ``_render_workspace`` and ``_render_work_items``. Work items are slotted rows
so 100,000 of them stay cheap.
"""

from __future__ import annotations

import bisect
import random
import time
from collections.abc import Sequence
from typing import Any

from ._objstore import ObjectStorage
from ._rows import (
    Activity,
    Comment,
    Cycle,
    EstimatePointRow,
    EstimateRow,
    FileRow,
    IntakeIssue,
    InvitationRow,
    Issue,
    Label,
    Link,
    Module,
    Project,
    RelationRow,
    State,
    StickyRow,
    User,
)

__all__ = [
    "Activity",
    "Comment",
    "Cycle",
    "IntakeIssue",
    "Issue",
    "Label",
    "Link",
    "Module",
    "Project",
    "State",
    "Store",
    "User",
]


def _created(issue: Issue) -> float:
    return issue.created_at


_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)

#: Order the server uses for ``order_by=priority`` (urgent first).
PRIORITIES = ("urgent", "high", "medium", "low", "none")


class Store:
    """Everything the fake server knows, keyed by id. Safe to read from tests.

    ``issues`` maps id to :class:`Issue` for every work item ever created; a deleted one
    keeps its row with ``deleted_at`` set (Plane soft-deletes).
    """

    def __init__(self, *, workspace: str, rng: random.Random | None = None) -> None:
        self._rng = rng or random.Random()
        self.workspace_slug = workspace
        self.workspace_id = self.new_id()
        self.workspace_name = workspace.capitalize()
        self.users: dict[str, User] = {}
        self.me: User | None = None
        self.projects: dict[str, Project] = {}
        self.states: dict[str, State] = {}
        self.labels: dict[str, Label] = {}
        self.issues: dict[str, Issue] = {}
        self.modules: dict[str, Module] = {}
        self.cycles: dict[str, Cycle] = {}
        self.comments: dict[str, Comment] = {}
        self.links: dict[str, Link] = {}
        self.activities: dict[str, list[Activity]] = {}
        self.intake: dict[str, IntakeIssue] = {}
        # the endpoints added in Plane 1.2-1.3
        self.estimates: dict[str, EstimateRow] = {}
        self.estimate_points: dict[str, EstimatePointRow] = {}
        self.relations: dict[str, RelationRow] = {}
        self.files: dict[str, FileRow] = {}
        self.stickies: dict[str, StickyRow] = {}
        self.invitations: dict[str, InvitationRow] = {}
        #: the object storage the file endpoints presign links to
        self.storage = ObjectStorage()
        self._external: dict[tuple[int, str, str, str], Any] = {}
        self._views: dict[tuple[str, str], tuple[int, list[Issue]]] = {}

    # -- ids and time -------------------------------------------------------------------

    def new_id(self) -> str:
        """A version-4 UUID string drawn from the store's seeded generator."""
        # uuid.UUID(int=..., version=4) without the object: seeding 100k items calls this a lot.
        n = self._rng.getrandbits(128) & _UUID_CLEAR | _UUID_SET
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    @staticmethod
    def now() -> float:
        return time.time()

    # -- lookups ------------------------------------------------------------------------

    def project(self, project_id: str) -> Project | None:
        """The live (not deleted) project with this id."""
        project = self.projects.get(project_id)
        return None if project is None or project.deleted_at is not None else project

    def project_by_identifier(self, identifier: str) -> Project | None:
        for project in self.projects.values():
            if project.identifier == identifier and project.deleted_at is None:
                return project
        return None

    def live(self, table: dict[str, Any], object_id: str, project_id: str) -> Any:
        """The row ``object_id`` of ``table`` in the project, or None if absent or deleted."""
        row = table.get(object_id)
        if row is None or row.deleted_at is not None or row.project_id != project_id:
            return None
        return row

    def project_rows(self, table: dict[str, Any], project_id: str) -> list[Any]:
        return [r for r in table.values() if r.project_id == project_id and r.deleted_at is None]

    def find_external(
        self, table: dict[str, Any], project_id: str, source: str, external_id: str
    ) -> Any:
        """The live row of ``table`` in the project with this external source and id."""
        row = self._external.get((id(table), project_id, source, external_id))
        if (
            row is None
            or row.deleted_at is not None
            or row.external_source != source
            or row.external_id != external_id
        ):
            return None
        return row

    def index_external(self, table: dict[str, Any], row: Any) -> None:
        """Remember ``row`` for :meth:`find_external`; call after every create or update."""
        if row.external_source and row.external_id:
            key = (id(table), row.project_id, row.external_source, row.external_id)
            self._external[key] = row

    # -- work items ---------------------------------------------------------------------

    def add_issue(self, project: Project, **fields: Any) -> Issue:
        """Create a work item with the next sequence id of its project."""
        issue = Issue(
            id=fields.pop("id", None) or self.new_id(),
            project_id=project.id,
            sequence_id=project.next_sequence,
            **fields,
        )
        project.next_sequence += 1
        issues = project.issues
        if issues and issue.created_at < issues[-1].created_at:
            # A backdated create (an import): Plane stores the sent created_at, so the item
            # lands inside the created_at order; the list stays in that order here.
            issues.insert(bisect.bisect_right(issues, issue.created_at, key=_created), issue)
        else:
            issues.append(issue)
        project.by_sequence[issue.sequence_id] = issue
        project.version += 1
        self.issues[issue.id] = issue
        return issue

    def touch(self, project_id: str) -> None:
        """Mark the project's work-item orderings stale after a write."""
        project = self.projects.get(project_id)
        if project is not None:
            project.version += 1

    @staticmethod
    def visible(issue: Issue) -> bool:
        """Whether the list and GET-by-id show it (Plane's ``issue_objects`` manager)."""
        return (
            issue.deleted_at is None
            and issue.archived_at is None
            and not issue.is_draft
            and not issue.is_triage
        )

    def issue_view(self, project: Project, order_by: str, key: Any) -> Sequence[Issue]:
        """The project's visible work items in ``order_by`` order, cached until a write."""
        cache_key = (project.id, order_by)
        cached = self._views.get(cache_key)
        if cached is not None and cached[0] == project.version:
            return cached[1]
        rows = [i for i in project.issues if self.visible(i)]
        if order_by == "-created_at":
            rows.reverse()  # creation order is created_at order; skip a sort of 100k rows
        elif order_by != "created_at":
            rows.sort(key=key, reverse=order_by.startswith("-"))
        self._views[cache_key] = (project.version, rows)
        return rows

    def record_activity(
        self,
        issue: Issue,
        verb: str,
        field: str | None = None,
        old: Any = None,
        new: Any = None,
        actor: str | None = None,
    ) -> None:
        comment = "created the issue" if verb == "created" else f"updated the {field} to"
        self.activities.setdefault(issue.id, []).append(
            Activity(
                id=self.new_id(),
                issue_id=issue.id,
                project_id=issue.project_id,
                verb=verb,
                field=field,
                old_value=None if old is None else str(old),
                new_value=None if new is None else str(new),
                comment=comment,
                actor=actor,
                created_at=self.now(),
            )
        )

    def issue_activities(self, issue: Issue) -> list[Activity]:
        """Activities of a work item; a seeded item gets its "created" entry on first read."""
        entries = self.activities.get(issue.id)
        if entries is None:
            entries = [
                Activity(
                    id=self.new_id(),
                    issue_id=issue.id,
                    project_id=issue.project_id,
                    verb="created",
                    field=None,
                    old_value=None,
                    new_value=None,
                    comment="created the issue",
                    actor=issue.created_by,
                    created_at=issue.created_at,
                )
            ]
            self.activities[issue.id] = entries
        return entries
