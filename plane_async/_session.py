"""The session a client hands its namespaces: its transport, base URL, workspace and
where work items live on the server (``resources._seam.Seam``, implemented here)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import attrs

from ._errors import NotFoundError, PlaneValueError
from ._http.transport import Response, Transport
from ._protocol import wire as proto

if TYPE_CHECKING:
    from ._http.storage import Storage

__all__ = ["Session", "WorkItemsRoute"]

# resources._seam's Path, spelled again: importing that package would load every
# namespace with the client (they load on the first AsyncPlane, for import time)
WorkItemPath = Callable[[str], str]
Path = str | WorkItemPath


@attrs.define
class WorkItemsRoute:
    """Where work items live: ``work-items/`` on current servers, ``issues/`` on servers
    from before 2025. ``segment`` None means "find out on the first call" (a routing 404
    on the new path); the answer is kept for the client's lifetime, its views included."""

    segment: str | None = None

    async def send(
        self, path: WorkItemPath, call: Callable[[str], Awaitable[Response]]
    ) -> Response:
        """``call(path(segment))``, finding the segment first when it is not known."""
        if self.segment is not None:
            return await call(path(self.segment))
        try:
            response = await call(path("work-items"))
        except NotFoundError as exc:
            if not proto.is_route_not_found(exc.body):
                raise
            response = await call(path("issues"))
            self.segment = "issues"
            return response
        self.segment = "work-items"
        return response


@attrs.frozen
class Session:
    """One client's (or one ``with_options`` view's) way to the server, for its namespaces.

    A view shares the transport and the route with its client; only ``wait_budget``
    (the view's per-call budget, None: the client's) differs.
    """

    transport: Transport
    base_url: str
    workspace_slug: str | None
    max_per_page: int
    route: WorkItemsRoute
    wait_budget: float | None = None

    @property
    def workspace(self) -> str:
        """The workspace slug; PlaneValueError if none was configured."""
        if self.workspace_slug is None:
            raise PlaneValueError(
                "this call needs a workspace: pass workspace='your-slug' to AsyncPlane "
                "or set PLANE_WORKSPACE"
            )
        return self.workspace_slug

    def with_budget(self, wait_budget: float | None) -> Session:
        """This session with another per-call budget (None keeps this one's)."""
        if wait_budget is None:
            return self
        return attrs.evolve(self, wait_budget=wait_budget)

    def send(
        self,
        method: str,
        path: Path,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        timeout: float | None = None,
        retry_post: bool | None = None,
        metered: bool = True,
        wait_budget: float | None = None,
    ) -> Awaitable[Response]:
        """Send one call; a work-item path goes to the server's work-items route.

        Returns the transport's coroutine itself rather than awaiting it in one of its own:
        this runs once per request."""
        budget = self.wait_budget if wait_budget is None else wait_budget
        segment = self.route.segment
        if isinstance(path, str) or segment is not None:
            # the common cases (a plain path, or the work-items route already found),
            # without the route's and the closure's extra calls
            resolved = path if isinstance(path, str) else path(segment or "work-items")
            return self.transport.request(
                method, resolved, params=params, json=json, timeout=timeout,
                retry_post=retry_post, metered=metered, wait_budget=budget,
            )  # fmt: skip

        async def call(resolved: str) -> Response:
            return await self.transport.request(
                method, resolved, params=params, json=json, timeout=timeout,
                retry_post=retry_post, metered=metered, wait_budget=budget,
            )  # fmt: skip

        return self.route.send(path, call)

    def resolve(self, path: Path) -> str:
        """``path`` as sent (a work-item path with the segment found, else "work-items")."""
        return path if isinstance(path, str) else path(self.route.segment or "work-items")

    def storage(self) -> Storage:
        """Presigned uploads and downloads over the client's connections."""
        # lazy for import time: storage (and mimetypes) load with the namespaces that use it
        from ._http.storage import Storage

        return Storage(self.transport)
