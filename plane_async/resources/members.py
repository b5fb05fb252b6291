"""``plane.members``: who is in a project, and in the workspace."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Unpack

from .._models import ProjectMember, Role, User, WorkspaceMember
from .._paging.engine import Page
from .._protocol.checks import check_id, check_int_choice
from .._types import IdLike, ListOptions, ReadOptions
from ._base import Resource

__all__ = ["MembersResource"]

_ROLES = (Role.ADMIN, Role.MEMBER, Role.GUEST)


def check_role(role: object) -> Role:
    return check_int_choice("role", role, _ROLES)


class MembersResource(Resource):
    """Project members (add, change role, remove) and the workspace's member list.

    The server answers these lists as plain arrays (everything at once), so ``per_page``,
    ``cursor`` and ``prefetch`` do not apply; ``max_items`` does.
    """

    def list(self, project_id: IdLike, **options: Unpack[ListOptions]) -> AsyncGenerator[User]:
        """The project's members as users (no role; includes deactivated members)."""
        return self._items(User, self._members_path(project_id), options, paginated=False)

    def pages(
        self, project_id: IdLike, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Page[User]]:
        """The project's members as a single page."""
        return self._pages(User, self._members_path(project_id), options, paginated=False)

    def list_workspace(self, **options: Unpack[ListOptions]) -> AsyncGenerator[WorkspaceMember]:
        """Every member of the client's workspace with their workspace ``role`` (includes
        deactivated members). Guests are refused (PermissionDeniedError)."""
        return self._items(WorkspaceMember, self._ws_path("members"), options, paginated=False)

    def workspace_pages(
        self, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Page[WorkspaceMember]]:
        """The workspace's members as a single page (``list_workspace`` with the page)."""
        return self._pages(WorkspaceMember, self._ws_path("members"), options, paginated=False)

    async def add(
        self, project_id: IdLike, *, member: IdLike, role: Role | int = Role.MEMBER
    ) -> ProjectMember:
        """Add a workspace user (``member`` is the user id) to the project (needs project
        Admin). Returns the membership: keep its ``id`` for ``update``/``remove``."""
        body = {"member": str(check_id(member, "member")), "role": int(check_role(role))}
        return await self._write(ProjectMember, "POST", self._members_path(project_id), body)

    async def get(
        self, project_id: IdLike, project_member_id: IdLike, **options: Unpack[ReadOptions]
    ) -> User:
        """The user behind a membership. ``project_member_id`` is the ProjectMember id
        (``add(...).id``), not the user id. (The server ignores ``fields``/``expand`` here:
        the whole user comes back.)"""
        return await self._get(User, self._path(project_id, project_member_id), options)

    async def update(
        self, project_id: IdLike, project_member_id: IdLike, *, role: Role | int
    ) -> ProjectMember:
        """Change a member's project role. ``project_member_id`` is the ProjectMember id
        (``add(...).id``), not the user id."""
        body = {"role": int(check_role(role))}
        path = self._path(project_id, project_member_id)
        return await self._write(ProjectMember, "PATCH", path, body)

    async def remove(self, project_id: IdLike, project_member_id: IdLike) -> None:
        """Remove (deactivate) a membership. ``project_member_id`` is the ProjectMember id
        (``add(...).id``), not the user id."""
        await self._delete(self._path(project_id, project_member_id))

    def _members_path(self, project_id: IdLike) -> str:
        return self._project_path(project_id, "members")

    def _path(self, project_id: IdLike, project_member_id: IdLike) -> str:
        pm_id = check_id(project_member_id, "project_member_id")
        return self._project_path(project_id, "members", pm_id)
