"""``plane.projects``: the workspace's projects, their archive flag and summary counts."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Iterable, Mapping
from typing import Any, Unpack

from .._errors import PlaneValueError
from .._models import Project, ProjectSummary
from .._models.writes import ProjectCreateFields, ProjectFields
from .._paging.engine import Page
from .._protocol.checks import check_update, order_params
from .._protocol.values import writable
from .._types import IdLike, ListOptions, ReadOptions
from ._base import Resource, write_body

__all__ = [
    "ProjectsResource",
]

#: characters Plane refuses in a project's name and identifier (400 non_field_errors)
FORBIDDEN_CHARACTERS = "&+,:;$^}{*=?@#|'<>.()%!-"
_FORBIDDEN = re.compile("[" + re.escape(FORBIDDEN_CHARACTERS) + "]")
_MAX_IDENTIFIER = 12
_MAX_NAME = 255
#: what ``summary(fields=...)`` can count
SUMMARY_FIELDS = ("members", "states", "labels", "cycles", "modules", "issues", "intakes", "pages")


_ACCEPTED = writable(ProjectFields)
_IDS = frozenset({"project_lead", "default_assignee", "default_state", "estimate"})


def check_project_name(name: object) -> str:
    """``name`` as Plane accepts it, or PlaneValueError saying why not."""
    if not isinstance(name, str) or not name.strip():
        raise PlaneValueError(f"project name must be a non-empty string, got {name!r}")
    if len(name) > _MAX_NAME:
        raise PlaneValueError(f"project name must be at most {_MAX_NAME} characters")
    _check_characters("name", name)
    return name


def check_identifier(identifier: object) -> str:
    """``identifier`` uppercased (Plane stores it so), or PlaneValueError saying why not."""
    if not isinstance(identifier, str) or not identifier.strip():
        raise PlaneValueError(f"project identifier must be a non-empty string, got {identifier!r}")
    value = identifier.strip().upper()
    if len(value) > _MAX_IDENTIFIER:
        raise PlaneValueError(
            f"project identifier must be at most {_MAX_IDENTIFIER} characters, got {value!r}"
        )
    _check_characters("identifier", value)
    return value


def _check_characters(what: str, value: str) -> None:
    bad = sorted(set(_FORBIDDEN.findall(value)))
    if bad:
        raise PlaneValueError(
            f"project {what} {value!r} contains {''.join(bad)!r}; Plane refuses these "
            f"characters in project names and identifiers: {' '.join(FORBIDDEN_CHARACTERS)}"
        )


def project_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of a project create/update, checked the way the server would."""
    values = dict(fields)
    if "name" in values:
        values["name"] = check_project_name(values["name"])
    if "identifier" in values:
        values["identifier"] = check_identifier(values["identifier"])
    network = values.get("network")
    if "network" in values and (isinstance(network, bool) or network not in (0, 2)):
        raise PlaneValueError(
            f"network must be Network.SECRET (0) or Network.PUBLIC (2), got {network!r}"
        )
    for key in ("archive_in", "close_in"):
        months = values.get(key)
        if key in values and (
            isinstance(months, bool) or not isinstance(months, int) or not 0 <= months <= 12
        ):
            raise PlaneValueError(f"{key} must be an int from 0 to 12 (months), got {months!r}")
    return write_body(values, accepted=_ACCEPTED, ids=_IDS, what="Project")


class ProjectsResource(Resource):
    """Projects of the workspace: list, read, create, update, delete, archive, summary."""

    def list(
        self, *, order_by: str | None = None, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Project]:
        """Projects the key's user is a member of, plus every public project, in the
        caller's sort order; ``order_by`` a field (``"-"`` first for descending)."""
        params = order_params(Project, order_by)
        return self._items(Project, self._ws_path("projects"), options, params=params)

    def pages(
        self, *, order_by: str | None = None, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Page[Project]]:
        """The projects page by page, with the envelope (totals, cursors)."""
        params = order_params(Project, order_by)
        return self._pages(Project, self._ws_path("projects"), options, params=params)

    async def get(self, project_id: IdLike, **options: Unpack[ReadOptions]) -> Project:
        """One project (an unknown id answers NotFoundError)."""
        return await self._get(Project, self._project_path(project_id), options)

    async def create(
        self, *, name: str, identifier: str, **fields: Unpack[ProjectCreateFields]
    ) -> Project:
        """Create a project; the server adds the default states and makes you its Admin.

        ``identifier`` (at most 12 characters) is uppercased. Plane refuses
        ``& + , : ; $ ^ } { * = ? @ # | ' < > . ( ) % ! -`` in the name and identifier,
        so those are refused here (PlaneValueError) before any request. Modules and cycles
        start disabled: pass ``module_view=True``/``cycle_view=True`` to use them.
        """
        body = project_body({"name": name, "identifier": identifier, **fields})
        return await self._write(Project, "POST", self._ws_path("projects"), body)

    async def update(self, project_id: IdLike, **fields: Unpack[ProjectFields]) -> Project:
        """Change the given fields (PATCH); ``None`` clears a field, omitted ones stay.

        An archived project cannot be updated (BadRequestError): unarchive it first.
        """
        check_update(fields)
        body = project_body(fields)
        return await self._write(Project, "PATCH", self._project_path(project_id), body)

    async def delete(self, project_id: IdLike) -> None:
        """Delete a project (needs project Admin)."""
        await self._delete(self._project_path(project_id))

    async def archive(self, project_id: IdLike) -> None:
        """Archive a project: it leaves ``list()`` and becomes read-only."""
        await self._call("POST", self._project_path(project_id, "archive"))

    async def unarchive(self, project_id: IdLike) -> None:
        """Bring an archived project back."""
        await self._call("DELETE", self._project_path(project_id, "archive"))

    async def summary(
        self, project_id: IdLike, *, fields: Iterable[str] | None = None
    ) -> ProjectSummary:
        """How many members, states, labels, cycles, modules, issues, intakes and pages the
        project has; ``fields=`` limits the counts to those names (default: all)."""
        params: dict[str, str] | None = None
        if fields is not None:
            names = fields.split(",") if isinstance(fields, str) else list(fields)
            unknown = [n for n in names if n not in SUMMARY_FIELDS]
            if unknown:
                raise PlaneValueError(
                    f"summary has no count {unknown!r}; choose from {', '.join(SUMMARY_FIELDS)}"
                )
            if names:
                params = {"fields": ",".join(dict.fromkeys(names))}
        path = self._project_path(project_id, "summary")
        body = await self._call("GET", path, params=params)
        return self._object(ProjectSummary, body, "GET", path)
