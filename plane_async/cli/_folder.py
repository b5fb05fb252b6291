"""The output folder of an export: JSONL files and the checkpoint that makes a run resumable.

Every page is committed the same way, with no ``await`` in between: its lines are appended
to the resource's file and flushed to disk, then ``checkpoint.json`` is replaced atomically
(written to a temporary file, synced, renamed) with the new size of every file and the
cursor to resume each stream from. A run killed at any instant (SIGKILL included) leaves
either the old checkpoint or the new one. On resume each file is cut back to the size its
checkpoint recorded, so lines written after the last checkpoint are dropped and fetched
again: no line is lost and none is written twice.

The folder holds a workspace's data (member emails, every work item): it is created 0700
and its files 0600. Nothing in it is followed out of it: a symbolic link, a named pipe or
anything else that is not a regular file where the export keeps a file is refused, and
temporary files are created exclusively (a planted one is removed, never written through).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

__all__ = ["CHECKPOINT", "Folder", "FolderError", "StreamState"]

CHECKPOINT = "checkpoint.json"
_VERSION = 1


class FolderError(Exception):
    """The folder cannot be used for this job; the message says what to do (exit code 2)."""


class StreamState:
    """Where one stream (one resource of one scope) stands: its resume cursor, or done."""

    __slots__ = ("count", "cursor", "done")

    def __init__(self, cursor: str | None = None, done: bool = False, count: int = 0) -> None:
        self.cursor = cursor
        self.done = done
        self.count = count

    def to_json(self) -> dict[str, Any]:
        return {"cursor": self.cursor, "done": self.done, "count": self.count}


class Folder:
    """A folder of ``<resource>.jsonl`` files and their ``checkpoint.json``."""

    def __init__(self, path: Path, job: Mapping[str, Any], files: Iterable[str]) -> None:
        self.path = path
        self.job = dict(job)
        self.files = tuple(files)
        self.streams: dict[str, StreamState] = {}
        self.sizes: dict[str, int] = dict.fromkeys(self.files, 0)
        self.extra: dict[str, Any] = {}
        self.complete = False
        self.resumed = False
        self.started_at = _now()
        #: whether the folder holds this export's checkpoint (False once discarded)
        self.kept = True
        self._handles: dict[str, Any] = {}

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls, path: Path, job: Mapping[str, Any], files: Iterable[str], *, restart: bool = False
    ) -> Folder:
        """Create the folder, or take up the export its checkpoint describes.

        Raises FolderError when the folder holds something else: files without a checkpoint,
        or the checkpoint of another job (unless ``restart``, which removes the export's own
        files and starts over).
        """
        folder = cls(path, job, files)
        checkpoint = path / CHECKPOINT
        try:
            if restart:
                folder._remove_own_files()
            if path.exists() and not path.is_dir():
                raise FolderError(f"{path} is a file; --out needs a folder")
            if not path.is_dir():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.mkdir(mode=0o700)
            if os.path.lexists(checkpoint):
                folder._load(checkpoint, check_job=True)
            else:
                # files a run killed before its first checkpoint left: empty, nothing to lose
                stray = sorted(p.name for p in path.iterdir()
                               if p.name in folder.files and not _empty_file(p))  # fmt: skip
                if stray:
                    raise FolderError(
                        f"{path} already holds {', '.join(stray)} but no {CHECKPOINT}: it is "
                        "not a resumable export. Choose another --out, or pass --restart to "
                        "replace them."
                    )
            # the checkpoint first: a run killed from here on leaves a folder it resumes
            folder.save()
            if not folder.complete:
                folder._truncate()
        except OSError as exc:
            raise FolderError(
                f"cannot use {path} as the export folder: {exc.strerror or exc} "
                f"({exc.filename or path}); nothing was written"
            ) from None
        return folder

    @classmethod
    def load(cls, path: Path, files_of: Callable[[Mapping[str, Any]], Iterable[str]]) -> Folder:
        """A finished export, to be brought up to date; FolderError if it is not one."""
        checkpoint = path / CHECKPOINT
        if not os.path.lexists(checkpoint):
            raise FolderError(f"{path} holds no export ({CHECKPOINT} is missing): run "
                              "`plane-async export --out` first")  # fmt: skip
        folder = cls(path, {}, ())
        folder._load(checkpoint, check_job=False)
        folder.files = tuple(files_of(folder.job))
        if not folder.complete:
            raise FolderError(f"the export in {path} is not finished: run the export command "
                              "again to finish it, then sync")  # fmt: skip
        return folder

    def discard_if_new(self) -> None:
        """Remove what ``open`` created when this run started the export and nothing is
        written yet (the folder too, if it is left empty)."""
        if self.resumed or any(self.sizes.values()):
            return
        self.close()
        self.kept = False
        self._remove_own_files()
        with contextlib.suppress(OSError):
            self.path.rmdir()

    def _remove_own_files(self) -> None:
        for name in (*self.files, CHECKPOINT):
            (self.path / name).unlink(missing_ok=True)

    def _load(self, checkpoint: Path, *, check_job: bool) -> None:
        try:
            data = orjson.loads(_read(checkpoint))
            if data.get("version") != _VERSION:
                raise ValueError(f"unknown checkpoint version {data.get('version')!r}")
            job = data["job"]
            streams = {
                key: StreamState(s.get("cursor"), bool(s.get("done")), int(s.get("count", 0)))
                for key, s in data["streams"].items()
            }
            sizes = {name: int(size) for name, size in data["files"].items()}
        except FolderError:
            raise
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise FolderError(
                f"{checkpoint} cannot be read ({exc}); pass --restart to start over"
            ) from None
        if not check_job:
            self.job = job
        elif job != self.job:
            differs = sorted(k for k in {*job, *self.job} if job.get(k) != self.job.get(k))
            was = ", ".join(f"{k}={job.get(k)!r}" for k in differs)
            raise FolderError(
                f"{self.path} holds an export made with other options ({was}). Run the same "
                "command as before to resume it, choose another --out, or pass --restart."
            )
        self.streams = streams
        self.sizes.update(sizes)
        self.extra = dict(data.get("extra") or {})
        self.complete = bool(data.get("complete"))
        self.started_at = str(data.get("started_at") or self.started_at)
        self.resumed = True

    def _truncate(self) -> None:
        """Cut every file back to its committed size (drops lines of an unfinished page)."""
        for name in self.files:
            file = self.path / name
            size = self.sizes.get(name, 0)
            with open_private(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT) as handle:
                if handle.tell() < size:
                    raise FolderError(
                        f"{file} is shorter than its checkpoint says ({handle.tell()} < {size} "
                        "bytes): it was changed by something else. Pass --restart to start over."
                    )
                handle.truncate(size)

    # ------------------------------------------------------------------ streams and pages

    def stream(self, key: str) -> StreamState:
        state = self.streams.get(key)
        if state is None:
            state = self.streams[key] = StreamState()
        return state

    def commit(
        self,
        key: str | None,
        name: str,
        rows: Iterable[Mapping[str, Any]],
        *,
        cursor: str | None = None,
        done: bool = False,
    ) -> int:
        """Append ``rows`` to ``name`` and record the stream's new position; returns the
        number of rows. Synchronous on purpose: nothing else runs between the write and
        the checkpoint."""
        data = b"".join(orjson.dumps(row) + b"\n" for row in rows)
        count = data.count(b"\n")
        if data:
            handle = self._handle(name)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            self.sizes[name] += len(data)
        if key is not None:
            state = self.stream(key)
            state.cursor, state.done = cursor, done
            state.count += count
        self.save()
        return count

    def _handle(self, name: str) -> Any:
        handle = self._handles.get(name)
        if handle is None:
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
            handle = self._handles[name] = open_private(self.path / name, flags)
        return handle

    def rows(self, name: str) -> Iterator[dict[str, Any]]:
        """The committed rows of a file, in order."""
        # a finished export's files may have been replaced by a sync stopped before its
        # checkpoint: read them whole (each replacement was atomic)
        size = -1 if self.complete else self.sizes.get(name, 0)
        with open_private(self.path / name, os.O_RDONLY) as handle:
            data = handle.read(size)
        for line in data.splitlines():
            yield orjson.loads(line)

    def rewrite(self, name: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Replace a whole file atomically with ``rows`` (for sync); returns their number.
        The checkpoint is not saved: call ``finish()`` once every file is replaced."""
        handle = self._handles.pop(name, None)
        if handle is not None:
            handle.close()
        path = self.path / name
        tmp = path.with_name(path.name + ".tmp")
        count = size = 0
        with _create_exclusive(tmp) as out:
            for row in rows:
                line = orjson.dumps(row) + b"\n"
                out.write(line)
                count, size = count + 1, size + len(line)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        self.sizes[name] = size
        return count

    def finish(self, **extra: Any) -> None:
        self.extra.update(extra)
        self.complete = True
        self.save()

    def save(self) -> None:
        """Replace the checkpoint atomically (temporary file, fsync, rename)."""
        body = {
            "version": _VERSION,
            "job": self.job,
            "started_at": self.started_at,
            "complete": self.complete,
            "files": self.sizes,
            "streams": {key: s.to_json() for key, s in self.streams.items()},
            "extra": self.extra,
        }
        write_atomic(self.path / CHECKPOINT, orjson.dumps(body, option=orjson.OPT_INDENT_2))

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a reader (or a crash) sees the old or the new file."""
    tmp = path.with_name(path.name + ".tmp")
    with _create_exclusive(tmp) as handle:
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


def _create_exclusive(tmp: Path) -> Any:
    """A new temporary file, 0600; whatever was at its name (a leftover or a planted link)
    is removed first, never written through."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    return os.fdopen(fd, "wb")


def _read(path: Path) -> bytes:
    with open_private(path, os.O_RDONLY) as handle:
        data: bytes = handle.read()
    return data


def _empty_file(path: Path) -> bool:
    info = path.lstat()
    return stat.S_ISREG(info.st_mode) and info.st_size == 0


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
