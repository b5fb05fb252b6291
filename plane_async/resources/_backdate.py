"""A backdated create returns what was stored, not what Plane's 201 response says.

Plane's work-item and comment ``post`` save the row, build the response, and only then set
``created_at`` to the value the client sent (importers and migrations backdate their rows).
The 201 body therefore shows the server's clock while the stored row, and every later
read, has the sent value. The client puts the stored value in the returned object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

__all__ = ["as_stored"]


def _stored_moment(sent: Any) -> str | None:
    """The sent ``created_at`` as the server stores it: an aware ISO datetime (a naive one
    or a bare date is UTC, as Django reads it with ``USE_TZ``); None if unreadable."""
    if not isinstance(sent, str):
        return None
    try:
        if len(sent) == 10:
            day = dt.date.fromisoformat(sent)
            moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        else:
            moment = dt.datetime.fromisoformat(sent)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat()


def as_stored(data: Any, body: Mapping[str, Any]) -> Any:
    """``data`` (a create's response) with the ``created_at`` that ``body`` sent."""
    if not isinstance(data, dict) or body.get("created_at") is None:
        return data
    moment = _stored_moment(body["created_at"])
    if moment is None:
        return data
    return {**data, "created_at": moment}
