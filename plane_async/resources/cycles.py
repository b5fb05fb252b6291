"""``plane.cycles``: a project's cycles (sprints), their work items, transfer and archiving."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import AsyncGenerator, Mapping
from typing import Any, Literal, Unpack, cast, get_args

from .._errors import PlaneValueError
from .._models import Cycle, CycleIssue
from .._models.writes import CycleCreateFields, CycleFields, CycleUpsertFields
from .._paging.engine import Page
from .._protocol.checks import check_id, check_name, check_update
from .._protocol.values import writable
from .._types import IdLike, ListOptions, ReadOptions
from ._base import write_body
from ._checks import feature_hint
from ._grouping import WorkItemGroupResource

__all__ = [
    "CycleView",
    "CyclesResource",
]

#: which cycles ``cycles.list(view=...)`` returns; ``current`` is ``cycles.current()``
CycleView = Literal["all", "upcoming", "completed", "draft", "incomplete"]
_VIEWS: tuple[str, ...] = get_args(CycleView)

_ACCEPTED = writable(CycleFields)
_IDS = frozenset({"owned_by"})


def cycle_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of a cycle update; refuses unknown names and bad ids."""
    return write_body(fields, accepted=_ACCEPTED, ids=_IDS, what="Cycle")


def cycle_create_body(project_id: uuid.UUID, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A create body: dates both or neither, and the ``project_id`` Plane requires in it."""
    start, end = fields.get("start_date"), fields.get("end_date")
    if (start is None) != (end is None):
        raise PlaneValueError(
            "give start_date and end_date together, or neither (a draft cycle); "
            f"got start_date={start!r}, end_date={end!r}"
        )
    body = cycle_body(fields)
    body["project_id"] = str(project_id)
    return body


class CyclesResource(WorkItemGroupResource[Cycle, CycleIssue]):
    """Cycles of a project: CRUD, their work items (``issues``, ``add_issues`` which moves
    them out of any other cycle, ``remove_issue``), transfer, archive. The project needs
    ``cycle_view=True`` to create cycles."""

    _model = Cycle
    _row_model = CycleIssue
    _segment = "cycles"
    _issues_segment = "cycle-issues"
    _archived_segment = "archived-cycles"
    _id_name = "cycle_id"

    def list(
        self,
        project_id: IdLike,
        *,
        view: CycleView | None = None,
        **options: Unpack[ListOptions],
    ) -> AsyncGenerator[Cycle]:
        """The project's cycles that are not archived (newest first); ``view`` narrows them
        to ``upcoming``, ``completed``, ``draft`` (no dates) or ``incomplete``."""
        return self._items(Cycle, self._path(project_id), options, params=_view(view))

    def pages(
        self,
        project_id: IdLike,
        *,
        view: CycleView | None = None,
        **options: Unpack[ListOptions],
    ) -> AsyncGenerator[Page[Cycle]]:
        """The project's cycles page by page, with the envelope (``view`` as in ``list``)."""
        return self._pages(Cycle, self._path(project_id), options, params=_view(view))

    async def current(
        self, project_id: IdLike, **options: Unpack[ReadOptions]
    ) -> builtins.list[Cycle]:
        """The cycles running now (start <= now <= end); usually one, possibly none.
        (The server answers this view as a plain array, not pages.)"""
        params = {"cycle_view": "current"}
        read = cast(ListOptions, options)  # fields/expand/query: a subset of ListOptions
        cycles = self._items(Cycle, self._path(project_id), read, params=params, paginated=False)
        return [cycle async for cycle in cycles]

    async def get(
        self, project_id: IdLike, cycle_id: IdLike, **options: Unpack[ReadOptions]
    ) -> Cycle:
        """One cycle."""
        return await self._get(Cycle, self._item(project_id, cycle_id), options)

    async def create(
        self, project_id: IdLike, *, name: str, **fields: Unpack[CycleCreateFields]
    ) -> Cycle:
        """Create a cycle: with ``start_date`` and ``end_date``, or neither (a draft).
        A project with cycles switched off answers BadRequestError saying how to enable them."""
        check_name(name)
        pid = check_id(project_id, "project_id")
        body = cycle_create_body(pid, {"name": name, **fields})
        with feature_hint("Cycles", "cycle_view"):
            return await self._write(Cycle, "POST", self._path(pid), body)

    async def update(
        self, project_id: IdLike, cycle_id: IdLike, **fields: Unpack[CycleFields]
    ) -> Cycle:
        """Change the given fields (PATCH); ``None`` clears a field. A completed cycle accepts
        only ``sort_order``; an archived one nothing (BadRequestError)."""
        check_update(fields)
        body = cycle_body(fields)
        return await self._write(Cycle, "PATCH", self._item(project_id, cycle_id), body)

    async def delete(self, project_id: IdLike, cycle_id: IdLike) -> None:
        """Delete a cycle (its work items stay). Needs the owner or a project admin."""
        await self._delete(self._item(project_id, cycle_id))

    async def upsert(
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
        pid = check_id(project_id, "project_id")
        return await self._upsert(
            Cycle,
            self._path(pid),
            fields,
            external_source=external_source,
            external_id=external_id,
            existing=lambda existing_id: self._item(pid, existing_id),
            body=lambda values: cycle_create_body(pid, values),
            changes_body=cycle_body,
            create_errors=feature_hint("Cycles", "cycle_view"),
        )

    async def get_issue_row(
        self, project_id: IdLike, cycle_id: IdLike, issue_id: IdLike
    ) -> CycleIssue:
        """The membership row of one work item in the cycle (NotFoundError if not in it)."""
        iid = check_id(issue_id, "issue_id")
        path = self._item(project_id, cycle_id, "cycle-issues", iid)
        return await self._get(CycleIssue, path, {})

    async def transfer_issues(
        self, project_id: IdLike, cycle_id: IdLike, new_cycle_id: IdLike
    ) -> None:
        """Move the cycle's unfinished work items (state not completed or cancelled) to
        ``new_cycle_id``, which must not be completed."""
        cid = check_id(cycle_id, "cycle_id")
        new = check_id(new_cycle_id, "new_cycle_id")
        if new == cid:
            raise PlaneValueError("new_cycle_id must be another cycle than cycle_id")
        path = self._item(project_id, cid, "transfer-issues")
        await self._call("POST", path, json={"new_cycle_id": str(new)}, retry_post=True)


def _view(view: object) -> dict[str, str] | None:
    if view is None:
        return None
    if view not in _VIEWS:
        hint = " (use cycles.current() for the running cycles)" if view == "current" else ""
        raise PlaneValueError(f"view must be one of {list(_VIEWS)}, got {view!r}{hint}")
    return {"cycle_view": str(view)}
