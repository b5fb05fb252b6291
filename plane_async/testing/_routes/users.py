"""users/me: the API key's user."""

from __future__ import annotations

from .._router import Call, Reply, Router

__all__ = ["register"]


def users_me(c: Call) -> Reply:
    assert c.store.me is not None
    return 200, c.render.user_lite(c.store.me)


def register(r: Router) -> None:
    r.add("users/me/", {"GET": users_me})
