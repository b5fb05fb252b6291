"""``plane.labels``: a project's labels."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import Any, Unpack

from .._models import Label
from .._models.writes import LabelCreateFields, LabelFields, LabelUpsertFields
from .._paging.engine import Page
from .._protocol.checks import check_id, check_name, check_update
from .._protocol.values import writable
from .._types import IdLike, ListOptions, ReadOptions
from ._base import Resource, write_body

__all__ = [
    "LabelsResource",
]


_ACCEPTED = writable(LabelFields)
_IDS = frozenset({"parent"})


def label_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of a label create/update; refuses unknown names and bad ids."""
    if "name" in fields:
        check_name(fields["name"])
    return write_body(fields, accepted=_ACCEPTED, ids=_IDS, what="Label")


class LabelsResource(Resource):
    """Labels of a project: list, read, create, update, delete, import."""

    def list(self, project_id: IdLike, **options: Unpack[ListOptions]) -> AsyncGenerator[Label]:
        """The project's labels, newest first."""
        return self._items(Label, self._project_path(project_id, "labels"), options)

    def pages(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Page[Label]]:
        """The project's labels page by page, with the envelope."""
        return self._pages(Label, self._project_path(project_id, "labels"), options)

    async def get(
        self, project_id: IdLike, label_id: IdLike, **options: Unpack[ReadOptions]
    ) -> Label:
        """One label. (The server ignores ``fields``/``expand`` here: the whole label comes
        back.)"""
        return await self._get(Label, self._path(project_id, label_id), options)

    async def create(
        self, project_id: IdLike, *, name: str, **fields: Unpack[LabelCreateFields]
    ) -> Label:
        """Create a label. A duplicate name answers ConflictError with ``existing_id``."""
        body = label_body({"name": name, **fields})
        return await self._write(Label, "POST", self._project_path(project_id, "labels"), body)

    async def update(
        self, project_id: IdLike, label_id: IdLike, **fields: Unpack[LabelFields]
    ) -> Label:
        """Change the given fields (PATCH); ``None`` clears a field, omitted ones stay."""
        check_update(fields)
        body = label_body(fields)
        return await self._write(Label, "PATCH", self._path(project_id, label_id), body)

    async def delete(self, project_id: IdLike, label_id: IdLike) -> None:
        """Delete a label (it is removed from the work items that had it)."""
        await self._delete(self._path(project_id, label_id))

    async def upsert(
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
        network faults because a repeat answers 409."""
        return await self._upsert(
            Label,
            self._project_path(project_id, "labels"),
            {"name": name, **fields},
            external_source=external_source,
            external_id=external_id,
            existing=lambda existing_id: self._path(project_id, existing_id),
            body=label_body,
        )

    def _path(self, project_id: IdLike, label_id: IdLike) -> str:
        return self._project_path(project_id, "labels", check_id(label_id, "label_id"))
