"""``plane.users``: the user the API key belongs to."""

from __future__ import annotations

from .._models import User
from ._base import Resource

__all__ = ["UsersResource"]


class UsersResource(Resource):
    """The API key's own user (v1 has no endpoint to list or look up other users)."""

    async def me(self) -> User:
        """The user the API key belongs to."""
        return await self._get(User, "users/me/", {})
