"""plane.users: the API key's own user."""

from __future__ import annotations

import re
import uuid

from aioresponses import aioresponses

from plane_async import AsyncPlane
from plane_async._models import User
from plane_async._models.converter import strict_converter
from tests.support.resource_helpers import BASE, fixture_body, run


def sent(m: aioresponses) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, query) of every request (this namespace sends no bodies)."""
    return [
        (method, url.path, dict(url.query))
        for (method, url), calls in m.requests.items()
        for _ in calls
    ]


def test_me_gets_users_me_and_structures_the_recorded_user(mocked: aioresponses) -> None:
    body = fixture_body("users-me.json")
    mocked.get(re.compile(re.escape(BASE + "users/me/")), payload=body)
    me = run(lambda p: p.users.me())
    assert sent(mocked) == [("GET", "/api/v1/users/me/", {})]
    assert me.id == uuid.UUID("88443cc8-51b0-4591-9593-79be51aa5ba6")
    assert me.display_name == "alice"
    assert me.avatar_url is None


def test_recorded_user_structures_strictly() -> None:
    strict = strict_converter().structure(fixture_body("users-me.json"), User)
    assert strict.email == "alice@example.com"


async def test_me_against_the_fake_server(plane: AsyncPlane) -> None:
    me = await plane.users.me()
    assert isinstance(me.id, uuid.UUID)
    members = [m async for m in plane.members.list_workspace()]
    assert me.id in {m.id for m in members}
