"""The output folder of an export: JSONL files and the checkpoint that makes a run resumable.

Every page is committed the same way, with no ``await`` in between: its lines are appended
to the resource's file (written to the OS, so they survive the process), and the stream's
new position is noted. The checkpoint follows at most once a second (``every``) and when the
run stops: the files written since the last one are synced to disk, then ``checkpoint.json``
is replaced atomically (written to a temporary file, synced, renamed) with the size of every
file and the cursor to resume each stream from. A run killed at any instant (SIGKILL
included) leaves either the old checkpoint or the new one, never one ahead of its files. On
resume each file is cut back to the size its checkpoint recorded, so lines written after the
last checkpoint are dropped and fetched again: no line is lost and none is written twice.

The folder holds a workspace's data (member emails, every work item): it is created 0700
and its files 0600. Nothing in it is followed out of it: a symbolic link, a named pipe or
anything else that is not a regular file where the export keeps a file is refused, and
temporary files are created exclusively (a planted one is removed, never written through).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from ._private_files import (
    FolderError,
    create_exclusive,
    empty_file,
    open_private,
    read_private,
    write_atomic,
)

__all__ = ["CHECKPOINT", "CHECKPOINT_EVERY", "Folder", "FolderError", "StreamState", "jsonl"]

CHECKPOINT = "checkpoint.json"
#: seconds between two checkpoints while pages are committed (a kill refetches at most these)
CHECKPOINT_EVERY = 1.0
_VERSION = 1


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

    def __init__(
        self,
        path: Path,
        job: Mapping[str, Any],
        files: Iterable[str],
        *,
        every: float = CHECKPOINT_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
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
        self._every = every
        self._clock = clock
        self._saved_at = -float("inf")
        #: files appended to since the last checkpoint (synced to disk before the next one)
        self._unsynced: set[str] = set()
        #: commits not in the checkpoint yet
        self._dirty = False

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        path: Path,
        job: Mapping[str, Any],
        files: Iterable[str],
        *,
        restart: bool = False,
        every: float = CHECKPOINT_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> Folder:
        """Create the folder, or take up the export its checkpoint describes.

        Raises FolderError when the folder holds something else: files without a checkpoint,
        or the checkpoint of another job (unless ``restart``, which removes the export's own
        files and starts over). ``every``: the seconds between two checkpoints of commits.
        """
        folder = cls(path, job, files, every=every, clock=clock)
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
                               if p.name in folder.files and not empty_file(p))  # fmt: skip
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
        self._close_files()
        self._dirty = False
        self.kept = False
        self._remove_own_files()
        with contextlib.suppress(OSError):
            self.path.rmdir()

    def _remove_own_files(self) -> None:
        for name in (*self.files, CHECKPOINT):
            (self.path / name).unlink(missing_ok=True)

    def _load(self, checkpoint: Path, *, check_job: bool) -> None:
        try:
            data = orjson.loads(read_private(checkpoint))
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
        number of rows."""
        data = jsonl(rows)
        return self.commit_lines(key, name, data, data.count(b"\n"), cursor=cursor, done=done)

    def commit_lines(
        self,
        key: str | None,
        name: str,
        data: bytes,
        count: int,
        *,
        cursor: str | None = None,
        done: bool = False,
    ) -> int:
        """Append ``data`` (``count`` JSON lines, each ending with a newline) to ``name``
        and record the stream's new position; the checkpoint follows if the last one is
        ``every`` seconds old. Returns ``count``. Synchronous on purpose: nothing else runs
        between the write and the position it records."""
        if data:
            handle = self._handle(name)
            handle.write(data)
            handle.flush()
            self.sizes[name] += len(data)
            self._unsynced.add(name)
        if key is not None:
            state = self.stream(key)
            state.cursor, state.done = cursor, done
            state.count += count
        self._dirty = True
        if self._clock() - self._saved_at >= self._every:
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
        self._unsynced.discard(name)  # replaced whole by a file synced below
        path = self.path / name
        tmp = path.with_name(path.name + ".tmp")
        count = size = 0
        with create_exclusive(tmp) as out:
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
        """Sync the files written since the last checkpoint, then replace the checkpoint
        atomically (temporary file, fsync, rename): it never runs ahead of its files."""
        for name in sorted(self._unsynced):
            handle = self._handles.get(name)
            if handle is not None:
                os.fsync(handle.fileno())
        self._unsynced.clear()
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
        self._dirty = False
        self._saved_at = self._clock()

    def close(self) -> None:
        """Save the commits the checkpoint lacks (a run that stops keeps all it wrote),
        then close the files."""
        try:
            if self._dirty:
                self.save()
        finally:
            self._close_files()

    def _close_files(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()


def jsonl(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """``rows`` as JSON lines: one ``orjson.dumps`` each, every line ending with a newline."""
    lines = [*map(orjson.dumps, rows)]
    if lines:
        lines.append(b"")  # the last line's newline, without copying the others again
    return b"\n".join(lines)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
