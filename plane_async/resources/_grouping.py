"""What modules and cycles share: a project object that holds work items and is archived."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import AsyncGenerator, Iterable
from typing import Generic, TypeVar, Unpack

from .._models import Issue, PlaneModel, structure_many
from .._paging.engine import Page
from .._protocol.checks import check_id, issue_id_list, order_params
from .._types import IdLike, ListOptions
from ._base import Resource

__all__ = ["WorkItemGroupResource"]

G = TypeVar("G", bound=PlaneModel)
R = TypeVar("R", bound=PlaneModel)


class WorkItemGroupResource(Resource, Generic[G, R]):
    """Base of ``plane.modules`` and ``plane.cycles``: their work items and archiving.

    A subclass names its model ``G``, its membership row ``R`` and its URL segments.
    """

    _model: type[G]
    _row_model: type[R]
    #: "modules": the collection; "module-issues": its work items; "archived-modules"
    _segment: str
    _issues_segment: str
    _archived_segment: str
    #: the argument name in messages, e.g. "module_id"
    _id_name: str

    def _path(self, project_id: IdLike, *rest: str | uuid.UUID) -> str:
        return self._project_path(project_id, self._segment, *rest)

    def _item(self, project_id: IdLike, group_id: IdLike, *rest: str | uuid.UUID) -> str:
        return self._path(project_id, check_id(group_id, self._id_name), *rest)

    # ------------------------------------------------------------------ work items

    def issues(
        self,
        project_id: IdLike,
        group_id: IdLike,
        *,
        order_by: str | None = None,
        **options: Unpack[ListOptions],
    ) -> AsyncGenerator[Issue]:
        """The work items in it (full work items, oldest added first); ``order_by`` as in
        ``issues.list``."""
        path = self._item(project_id, group_id, self._issues_segment)
        return self._items(Issue, path, options, params=order_params(Issue, order_by))

    def issue_pages(
        self,
        project_id: IdLike,
        group_id: IdLike,
        *,
        order_by: str | None = None,
        **options: Unpack[ListOptions],
    ) -> AsyncGenerator[Page[Issue]]:
        """Its work items page by page, with the envelope."""
        path = self._item(project_id, group_id, self._issues_segment)
        return self._pages(Issue, path, options, params=order_params(Issue, order_by))

    async def add_issues(
        self, project_id: IdLike, group_id: IdLike, issue_ids: Iterable[IdLike]
    ) -> builtins.list[R]:
        """Add work items; returns the membership rows. Safe to repeat (retried on network
        faults). An empty ``issue_ids`` is refused before sending."""
        ids = issue_id_list(issue_ids)
        path = self._item(project_id, group_id, self._issues_segment)
        body = await self._call("POST", path, json={"issues": ids}, retry_post=True)
        rows = self._expect(body, builtins.list, "POST", path, "an array of membership rows")
        return structure_many(self._row_model, rows)

    async def remove_issue(self, project_id: IdLike, group_id: IdLike, issue_id: IdLike) -> None:
        """Take one work item out (the work item itself stays)."""
        iid = check_id(issue_id, "issue_id")
        await self._delete(self._item(project_id, group_id, self._issues_segment, iid))

    # ------------------------------------------------------------------ archive

    async def archive(self, project_id: IdLike, group_id: IdLike) -> None:
        """Archive it (a cycle must have ended, a module be completed or cancelled; else
        BadRequestError)."""
        await self._call("POST", self._item(project_id, group_id, "archive"))

    async def unarchive(self, project_id: IdLike, group_id: IdLike) -> None:
        """Bring an archived one back."""
        gid = check_id(group_id, self._id_name)
        await self._delete(self._project_path(project_id, self._archived_segment, gid, "unarchive"))

    def list_archived(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[G]:
        """The project's archived ones."""
        return self._items(self._model, self._project_path(project_id, self._archived_segment),
                           options)  # fmt: skip

    def archived_pages(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Page[G]]:
        """The project's archived ones page by page, with the envelope."""
        return self._pages(self._model, self._project_path(project_id, self._archived_segment),
                           options)  # fmt: skip
