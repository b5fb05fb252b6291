"""``plane.links``: the web links attached to a work item."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import Any, Unpack

from .._errors import PlaneValueError
from .._models import Link
from .._models.writes import LinkCreateFields, LinkFields
from .._paging.engine import Page
from .._protocol.checks import check_update
from .._protocol.values import writable
from .._types import IdLike, ListOptions, ReadOptions
from ._base import Resource, write_body
from ._seam import WorkItemPath

__all__ = ["LinkCreateFields", "LinkFields", "LinksResource"]


_CREATE_ACCEPTED = {**writable(LinkCreateFields), "url": str}
_UPDATE_ACCEPTED = writable(LinkFields)
_IDS = frozenset({"created_by"})


def link_body(fields: Mapping[str, Any], *, create: bool) -> dict[str, Any]:
    """The JSON body of a link create/update; the URL must be http(s) as Plane requires."""
    if "url" in fields:
        url = fields["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise PlaneValueError(f"url must start with http:// or https://, got {url!r}")
    accepted = _CREATE_ACCEPTED if create else _UPDATE_ACCEPTED
    return write_body(fields, accepted=accepted, ids=_IDS, what="Link")


class LinksResource(Resource):
    """Links of a work item: list, read, create, update, delete."""

    def _path(self, project_id: IdLike, issue_id: IdLike, *rest: IdLike) -> WorkItemPath:
        return self._under_work_item(project_id, issue_id, "links", "link_id", rest)

    def list(
        self, project_id: IdLike, issue_id: IdLike, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Link]:
        """Every link of the work item (newest first)."""
        return self._items(Link, self._path(project_id, issue_id), options)

    def pages(
        self, project_id: IdLike, issue_id: IdLike, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Page[Link]]:
        """The work item's links page by page, with the envelope."""
        return self._pages(Link, self._path(project_id, issue_id), options)

    async def get(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        link_id: IdLike,
        **options: Unpack[ReadOptions],
    ) -> Link:
        """One link (``title``/``metadata`` are filled by the server shortly after create)."""
        return await self._get(Link, self._path(project_id, issue_id, link_id), options)

    async def create(
        self, project_id: IdLike, issue_id: IdLike, *, url: str, **fields: Unpack[LinkCreateFields]
    ) -> Link:
        """Attach a link; ``url`` must start with http:// or https://. The same URL twice on
        one work item answers BadRequestError."""
        body = link_body({"url": url, **fields}, create=True)
        return await self._write(Link, "POST", self._path(project_id, issue_id), body)

    async def update(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        link_id: IdLike,
        **fields: Unpack[LinkFields],
    ) -> Link:
        """Change the URL and/or title (PATCH); omitted fields stay."""
        check_update(fields)
        body = link_body(fields, create=False)
        return await self._write(Link, "PATCH", self._path(project_id, issue_id, link_id), body)

    async def delete(self, project_id: IdLike, issue_id: IdLike, link_id: IdLike) -> None:
        """Remove a link from the work item."""
        await self._delete(self._path(project_id, issue_id, link_id))
