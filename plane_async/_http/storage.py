"""Uploads to and downloads from the file storage Plane presigns (S3, MinIO).

Plane never receives the file itself: it hands out a presigned POST form (upload) or a
presigned URL (download), and the bytes go straight to the storage. Those requests carry
no API key (the signature in the form or URL is the credential) and do not count against
Plane's rate limit. Files are streamed in chunks, never read whole into memory.
"""

from __future__ import annotations

import asyncio
import io
import mimetypes
import os
import re
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, TypeVar
from urllib.parse import urlsplit, urlunsplit

import attrs

from .._errors import DownloadTooLargeError, PlaneValueError, StorageError, UploadTooLargeError

if TYPE_CHECKING:
    import aiohttp

    from .transport import Transport

__all__ = [
    "MAX_DOWNLOAD_BYTES",
    "Destination",
    "FileSource",
    "Storage",
    "UploadFile",
    "prepare_upload",
    "redact",
    "resolve",
]

#: what ``upload`` accepts: a path, the bytes, or a binary file opened for reading
FileSource = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO
#: where ``download`` writes: a path (written atomically) or a binary file opened for writing
Destination = str | os.PathLike[str] | BinaryIO

T = TypeVar("T")
#: a download's default size cap: far above Plane's upload limit (FILE_SIZE_LIMIT, 5 MiB by
#: default), low enough that a storage streaming without end cannot fill the disk
MAX_DOWNLOAD_BYTES = 1 << 30
#: the bytes of a file's name kept in its temporary name (a name may be 255 bytes long)
_TMP_NAME_BYTES = 100
_CHUNK = 1 << 16
_QUERY = re.compile(r"\?[^\s'\"]*")
_CODE = re.compile(rb"<Code>([^<]{1,100})</Code>")


@attrs.frozen
class UploadFile:
    """A checked upload source: its name, size and type, and how to (re)open its bytes."""

    name: str
    size: int
    content_type: str
    _path: Path | None = None
    _data: bytes | None = None
    _stream: BinaryIO | None = None
    _start: int = 0

    @contextmanager
    def open(self) -> Iterator[bytes | BinaryIO]:
        """The bytes to send, from the start (each retry reopens or rewinds)."""
        if self._data is not None:
            yield self._data
        elif self._path is not None:
            with self._path.open("rb") as f:
                yield f
        else:
            assert self._stream is not None
            self._stream.seek(self._start)
            yield self._stream


def prepare_upload(file: object, *, name: str | None, content_type: str | None) -> UploadFile:
    """Check an upload source before any request: its name, a size of at least one byte,
    and a MIME type (guessed from the name when not given)."""
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise PlaneValueError(f"name must be a non-empty file name, got {name!r}")
    if content_type is not None and (not isinstance(content_type, str) or "/" not in content_type):
        raise PlaneValueError(
            f"content_type must be a MIME type like 'application/pdf', got {content_type!r}"
        )
    path: Path | None = None
    data: bytes | None = None
    stream: BinaryIO | None = None
    start = 0
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
        size = len(data)
        if name is None:
            raise PlaneValueError("uploading bytes needs name= (the file name Plane shows)")
    elif isinstance(file, str | os.PathLike):
        path = Path(file)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise PlaneValueError(f"cannot read the file {str(path)!r}: {exc.strerror}") from exc
        if not path.is_file():
            raise PlaneValueError(f"{str(path)!r} is not a regular file")
        name = name or path.name
    elif isinstance(file, io.TextIOBase):
        raise PlaneValueError("the file is open in text mode; open it with 'rb'")
    elif callable(getattr(file, "read", None)):
        stream = file  # type: ignore[assignment]
        assert stream is not None
        if not (callable(getattr(stream, "seekable", None)) and stream.seekable()):
            raise PlaneValueError(
                "the file object is not seekable (its size must be known before the upload, "
                "and a retry must start over): pass a path, bytes, or a regular binary file"
            )
        start = stream.tell()
        size = stream.seek(0, os.SEEK_END) - start
        stream.seek(start)
        if name is None:
            raw_name = getattr(stream, "name", None)
            if isinstance(raw_name, str) and raw_name:
                name = os.path.basename(raw_name)
        if name is None:
            raise PlaneValueError("this file object has no name: pass name=")
    else:
        raise PlaneValueError(
            "file must be a path, bytes, or a binary file opened for reading, "
            f"got {type(file).__name__}"
        )
    if size <= 0:
        raise PlaneValueError(f"{name!r} is empty; Plane refuses empty files")
    if content_type is None:
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return UploadFile(name, size, content_type, path, data, stream, start)


def redact(url: str) -> str:
    """A storage URL without its query (the signature) for messages."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class Storage:
    """Presigned uploads and downloads over the client's session, with its retries."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _timeout(self, total: float | None = None) -> aiohttp.ClientTimeout:
        import aiohttp

        s = self._transport.settings
        # An upload takes as long as it takes (no total); a stalled read still fails.
        return aiohttp.ClientTimeout(total=total, connect=s.connect_timeout, sock_read=s.timeout)

    async def upload(self, url: str, fields: Mapping[str, str], upload: UploadFile) -> None:
        """POST the file to the presigned form; retried on network faults and 5xx."""
        await self._retrying("upload to", url, lambda: self._post(url, fields, upload))

    async def _post(self, url: str, fields: Mapping[str, str], upload: UploadFile) -> None:
        import aiohttp

        session = self._transport.http.session()
        with upload.open() as payload:
            form = aiohttp.FormData(quote_fields=False)
            for key, value in fields.items():
                form.add_field(key, str(value))
            # S3 reads every field before "file" and ignores whatever follows it
            form.add_field("file", payload, filename=upload.name, content_type=upload.content_type)
            async with session.post(
                url, data=form, timeout=self._timeout(), proxy=self._transport.settings.proxy,
                allow_redirects=False,
            ) as resp:  # fmt: skip
                body = await resp.content.read(64 * 1024)
                if resp.status >= 300:
                    raise _storage_error(resp.status, url, body, size=upload.size)

    def check_download(
        self, timeout: float | None, max_bytes: int | None
    ) -> tuple[float | None, int | None]:
        """A download's bounds, checked before any request: ``timeout`` (None: the
        client's) and ``max_bytes`` (None: no cap)."""
        from .._protocol.checks import check_positive_number

        if timeout is None:
            timeout = self._transport.settings.timeout
        else:
            timeout = check_positive_number(timeout, "timeout")
        if max_bytes is not None and (
            isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1
        ):
            raise PlaneValueError(f"max_bytes must be a positive int or None, got {max_bytes!r}")
        return timeout, max_bytes

    async def download(
        self,
        url: str,
        dest: object,
        *,
        timeout: float | None = None,
        max_bytes: int | None = MAX_DOWNLOAD_BYTES,
    ) -> int:
        """Stream ``url`` into ``dest``; returns the number of bytes written. Each attempt
        ends after ``timeout`` seconds (None: the client's ``timeout``) and after
        ``max_bytes`` bytes (None: no cap)."""
        total, cap = self.check_download(timeout, max_bytes)
        if isinstance(dest, str | os.PathLike):
            target = _check_target(Path(dest))
            return await self._retrying(
                "download from", url, lambda: _to_path(self, url, target, total, cap), total
            )
        if not callable(getattr(dest, "write", None)) or isinstance(dest, io.TextIOBase):
            raise PlaneValueError(
                "dest must be a path or a binary file opened for writing, "
                f"got {type(dest).__name__}"
            )
        stream: IO[bytes] = dest  # type: ignore[assignment]
        # a stream cannot be rewound for a retry: one attempt
        return await self._retrying(
            "download from", url, lambda: self._get(url, stream, total, cap), total, retry=False
        )

    async def _get(
        self, url: str, out: IO[bytes], total: float | None = None, cap: int | None = None
    ) -> int:
        session = self._transport.http.session()
        written = 0
        async with session.get(
            url, timeout=self._timeout(total), proxy=self._transport.settings.proxy
        ) as resp:
            if resp.status >= 300:
                raise _storage_error(resp.status, url, await resp.content.read(64 * 1024))
            size = resp.content_length
            if cap is not None and size is not None and size > cap:
                raise DownloadTooLargeError(
                    f"the file at {redact(url)} is {size} bytes, more than max_bytes={cap}",
                    limit=cap, size=size, status=resp.status, url=redact(url),
                )  # fmt: skip
            async for chunk in resp.content.iter_chunked(_CHUNK):
                written += len(chunk)
                if cap is not None and written > cap:
                    raise DownloadTooLargeError(
                        f"the file at {redact(url)} is more than {cap} bytes (max_bytes)",
                        limit=cap, status=resp.status, url=redact(url),
                    )  # fmt: skip
                await asyncio.to_thread(out.write, chunk)
        return written

    async def _retrying(
        self,
        what: str,
        url: str,
        call: Callable[[], Awaitable[T]],
        total: float | None = None,
        *,
        retry: bool = True,
    ) -> T:
        import aiohttp

        t = self._transport
        policy = t.retry
        attempt = 0
        while True:
            attempt += 1
            try:
                return await call()
            except StorageError as exc:
                exc.attempts = attempt
                delay = policy.after_storage_status(attempt, exc.status) if retry else None
                if delay is None:
                    raise
            except (aiohttp.ClientError, TimeoutError) as exc:
                delay = policy.after_fault(attempt, repeatable=retry)
                if delay is None:
                    if isinstance(exc, TimeoutError) and total is not None:
                        detail = f"timed out after {total:g} s (timeout=)"
                    else:
                        # an aiohttp message may quote the URL, whose query is the signature
                        detail = f"{type(exc).__name__}: {_QUERY.sub('?...', str(exc))[:200]}"
                    raise StorageError(
                        f"{what} {redact(url)} failed: {detail}",
                        url=redact(url),
                        attempts=attempt,
                    ) from None
            await t._pause(delay)


async def _to_path(
    storage: Storage, url: str, target: Path, total: float | None, cap: int | None
) -> int:
    """Write to a temporary file beside ``target`` and move it into place when complete."""
    # the name's start only: a name of 255 bytes is legal, and the temporary one is longer
    short = target.name.encode()[:_TMP_NAME_BYTES].decode(errors="ignore")
    fd, tmp = tempfile.mkstemp(prefix=f".{short}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            written = await storage._get(url, out, total, cap)
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    return written


def _check_target(target: Path) -> Path:
    if target.is_dir():
        raise PlaneValueError(f"{str(target)!r} is a directory; give a file path")
    if not target.parent.is_dir():
        raise PlaneValueError(f"the folder of {str(target)!r} does not exist")
    return target


def _storage_error(status: int, url: str, body: bytes, *, size: int | None = None) -> StorageError:
    match = _CODE.search(body)
    code = match.group(1).decode("utf-8", "replace") if match else None
    text = body.decode("utf-8", "replace")
    where = redact(url)
    if code == "EntityTooLarge" and size is not None:
        limit = _xml_int(body, "MaxSizeAllowed")
        return UploadTooLargeError(
            f"the storage refused the file ({size} bytes): larger than the server's upload "
            f"limit{f' of {limit} bytes' if limit else ''} (Plane's FILE_SIZE_LIMIT)",
            size=size, limit=limit, status=status, url=where, code=code, body=text,
        )  # fmt: skip
    return StorageError(
        f"the storage answered {status}{f' {code}' if code else ''} for {where}",
        status=status, url=where, code=code, body=text,
    )  # fmt: skip


def _xml_int(body: bytes, tag: str) -> int | None:
    match = re.search(rb"<" + tag.encode() + rb">(\d{1,15})</", body)
    return int(match.group(1)) if match else None


def resolve(base_url: str, location: str) -> str:
    """An absolute storage URL from a redirect's Location (which may be relative)."""
    if urlsplit(location).scheme in ("http", "https"):
        return location
    parts = urlsplit(base_url)
    if not location.startswith("/"):
        raise StorageError(f"the server redirected to an unusable location {redact(location)!r}")
    return urlunsplit((parts.scheme, parts.netloc, "", "", "")) + location
