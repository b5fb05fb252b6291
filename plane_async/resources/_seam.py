"""What a namespace needs from its client: the ``Seam`` the client hands each one.

The namespaces know the client only through this protocol (``plane_async._session``
implements it), so ``resources/`` never imports the client nor touches its privates.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from .._http.storage import Storage
from .._http.transport import Response

__all__ = ["Path", "Seam", "WorkItemPath"]

#: a path under a work item, built from the work-items segment ("work-items" or "issues")
WorkItemPath = Callable[[str], str]
Path = str | WorkItemPath


class Seam(Protocol):
    """Where a namespace sends its requests, and what it needs to know to build them."""

    @property
    def base_url(self) -> str:
        """The API root, ending in ``/api/v1/``."""

    @property
    def workspace(self) -> str:
        """The workspace slug; PlaneValueError if none was configured."""

    @property
    def max_per_page(self) -> int:
        """The largest page size the server accepts."""

    def send(
        self,
        method: str,
        path: Path,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        retry_post: bool | None = None,
        metered: bool = True,
    ) -> Awaitable[Response]:
        """Send one call; a ``WorkItemPath`` is resolved to the server's work-items route."""

    def resolve(self, path: Path) -> str:
        """``path`` as sent (a work-item path with the segment found, else "work-items")."""

    def storage(self) -> Storage:
        """Presigned uploads and downloads over the client's connections."""
