"""``plane.stickies``: the caller's sticky notes in the workspace."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Mapping
from typing import Any, Unpack

from .._errors import PlaneValueError
from .._models import Sticky
from .._models.writes import StickyFields
from .._paging.engine import Page
from .._protocol.checks import check_id, check_update
from .._protocol.values import writable
from .._types import IdLike
from ._base import Resource, write_body
from ._options import PageOptions, checked

__all__ = ["StickiesResource", "StickyFields"]


def sticky_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A checked sticky body."""
    html = fields.get("description_html")
    if "description_html" in fields and not isinstance(html, str):
        raise PlaneValueError(f"description_html must be a string of HTML, got {html!r}")
    return write_body(fields, accepted=writable(StickyFields), what="Sticky")


class StickiesResource(Resource):
    """The caller's sticky notes (each user sees only their own)."""

    # a DRF ViewSet in Plane: its default throttle counts only anonymous requests
    _metered = False

    def _path(self, *rest: uuid.UUID) -> str:
        return self._ws_path("stickies", *rest)

    def _item(self, sticky_id: IdLike) -> str:
        return self._path(check_id(sticky_id, "sticky_id"))

    def list(
        self, *, search: str | None = None, **paging: Unpack[PageOptions]
    ) -> AsyncGenerator[Sticky]:
        """The caller's stickies, newest first; ``search`` keeps those whose text contains
        it (case-insensitive). (Plane renders every field here: no ``fields``/``expand``.)"""
        options = checked(paging, PageOptions)
        return self._items(Sticky, self._path(), options, params=_search(search))

    def pages(
        self, *, search: str | None = None, **paging: Unpack[PageOptions]
    ) -> AsyncGenerator[Page[Sticky]]:
        """The caller's stickies page by page (20 by default on the server), with the
        envelope."""
        options = checked(paging, PageOptions)
        return self._pages(Sticky, self._path(), options, params=_search(search))

    async def get(self, sticky_id: IdLike) -> Sticky:
        """One of the caller's stickies."""
        return await self._get(Sticky, self._item(sticky_id), {})

    async def create(self, **fields: Unpack[StickyFields]) -> Sticky:
        """Create a sticky: ``create(name="Ideas", description_html="<p>...</p>")``."""
        return await self._write(Sticky, "POST", self._path(), sticky_body(fields))

    async def update(self, sticky_id: IdLike, **fields: Unpack[StickyFields]) -> Sticky:
        """Change the given fields (PATCH)."""
        check_update(fields)
        return await self._write(Sticky, "PATCH", self._item(sticky_id), sticky_body(fields))

    async def delete(self, sticky_id: IdLike) -> None:
        """Delete a sticky."""
        await self._delete(self._item(sticky_id))


def _search(search: object) -> dict[str, str] | None:
    if search is None:
        return None
    if not isinstance(search, str) or not search.strip():
        raise PlaneValueError(f"search must be a non-empty string, got {search!r}")
    return {"query": search}
