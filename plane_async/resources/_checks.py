"""Error rewording shared by the namespaces: a server's answer made actionable.

The checks on what a caller passes in live in ``plane_async._protocol.checks``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from .._errors import BadRequestError, reworded

__all__ = ["feature_hint", "reworded"]

# What Plane answers when a project has modules or cycles switched off.
_DISABLED = re.compile(r"not enabled|module_view|cycle_view", re.IGNORECASE)


@contextlib.contextmanager
def feature_hint(what: str, flag: str) -> Iterator[None]:
    """Re-raise Plane's "feature not enabled" 400 with a message that says how to fix it."""
    try:
        yield
    except BadRequestError as exc:
        if not _DISABLED.search(exc.message):
            raise
        message = (
            f"{what} are not enabled for this project; enable them with "
            f"`await plane.projects.update(project_id, {flag}=True)` (server said: {exc.message})"
        )
        raise reworded(exc, message) from exc
