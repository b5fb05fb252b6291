"""``ConcurrentWriter``: another client writing to a project while yours reads it.

It plays a colleague (or an integration) that creates, deletes and updates work items
while an export runs: seeded, so a failing run replays exactly, and driven by the
server's own requests (one write per ``every`` requests on average), so it needs no clock and no
second key. Its writes go straight to the store, as Plane's own handlers would make them:
a new item is the newest (``created_at`` now) unless it is backdated (an importer sends
the ``created_at`` of the tracker it migrates from, which Plane stores), a delete is soft,
an update moves ``updated_at``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Protocol

from ._store import Issue, Project, Store

__all__ = ["ConcurrentWriter", "WritableServer"]


class WritableServer(Protocol):
    """What the writer needs of a server (a ``FakePlane``): its store, and the hooks it
    calls before each request."""

    @property
    def store(self) -> Store: ...

    @property
    def request_hooks(self) -> list[Callable[[], None]]: ...


class ConcurrentWriter:
    """Creates, deletes and updates work items of one project while the server is used.

    ``ConcurrentWriter(server, every=10, seed=1)`` writes before one request in 10 the
    server receives (any request, from any client; chosen at random, seeded), choosing
    create, delete or update with ``weights``; a share ``backdated`` of its creates (0 to 1)
    is backdated to a random moment between the project's oldest and newest work items, so
    it lands inside the ``created_at`` order as an import does; each time it writes, it
    writes ``burst`` times (a delete and a create between the same two requests leave
    the total unchanged). ``with writer:`` (or ``start()`` and
    ``stop()``) bounds when it runs; ``create()``, ``delete()`` and ``update()`` write
    once, now. ``created``, ``deleted`` and ``updated`` list the ids it touched.
    """

    def __init__(
        self,
        server: WritableServer,
        *,
        project_id: str | None = None,
        every: int = 10,
        seed: int = 0,
        weights: tuple[float, float, float] = (1.0, 1.0, 1.0),
        backdated: float = 0.0,
        burst: int = 1,
    ) -> None:
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every!r}")
        if not 0.0 <= backdated <= 1.0:
            raise ValueError(f"backdated must be from 0 to 1, got {backdated!r}")
        if burst < 1:
            raise ValueError(f"burst must be >= 1, got {burst!r}")
        self.server = server
        store = server.store
        pid = project_id or next(iter(store.projects))
        self.project: Project = store.projects[pid]
        self.every = every
        self.weights = weights
        self.backdated = backdated
        self.burst = burst
        self._rng = random.Random(seed)
        self._count = 0
        self.created: list[str] = []
        self.deleted: list[str] = []
        self.updated: list[str] = []

    def __repr__(self) -> str:
        return (
            f"<ConcurrentWriter every={self.every} created={len(self.created)} "
            f"deleted={len(self.deleted)} updated={len(self.updated)}>"
        )

    # -- running ------------------------------------------------------------------------

    def start(self) -> ConcurrentWriter:
        """Write once every ``every`` requests from now on."""
        if self._on_request not in self.server.request_hooks:
            self.server.request_hooks.append(self._on_request)
        return self

    def stop(self) -> None:
        """Stop writing (idempotent)."""
        if self._on_request in self.server.request_hooks:
            self.server.request_hooks.remove(self._on_request)

    def __enter__(self) -> ConcurrentWriter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _on_request(self) -> None:
        self._count += 1
        # At random, one write per ``every`` requests on average (every=1: before each).
        if self.every == 1 or self._rng.random() * self.every < 1.0:
            for _ in range(self.burst):
                self.step()

    # -- writes -------------------------------------------------------------------------

    def live(self) -> list[Issue]:
        """The project's work items a list shows now, in creation order."""
        return [i for i in self.project.issues if self.server.store.visible(i)]

    def step(self) -> str:
        """One write chosen by ``weights``; returns "create", "delete" or "update"."""
        kind = self._rng.choices(("create", "delete", "update"), self.weights)[0]
        if kind != "create" and not self.live():
            kind = "create"
        getattr(self, kind)()
        return kind

    def create(self, *, name: str | None = None, backdate: bool | None = None) -> Issue:
        """A new work item: the newest of the project, or backdated (``backdate=True``, or
        at random with the writer's ``backdated`` share when not given)."""
        store = self.server.store
        now = store.now()
        if backdate is None:
            backdate = self.backdated > 0.0 and self._rng.random() < self.backdated
        created = now
        if backdate and self.project.issues:
            # a random point of the list (the store keeps it in created_at order)
            oldest, newest = self.project.issues[0].created_at, self.project.issues[-1].created_at
            created = oldest + self._rng.random() * (newest - oldest)
        state = next(
            (s.id for s in store.project_rows(store.states, self.project.id) if s.default), None
        )
        issue = store.add_issue(
            self.project,
            name=name or f"Written concurrently #{len(self.created) + 1}",
            state=state,
            created_at=created,
            updated_at=now,
            created_by=store.me.id if store.me else None,
        )
        self.created.append(issue.id)
        return issue

    def delete(self, issue_id: str | None = None) -> Issue:
        """Soft-delete a work item (a random live one when not given)."""
        issue = self._pick(issue_id)
        issue.deleted_at = self.server.store.now()
        self.server.store.touch(self.project.id)
        self.deleted.append(issue.id)
        return issue

    def update(self, issue_id: str | None = None) -> Issue:
        """Rename a work item (a random live one when not given); ``updated_at`` moves."""
        issue = self._pick(issue_id)
        issue.name = f"{issue.name.split(' (edit')[0]} (edit {len(self.updated) + 1})"
        issue.updated_at = self.server.store.now()
        self.server.store.touch(self.project.id)
        self.updated.append(issue.id)
        return issue

    def _pick(self, issue_id: str | None) -> Issue:
        if issue_id is not None:
            return self.server.store.issues[issue_id]
        live = self.live()
        if not live:
            raise LookupError("the project has no live work item to write to")
        return live[int(self._rng.random() * len(live))]
