"""``plane.states``: a project's workflow states."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import Any, Unpack

from .._errors import PlaneValueError
from .._models import State, StateGroup
from .._models.writes import StateCreateFields, StateFields, StateUpsertFields
from .._paging.engine import Page
from .._protocol.checks import check_id, check_name, check_update
from .._protocol.values import writable
from .._types import IdLike, ListOptions, ReadOptions
from ._base import Resource, write_body

__all__ = [
    "StatesResource",
]


_ACCEPTED = writable(StateFields)


def state_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of a state create/update; refuses unknown names and the triage group."""
    group = fields.get("group")
    if "group" in fields:
        if not isinstance(group, str):
            raise PlaneValueError(f"group must be a StateGroup, got {group!r}")
        if group == StateGroup.TRIAGE:
            raise PlaneValueError("group 'triage' is reserved for the server's hidden state")
    for key in ("name", "color"):
        if key in fields and not isinstance(fields[key], str):
            raise PlaneValueError(f"{key} must be a string, got {fields[key]!r}")
    if "name" in fields:
        check_name(fields["name"])
    return write_body(fields, accepted=_ACCEPTED, what="State")


class StatesResource(Resource):
    """Workflow states of a project: list, read, create, update, delete, import."""

    def list(self, project_id: IdLike, **options: Unpack[ListOptions]) -> AsyncGenerator[State]:
        """The project's states in workflow order (the hidden triage state is left out)."""
        return self._items(State, self._project_path(project_id, "states"), options)

    def pages(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Page[State]]:
        """The project's states page by page, with the envelope."""
        return self._pages(State, self._project_path(project_id, "states"), options)

    async def get(
        self, project_id: IdLike, state_id: IdLike, **options: Unpack[ReadOptions]
    ) -> State:
        """One state."""
        return await self._get(State, self._path(project_id, state_id), options)

    async def create(
        self, project_id: IdLike, *, name: str, color: str, **fields: Unpack[StateCreateFields]
    ) -> State:
        """Create a state (``color`` like ``"#60646C"``). A duplicate name answers
        ConflictError with ``existing_id``. (Plane answers this create with 200, not 201.)"""
        body = state_body({"name": name, "color": color, **fields})
        return await self._write(State, "POST", self._project_path(project_id, "states"), body)

    async def update(
        self, project_id: IdLike, state_id: IdLike, **fields: Unpack[StateFields]
    ) -> State:
        """Change the given fields (PATCH); ``None`` clears a field, omitted ones stay."""
        check_update(fields)
        body = state_body(fields)
        return await self._write(State, "PATCH", self._path(project_id, state_id), body)

    async def delete(self, project_id: IdLike, state_id: IdLike) -> None:
        """Delete a state. The default state, or one still used by work items, cannot be
        deleted (BadRequestError)."""
        await self._delete(self._path(project_id, state_id))

    async def upsert(
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
        network faults because a repeat answers 409."""
        return await self._upsert(
            State,
            self._project_path(project_id, "states"),
            {"name": name, "color": color, **fields},
            external_source=external_source,
            external_id=external_id,
            existing=lambda existing_id: self._path(project_id, existing_id),
            body=state_body,
        )

    def _path(self, project_id: IdLike, state_id: IdLike) -> str:
        return self._project_path(project_id, "states", check_id(state_id, "state_id"))
