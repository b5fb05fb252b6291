"""``plane.modules``: a project's modules, the work items in them, and archiving."""

from __future__ import annotations

import builtins
import datetime as dt
import uuid
from collections.abc import AsyncGenerator, Iterable, Mapping
from typing import Any, TypedDict, Unpack

from .. import _protocol as proto
from .._errors import PlaneValueError
from .._models import Issue, Module, ModuleIssue, ModuleStatus, structure_many
from .._pagination import Page
from .._types import IdLike, ListOptions, ReadOptions
from .._values import writable
from ._base import ExternalIds, Resource, write_body
from ._checks import (
    check_external,
    check_name,
    check_update,
    feature_hint,
    issue_id_list,
    order_params,
)

__all__ = [
    "ModuleCreateFields",
    "ModuleFields",
    "ModuleUpsertFields",
    "ModulesResource",
]


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


_ACCEPTED = writable(ModuleFields)
_IDS = frozenset({"lead"})
_ID_LISTS = frozenset({"members"})


def module_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of a module create/update; refuses unknown names and bad ids."""
    status = fields.get("status")
    if status is not None and not isinstance(status, ModuleStatus):
        allowed = [s.value for s in ModuleStatus]
        if status not in allowed:
            raise PlaneValueError(f"status must be one of {allowed}, got {status!r}")
    return write_body(fields, accepted=_ACCEPTED, ids=_IDS, id_lists=_ID_LISTS, what="Module")


class ModulesResource(Resource):
    """Modules of a project: CRUD, their work items, archive. The project needs
    ``module_view=True`` to create modules."""

    def _path(self, project_id: IdLike, *rest: str | uuid.UUID) -> str:
        return self._project_path(project_id, "modules", *rest)

    def _module(self, project_id: IdLike, module_id: IdLike, *rest: str | uuid.UUID) -> str:
        return self._path(project_id, proto.check_id(module_id, "module_id"), *rest)

    def list(self, project_id: IdLike, **options: Unpack[ListOptions]) -> AsyncGenerator[Module]:
        """Every module of the project that is not archived (newest first)."""
        return self._items(Module, self._path(project_id), options)

    def pages(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Page[Module]]:
        """The project's modules page by page, with the envelope."""
        return self._pages(Module, self._path(project_id), options)

    async def get(
        self, project_id: IdLike, module_id: IdLike, **options: Unpack[ReadOptions]
    ) -> Module:
        """One module (an archived one answers NotFoundError)."""
        return await self._get(Module, self._module(project_id, module_id), options)

    async def create(
        self, project_id: IdLike, *, name: str, **fields: Unpack[ModuleCreateFields]
    ) -> Module:
        """Create a module; ``name`` must be unique in the project (else BadRequestError).
        A project with modules switched off answers BadRequestError saying how to enable them."""
        check_name(name)
        body = module_body({"name": name, **fields})
        with feature_hint("Modules", "module_view"):
            return await self._write(Module, "POST", self._path(project_id), body)

    async def update(
        self, project_id: IdLike, module_id: IdLike, **fields: Unpack[ModuleFields]
    ) -> Module:
        """Change the given fields (PATCH); ``None`` clears a field. Archived modules refuse."""
        check_update(fields)
        body = module_body(fields)
        return await self._write(Module, "PATCH", self._module(project_id, module_id), body)

    async def delete(self, project_id: IdLike, module_id: IdLike) -> None:
        """Delete a module (its work items stay)."""
        await self._delete(self._module(project_id, module_id))

    async def upsert(
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
        keys = check_external(external_source, external_id)
        body = module_body({**fields, **keys})
        return await self._upsert(
            Module,
            self._path(project_id),
            body,
            existing=lambda existing_id: self._module(project_id, existing_id),
            changes=module_body(fields),
            create_errors=feature_hint("Modules", "module_view"),
        )

    # ------------------------------------------------------------------ work items

    def issues(
        self,
        project_id: IdLike,
        module_id: IdLike,
        *,
        order_by: str | None = None,
        **options: Unpack[ListOptions],
    ) -> AsyncGenerator[Issue]:
        """The work items in the module (full work items, oldest added first); ``order_by``
        as in ``issues.list``."""
        path = self._module(project_id, module_id, "module-issues")
        return self._items(Issue, path, options, params=order_params(Issue, order_by))

    def issue_pages(
        self,
        project_id: IdLike,
        module_id: IdLike,
        *,
        order_by: str | None = None,
        **options: Unpack[ListOptions],
    ) -> AsyncGenerator[Page[Issue]]:
        """The module's work items page by page, with the envelope."""
        path = self._module(project_id, module_id, "module-issues")
        return self._pages(Issue, path, options, params=order_params(Issue, order_by))

    async def add_issues(
        self, project_id: IdLike, module_id: IdLike, issue_ids: Iterable[IdLike]
    ) -> builtins.list[ModuleIssue]:
        """Add work items to the module; returns the membership rows. Items already in it
        stay (safe to repeat). An empty ``issue_ids`` is refused before sending."""
        ids = issue_id_list(issue_ids)
        path = self._module(project_id, module_id, "module-issues")
        body = await self._call("POST", path, json={"issues": ids}, retry_post=True)
        rows = self._expect(body, builtins.list, "POST", path, "an array of membership rows")
        return structure_many(ModuleIssue, rows)

    async def remove_issue(self, project_id: IdLike, module_id: IdLike, issue_id: IdLike) -> None:
        """Take one work item out of the module (the work item itself stays)."""
        iid = proto.check_id(issue_id, "issue_id")
        await self._delete(self._module(project_id, module_id, "module-issues", iid))

    # ------------------------------------------------------------------ archive

    async def archive(self, project_id: IdLike, module_id: IdLike) -> None:
        """Archive a module; only a ``completed`` or ``cancelled`` one (else BadRequestError)."""
        await self._call("POST", self._module(project_id, module_id, "archive"))

    async def unarchive(self, project_id: IdLike, module_id: IdLike) -> None:
        """Bring an archived module back."""
        mid = proto.check_id(module_id, "module_id")
        path = self._project_path(project_id, "archived-modules", mid, "unarchive")
        await self._delete(path)

    def list_archived(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Module]:
        """The project's archived modules."""
        return self._items(Module, self._project_path(project_id, "archived-modules"), options)

    def archived_pages(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Page[Module]]:
        """The project's archived modules page by page, with the envelope."""
        return self._pages(Module, self._project_path(project_id, "archived-modules"), options)
