"""``plane.assets``: workspace files (images for descriptions, imports) and their links."""

from __future__ import annotations

import uuid

from .._http.storage import MAX_DOWNLOAD_BYTES, Destination, FileSource
from .._models import AssetDownload, AssetUpload
from .._protocol.checks import check_id
from .._types import IdLike
from ._base import Resource
from ._uploads import external_keys, upload_flow

__all__ = ["AssetsResource"]


class AssetsResource(Resource):
    """Workspace assets: upload a file once, then reference its ``asset_id`` (e.g. in a
    description). Bytes go straight to the storage through presigned links."""

    def _path(self, *rest: str | uuid.UUID) -> str:
        return self._ws_path("assets", *rest)

    async def upload(
        self,
        file: FileSource,
        *,
        name: str | None = None,
        content_type: str | None = None,
        project_id: IdLike | None = None,
        external_source: str | None = None,
        external_id: str | None = None,
    ) -> AssetUpload:
        """Upload a file (a path, bytes with ``name=``, or a binary file object); returns
        its ``asset_id`` and ``asset_url``. Streamed; checked before the first request.

        With external ids, a second upload of the same pair raises ConflictError whose
        ``existing_id`` is the asset already imported (nothing is sent to the storage).
        """
        extra: dict[str, str] = external_keys(external_source, external_id)
        if project_id is not None:
            extra["project_id"] = str(check_id(project_id, "project_id"))
        ticket = await upload_flow(
            self,
            file,
            name=name,
            content_type=content_type,
            create=self._path(),
            extra=extra,
            mark_uploaded=lambda asset_id: self._path(asset_id),
        )
        return ticket

    async def get(self, asset_id: IdLike) -> AssetDownload:
        """A presigned download link for the asset, with its name and type (an asset whose
        upload never finished answers BadRequestError)."""
        aid = check_id(asset_id, "asset_id")
        return await self._get(AssetDownload, self._path(aid), {})

    async def download(
        self,
        asset_id: IdLike,
        dest: Destination,
        *,
        timeout: float | None = None,
        max_bytes: int | None = MAX_DOWNLOAD_BYTES,
    ) -> int:
        """Stream the asset into ``dest`` (a path, written atomically, or a binary file);
        returns the number of bytes. ``timeout`` bounds each attempt (default: the
        client's); a file over ``max_bytes`` (1 GiB; None: no cap) raises
        DownloadTooLargeError."""
        storage = self._session.storage()
        storage.check_download(timeout, max_bytes)
        link = await self.get(asset_id)
        return await storage.download(link.asset_url, dest, timeout=timeout, max_bytes=max_bytes)
