"""``plane.intake``: work items waiting for triage in a project's intake queue."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Mapping
from typing import Any, Unpack

from .._errors import BadRequestError
from .._models import IntakeIssue, IntakeStatus
from .._models.writes import IntakeCreateFields, IntakeFields
from .._paging.engine import Page
from .._protocol.checks import check_id, check_int_choice, check_name, check_update
from .._protocol.values import writable
from .._types import IdLike, ListOptions, ReadOptions
from ._base import Resource, write_body
from ._checks import reworded
from .issues import issue_body

__all__ = [
    "IntakeResource",
]

_NOT_ENABLED = re.compile(r"intake.*not enabled|not enabled.*intake", re.IGNORECASE)
_STATUSES = tuple(IntakeStatus)


#: the work item's own fields, sent nested under "issue"
_ISSUE_KEYS = frozenset({"name", "description_html", "priority"})
_CREATE_ACCEPTED = {"name": str, **writable(IntakeCreateFields)}
_ACCEPTED = writable(IntakeFields)


def intake_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """``{triage fields..., "issue": {work-item fields...}}``; refuses unknown names."""
    issue = {k: v for k, v in fields.items() if k in _ISSUE_KEYS}
    triage = {k: v for k, v in fields.items() if k not in _ISSUE_KEYS}
    if "name" in issue:
        check_name(issue["name"])
    if "status" in triage:
        triage["status"] = int(check_int_choice("status", triage["status"], _STATUSES))
    body = write_body(
        triage,
        accepted=_ACCEPTED,
        ids=frozenset({"duplicate_to"}),
        what="IntakeIssue",
    )
    if issue:
        body["issue"] = issue_body(issue)
    return body


def intake_create_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """``{"issue": {...}}`` for a create: only the fields Plane's intake create reads."""
    write_body(fields, accepted=_CREATE_ACCEPTED, what="IntakeIssue create")  # refuses unknowns
    return {"issue": issue_body(fields)}


class IntakeResource(Resource):
    """A project's intake queue, keyed by the work item's id (``intake_issue.issue``)."""

    def list(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[IntakeIssue]:
        """The project's intake items, newest first (none when intake is disabled)."""
        return self._items(IntakeIssue, self._project_path(project_id, "intake-issues"), options)

    def pages(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Page[IntakeIssue]]:
        """The project's intake items page by page, with the envelope."""
        return self._pages(IntakeIssue, self._project_path(project_id, "intake-issues"), options)

    async def get(
        self, project_id: IdLike, issue_id: IdLike, **options: Unpack[ReadOptions]
    ) -> IntakeIssue:
        """One intake item, by its work item's id (not the intake row's ``id``)."""
        return await self._get(IntakeIssue, self._path(project_id, issue_id), options)

    async def create(
        self, project_id: IdLike, *, name: str, **fields: Unpack[IntakeCreateFields]
    ) -> IntakeIssue:
        """Submit a work item to the intake queue (status pending).

        The project needs intake enabled; otherwise BadRequestError says how
        (``await plane.projects.update(project_id, intake_view=True)``).
        """
        check_name(name)
        body = intake_create_body({"name": name, **fields})
        path = self._project_path(project_id, "intake-issues")
        try:
            return await self._write(IntakeIssue, "POST", path, body)
        except BadRequestError as exc:
            if not _NOT_ENABLED.search(exc.message):
                raise
            message = (
                f"{exc.message}: intake is disabled for this project; enable it with "
                "`await plane.projects.update(project_id, intake_view=True)`"
            )
            raise reworded(exc, message) from exc

    async def update(
        self, project_id: IdLike, issue_id: IdLike, **fields: Unpack[IntakeFields]
    ) -> IntakeIssue:
        """Triage an intake item (accept, reject, snooze, mark duplicate) and/or edit its
        work item (PATCH). Keyed by the work item's id. Triage fields need project Admin."""
        check_update(fields)
        body = intake_body(fields)
        return await self._write(IntakeIssue, "PATCH", self._path(project_id, issue_id), body)

    async def delete(self, project_id: IdLike, issue_id: IdLike) -> None:
        """Remove an item from the intake queue (a still-pending work item goes with it)."""
        await self._delete(self._path(project_id, issue_id))

    def _path(self, project_id: IdLike, issue_id: IdLike) -> str:
        iid = check_id(issue_id, "issue_id")
        return self._project_path(project_id, "intake-issues", iid)
