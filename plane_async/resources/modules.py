"""``plane.modules``: a project's modules, the work items in them, and archiving."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import Any, Unpack

from .._models import Module, ModuleIssue, ModuleStatus
from .._models.writes import ModuleCreateFields, ModuleFields, ModuleUpsertFields
from .._paging.engine import Page
from .._protocol.checks import check_choice, check_name, check_update
from .._protocol.values import writable
from .._types import IdLike, ListOptions, ReadOptions
from ._base import write_body
from ._checks import feature_hint
from ._grouping import WorkItemGroupResource

__all__ = [
    "ModulesResource",
]


_ACCEPTED = writable(ModuleFields)
_IDS = frozenset({"lead"})
_ID_LISTS = frozenset({"members"})


def module_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of a module create/update; refuses unknown names and bad ids."""
    check_choice("status", fields.get("status"), ModuleStatus)
    return write_body(fields, accepted=_ACCEPTED, ids=_IDS, id_lists=_ID_LISTS, what="Module")


class ModulesResource(WorkItemGroupResource[Module, ModuleIssue]):
    """Modules of a project: CRUD, their work items (``issues``, ``add_issues``,
    ``remove_issue``), archive. The project needs ``module_view=True`` to create modules."""

    _model = Module
    _row_model = ModuleIssue
    _segment = "modules"
    _issues_segment = "module-issues"
    _archived_segment = "archived-modules"
    _id_name = "module_id"

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
        return await self._get(Module, self._item(project_id, module_id), options)

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
        return await self._write(Module, "PATCH", self._item(project_id, module_id), body)

    async def delete(self, project_id: IdLike, module_id: IdLike) -> None:
        """Delete a module (its work items stay)."""
        await self._delete(self._item(project_id, module_id))

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
        return await self._upsert(
            Module,
            self._path(project_id),
            fields,
            external_source=external_source,
            external_id=external_id,
            existing=lambda existing_id: self._item(project_id, existing_id),
            body=module_body,
            create_errors=feature_hint("Modules", "module_view"),
        )
