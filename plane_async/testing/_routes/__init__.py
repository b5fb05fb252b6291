"""FakePlane's routes, one module per namespace of the client's ``resources/``.

``ROUTER`` is every route relative to ``/api/v1/``, first match wins (Django's
urlpatterns); the helpers the modules share are in ``_shared`` and ``_files``.
"""

from __future__ import annotations

from .._router import Router
from . import (
    activities,
    assets,
    attachments,
    comments,
    cycles,
    estimates,
    intake,
    invitations,
    issues,
    labels,
    links,
    members,
    modules,
    projects,
    relations,
    states,
    stickies,
    users,
)

__all__ = ["ROUTER", "build_router"]


def build_router() -> Router:
    """Every route of the fake server, in matching order."""
    router = Router()
    for register in (
        users.register,
        members.register_workspace,
        states.register,
        labels.register,
        projects.register,
        issues.register,
        comments.register,
        links.register,
        activities.register,
        modules.register,
        cycles.register,
        members.register,
        intake.register,
        estimates.register,
        relations.register,
        attachments.register,
        assets.register,
        stickies.register,
        invitations.register,
    ):
        register(router)
    return router


ROUTER = build_router()
