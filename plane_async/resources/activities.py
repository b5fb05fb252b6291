"""``plane.activities``: the history of a work item (read-only)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Unpack

from .._models import Activity
from .._paging.engine import Page
from .._protocol.checks import order_params
from .._types import IdLike, ListOptions, ReadOptions
from ._base import Resource
from ._seam import WorkItemPath

__all__ = ["ActivitiesResource"]


class ActivitiesResource(Resource):
    """What happened to a work item: one entry per change (comments and reactions excluded)."""

    def _path(self, project_id: IdLike, issue_id: IdLike, *rest: IdLike) -> WorkItemPath:
        return self._under_work_item(project_id, issue_id, "activities", "activity_id", rest)

    def list(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        *,
        order_by: str | None = None,
        **options: Unpack[ListOptions],
    ) -> AsyncGenerator[Activity]:
        """The work item's activity, oldest first (``order_by="-created_at"``: newest)."""
        params = order_params(Activity, order_by)
        return self._items(Activity, self._path(project_id, issue_id), options, params=params)

    def pages(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        *,
        order_by: str | None = None,
        **options: Unpack[ListOptions],
    ) -> AsyncGenerator[Page[Activity]]:
        """The work item's activity page by page, with the envelope."""
        params = order_params(Activity, order_by)
        return self._pages(Activity, self._path(project_id, issue_id), options, params=params)

    async def get(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        activity_id: IdLike,
        **options: Unpack[ReadOptions],
    ) -> Activity:
        """One activity entry (NotFoundError if it is not this work item's)."""
        return await self._get(Activity, self._path(project_id, issue_id, activity_id), options)
