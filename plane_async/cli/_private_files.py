"""The export folder's files: opened without following links, private, replaced atomically."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import Any

__all__ = [
    "FolderError",
    "create_exclusive",
    "empty_file",
    "open_private",
    "read_private",
    "write_atomic",
]


class FolderError(Exception):
    """The folder cannot be used for this job; the message says what to do (exit code 2)."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a reader (or a crash) sees the old or the new file."""
    tmp = path.with_name(path.name + ".tmp")
    with create_exclusive(tmp) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def open_private(path: Path, flags: int) -> Any:
    """A regular file of the folder, opened without following a symbolic link (created 0600,
    and made 0600 if an older version left it readable by others); FolderError otherwise."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o600)
    except OSError:
        _check_regular(path)
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_ours(path, "is not a regular file")
        if flags & (os.O_WRONLY | os.O_RDWR) and info.st_mode & 0o077:
            os.fchmod(fd, 0o600)
        os.set_blocking(fd, True)
        mode = "rb" if flags & os.O_ACCMODE == os.O_RDONLY else "ab"
        return os.fdopen(fd, mode)
    except BaseException:
        os.close(fd)
        raise


def _check_regular(path: Path) -> None:
    try:
        info = os.lstat(path)
    except OSError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise _not_ours(path, "is a symbolic link") from None
    if not stat.S_ISREG(info.st_mode):
        raise _not_ours(path, "is not a regular file") from None


def _not_ours(path: Path, what: str) -> FolderError:
    return FolderError(f"{path} {what}: the export writes only its own regular files. "
                       "Remove it, or choose another --out.")  # fmt: skip


def create_exclusive(tmp: Path) -> Any:
    """A new temporary file, 0600; whatever was at its name (a leftover or a planted link)
    is removed first, never written through."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    return os.fdopen(fd, "wb")


def read_private(path: Path) -> bytes:
    with open_private(path, os.O_RDONLY) as handle:
        data: bytes = handle.read()
    return data


def empty_file(path: Path) -> bool:
    info = path.lstat()
    return stat.S_ISREG(info.st_mode) and info.st_size == 0
