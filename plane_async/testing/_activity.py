"""Plane's ``issue_activity`` worker: every activity on a work item moves its ``updated_at``.

On a real server a comment, a link, an attachment, a relation, a reaction or a module or
cycle membership does not save the work item itself; the Celery task ``issue_activity``
records the activity and sets the work item's ``updated_at`` to its own clock, a moment
later (the worker's queue). So ``order_by=-updated_at`` (and ``changed_since``, and
``sync``) sees a comment on an otherwise unchanged work item, once the worker has run.

``FakePlane(activity_delay=0.0)`` bumps at once; a delay bumps that many seconds later (on
the event loop's timer), and ``server.activity.flush()`` runs every pending bump now, as a
worker that catches up (tests need not wait).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from ._store import Store

__all__ = ["ActivityWorker", "touched_items"]

#: the membership lists whose writes name their work items in the body
_MEMBERSHIPS = ("module-issues/", "cycle-issues/")


def touched_items(method: str, path: str, params: Mapping[str, str], body: Any) -> list[str]:
    """The work items a successful write records an activity on (their children, their
    memberships); not the work item's own PATCH (it saves the work item) or a delete."""
    if method not in ("POST", "PATCH", "PUT", "DELETE"):
        return []
    found: list[str] = []
    issue_id = params.get("issue_id")
    membership = any(m in path for m in _MEMBERSHIPS)
    if issue_id is not None and (membership or not path.endswith(f"{issue_id}/")):
        found.append(issue_id)
    if membership and method == "POST" and isinstance(body, dict):
        ids = body.get("issues")
        if isinstance(ids, list):
            found += [str(i) for i in ids]
    return found


class ActivityWorker:
    """Bumps ``updated_at`` of the work items activities were recorded on."""

    def __init__(self, store: Store, delay: float = 0.0) -> None:
        if delay < 0:
            raise ValueError(f"activity_delay must be >= 0, got {delay!r}")
        self.store = store
        #: seconds between an activity and the bump (Plane's worker queue)
        self.delay = delay
        self._pending: dict[asyncio.TimerHandle, list[str]] = {}

    @property
    def pending(self) -> int:
        """How many work items wait for their bump."""
        return sum(map(len, self._pending.values()))

    def record(self, issue_ids: Iterable[str]) -> None:
        """An activity on these work items: bump them now, or after ``delay``."""
        ids = list(dict.fromkeys(issue_ids))
        if not ids:
            return
        if self.delay <= 0:
            self._bump(ids)
            return
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle | None = None

        def run() -> None:
            assert handle is not None
            self._pending.pop(handle, None)
            self._bump(ids)

        handle = loop.call_later(self.delay, run)
        self._pending[handle] = ids

    def flush(self) -> None:
        """Run every pending bump now (a worker that caught up)."""
        pending, self._pending = self._pending, {}
        for handle, ids in pending.items():
            handle.cancel()
            self._bump(ids)

    def cancel(self) -> None:
        """Drop the pending bumps (the server stops)."""
        for handle in self._pending:
            handle.cancel()
        self._pending.clear()

    def _bump(self, ids: list[str]) -> None:
        store = self.store
        now = store.now()
        for issue_id in ids:
            issue = store.issues.get(issue_id)
            if issue is None:
                continue
            issue.updated_at = max(issue.updated_at, now)
            store.touch(issue.project_id)
