"""The file storage Plane hands uploads and downloads to (S3, MinIO)."""

from __future__ import annotations

from typing import Any

from .base import PlaneError

__all__ = ["DownloadTooLargeError", "StorageError", "UploadTooLargeError"]


class StorageError(PlaneError):
    """The file storage Plane hands uploads and downloads to (S3, MinIO) failed.

    ``status`` is the storage's HTTP status (0 for a network fault), ``code`` its error code
    (e.g. ``"AccessDenied"``, ``"EntityTooLarge"``), ``url`` the storage URL without its
    signature, ``body`` its response text.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        url: str | None = None,
        code: str | None = None,
        body: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.url = url
        self.code = code
        self.body = body
        self.attempts = attempts


class DownloadTooLargeError(StorageError):
    """The file is larger than the download's ``max_bytes``: refused when the storage
    announces its size, else once that many bytes arrived (a path destination is then
    removed). ``limit`` is ``max_bytes``; ``size`` the announced size, when known."""

    def __init__(self, message: str, *, limit: int, size: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.limit = limit
        self.size = size


class UploadTooLargeError(StorageError):
    """The file is larger than the server accepts (Plane's ``FILE_SIZE_LIMIT``, 5 MiB by
    default). ``size`` is the file's size and ``limit`` the server's, in bytes, when known."""

    def __init__(self, message: str, *, size: int, limit: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.size = size
        self.limit = limit
