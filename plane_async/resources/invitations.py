"""``plane.invitations``: invitations to join the workspace (workspace admins only)."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator
from typing import Unpack

from .._errors import PlaneValueError
from .._models import Invitation, Role
from .._paging.engine import Page
from .._protocol.checks import check_id
from .._types import IdLike
from ._base import Resource
from ._options import AllAtOnceOptions, checked
from .members import check_role

__all__ = ["InvitationsResource"]

# what Django's validate_email accepts, roughly: one @, a dot in the domain, no blanks
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class InvitationsResource(Resource):
    """Workspace invitations: list, read, invite, change the role, revoke. Every call
    needs a workspace admin (else PermissionDeniedError)."""

    # a DRF ViewSet in Plane: its default throttle counts only anonymous requests
    _metered = False

    def _item(self, invitation_id: IdLike) -> str:
        return self._ws_path("invitations", check_id(invitation_id, "invitation_id"))

    def list(self, **paging: Unpack[AllAtOnceOptions]) -> AsyncGenerator[Invitation]:
        """Every invitation of the workspace, answered or not (one plain list)."""
        path = self._ws_path("invitations")
        return self._items(Invitation, path, checked(paging, AllAtOnceOptions), paginated=False)

    def pages(self, **paging: Unpack[AllAtOnceOptions]) -> AsyncGenerator[Page[Invitation]]:
        """The invitations as a single page."""
        path = self._ws_path("invitations")
        return self._pages(Invitation, path, checked(paging, AllAtOnceOptions), paginated=False)

    async def get(self, invitation_id: IdLike) -> Invitation:
        """One invitation."""
        return await self._get(Invitation, self._item(invitation_id), {})

    async def create(self, *, email: str, role: Role | int = Role.GUEST) -> Invitation:
        """Invite ``email`` with ``role`` (Plane's default: guest). An address already
        invited answers BadRequestError."""
        if not isinstance(email, str) or not _EMAIL.fullmatch(email.strip()):
            raise PlaneValueError(f"email must be an e-mail address, got {email!r}")
        body = {"email": email.strip(), "role": int(check_role(role))}
        return await self._write(Invitation, "POST", self._ws_path("invitations"), body)

    async def update(self, invitation_id: IdLike, *, role: Role | int) -> Invitation:
        """Change the role the invitation grants (the address cannot change)."""
        body = {"role": int(check_role(role))}
        return await self._write(Invitation, "PATCH", self._item(invitation_id), body)

    async def delete(self, invitation_id: IdLike) -> None:
        """Revoke an invitation; one already accepted or answered cannot be (BadRequestError)."""
        await self._delete(self._item(invitation_id))
