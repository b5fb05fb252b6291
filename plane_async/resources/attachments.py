"""``plane.attachments``: files attached to a work item (upload, list, download, delete)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Unpack

from .._http.storage import MAX_DOWNLOAD_BYTES, Destination, FileSource
from .._models import Attachment, structure
from .._paging.engine import Page
from .._protocol.checks import check_id
from .._types import IdLike
from ._base import Resource
from ._options import AllAtOnceOptions, checked
from ._seam import WorkItemPath
from ._uploads import download_redirect, external_keys, upload_flow

__all__ = ["AttachmentsResource"]


class AttachmentsResource(Resource):
    """A work item's attachments. Uploads and downloads go straight to the server's file
    storage (S3, MinIO) through presigned links: streamed, without the API key."""

    def _path(self, project_id: IdLike, issue_id: IdLike, *rest: IdLike) -> WorkItemPath:
        pid = check_id(project_id, "project_id")
        iid = check_id(issue_id, "issue_id")
        extra = tuple(check_id(r, "attachment_id") for r in rest)
        # older servers name the segment "issue-attachments" under "issues/"
        return lambda segment: self._project_path(
            pid, segment, iid, "attachments" if segment == "work-items" else "issue-attachments",
            *extra,
        )  # fmt: skip

    def list(
        self, project_id: IdLike, issue_id: IdLike, **paging: Unpack[AllAtOnceOptions]
    ) -> AsyncGenerator[Attachment]:
        """The work item's uploaded attachments (one plain list, every field)."""
        path = self._path(project_id, issue_id)
        return self._items(Attachment, path, checked(paging, AllAtOnceOptions), paginated=False)

    def pages(
        self, project_id: IdLike, issue_id: IdLike, **paging: Unpack[AllAtOnceOptions]
    ) -> AsyncGenerator[Page[Attachment]]:
        """The work item's attachments as a single page."""
        path = self._path(project_id, issue_id)
        return self._pages(Attachment, path, checked(paging, AllAtOnceOptions), paginated=False)

    async def upload(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        file: FileSource,
        *,
        name: str | None = None,
        content_type: str | None = None,
        external_source: str | None = None,
        external_id: str | None = None,
    ) -> Attachment:
        """Attach a file: a path, bytes (with ``name=``) or a binary file object.

        ``name`` defaults to the file's name and ``content_type`` is guessed from it.
        The file is streamed to the storage (never read whole), then marked uploaded.
        A file over the server's limit raises UploadTooLargeError before its bytes are
        sent; a storage failure raises StorageError; a repeat of the same external ids
        raises ConflictError with ``existing_id``.
        """
        path = self._path(project_id, issue_id)
        ticket = await upload_flow(
            self,
            file,
            name=name,
            content_type=content_type,
            create=path,
            extra=external_keys(external_source, external_id),
            mark_uploaded=lambda asset_id: self._path(project_id, issue_id, asset_id),
            discard=lambda asset_id: self._path(project_id, issue_id, asset_id),
        )
        # the PATCH answers 204: the row is the one step one made, now uploaded
        return structure(Attachment, {**ticket.attachment.raw, "is_uploaded": True})

    async def download_url(
        self, project_id: IdLike, issue_id: IdLike, attachment_id: IdLike
    ) -> str:
        """A short-lived presigned link to the file (anyone holding it can read the file)."""
        return await download_redirect(self, self._path(project_id, issue_id, attachment_id))

    async def download(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        attachment_id: IdLike,
        dest: Destination,
        *,
        timeout: float | None = None,
        max_bytes: int | None = MAX_DOWNLOAD_BYTES,
    ) -> int:
        """Stream the file into ``dest`` (a path, written atomically, or a binary file);
        returns the number of bytes. ``timeout`` bounds each attempt (default: the
        client's); a file over ``max_bytes`` (1 GiB; None: no cap) raises
        DownloadTooLargeError. An attachment whose upload never finished answers
        BadRequestError."""
        storage = self._session.storage()
        storage.check_download(timeout, max_bytes)
        url = await self.download_url(project_id, issue_id, attachment_id)
        return await storage.download(url, dest, timeout=timeout, max_bytes=max_bytes)

    async def delete(self, project_id: IdLike, issue_id: IdLike, attachment_id: IdLike) -> None:
        """Delete an attachment."""
        await self._delete(self._path(project_id, issue_id, attachment_id))
