"""``plane.comments``: the comments on a work item."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import Any, Unpack

from .._errors import PlaneValueError
from .._models import Comment, CommentAccess
from .._models.writes import CommentCreateFields, CommentFields, CommentUpsertFields
from .._paging.engine import Page
from .._protocol.checks import check_choice, check_update
from .._protocol.values import writable
from .._types import IdLike, ListOptions, ReadOptions
from ._base import Resource, write_body
from ._seam import WorkItemPath

__all__ = [
    "CommentsResource",
]


_ACCEPTED = writable(CommentFields)
_IDS = frozenset({"parent", "created_by"})


def comment_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of a comment create/update; refuses unknown names and bad ids."""
    check_choice("access", fields.get("access"), CommentAccess)
    html = fields.get("comment_html")
    if "comment_html" in fields and (not isinstance(html, str) or not html.strip()):
        raise PlaneValueError(f"comment_html must be a non-empty HTML string, got {html!r}")
    return write_body(fields, accepted=_ACCEPTED, ids=_IDS, what="Comment")


class CommentsResource(Resource):
    """Comments on a work item: list, read, create, update, delete, import."""

    def _path(self, project_id: IdLike, issue_id: IdLike, *rest: IdLike) -> WorkItemPath:
        return self._under_work_item(project_id, issue_id, "comments", "comment_id", rest)

    def list(
        self, project_id: IdLike, issue_id: IdLike, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Comment]:
        """Every comment on the work item (oldest first)."""
        return self._items(Comment, self._path(project_id, issue_id), options)

    def pages(
        self, project_id: IdLike, issue_id: IdLike, **options: Unpack[ListOptions]
    ) -> AsyncGenerator[Page[Comment]]:
        """The work item's comments page by page, with the envelope."""
        return self._pages(Comment, self._path(project_id, issue_id), options)

    async def get(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        comment_id: IdLike,
        **options: Unpack[ReadOptions],
    ) -> Comment:
        """One comment."""
        return await self._get(Comment, self._path(project_id, issue_id, comment_id), options)

    async def create(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        *,
        comment_html: str,
        **fields: Unpack[CommentCreateFields],
    ) -> Comment:
        """Add a comment (HTML, e.g. ``"<p>Done</p>"``); ``access`` defaults to INTERNAL.
        For imports, ``created_at``/``created_by`` backdate it; prefer ``upsert``."""
        body = comment_body({"comment_html": comment_html, **fields})
        return await self._write(Comment, "POST", self._path(project_id, issue_id), body)

    async def update(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        comment_id: IdLike,
        **fields: Unpack[CommentFields],
    ) -> Comment:
        """Change the given fields (PATCH); ``None`` clears a field, omitted ones stay."""
        check_update(fields)
        body = comment_body(fields)
        path = self._path(project_id, issue_id, comment_id)
        return await self._write(Comment, "PATCH", path, body)

    async def delete(self, project_id: IdLike, issue_id: IdLike, comment_id: IdLike) -> None:
        """Delete a comment."""
        await self._delete(self._path(project_id, issue_id, comment_id))

    async def upsert(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        *,
        external_source: str,
        external_id: str,
        **fields: Unpack[CommentUpsertFields],
    ) -> Comment:
        """Create the comment, or update the one already imported with these external ids.

        Safe to re-run: the create is retried on network faults (a repeat answers 409 with
        the existing id, which is then updated).
        """
        return await self._upsert(
            Comment,
            self._path(project_id, issue_id),
            fields,
            external_source=external_source,
            external_id=external_id,
            existing=lambda existing_id: self._path(project_id, issue_id, existing_id),
            body=comment_body,
        )
