"""``plane-async sync``: bring a finished export folder up to date.

Work items changed since the last export or sync are read newest change first, stopping
at the first older one (a sync of a few changes in a large project costs one or two
requests); deleted work items are found by reading the project's ids only, 1000 per
request (fewer if the server refuses that many, as Plane Cloud does past 100;
``--no-deletes`` skips that). Projects, states, labels, members, modules, cycles and their
work items are small and read again whole; comments, links and activities are read again
for the changed work items only.
Each file is replaced atomically and the checkpoint last, so a sync stopped at any point
is simply run again (applying a change twice is harmless).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from .. import AsyncPlane, BadRequestError, NotFoundError, Page, PaginationError, Query
from ._common import (
    EXIT_OK,
    UsageError,
    add_connection_flags,
    add_progress_flag,
    connect,
    gather,
    subcommand,
)
from ._common import run as run_command
from ._export_options import FILES
from ._folder import Folder
from ._plan import WindowBound, summary_lines
from ._words import count

__all__ = ["CLOCK_MARGIN", "add_parser", "main"]

#: where the client goes without --base-url or PLANE_BASE_URL
CLOUD = "https://api.plane.so"

#: changes this much older than the last sync are read again, in case this machine's
#: clock is ahead of the server's (re-reading a change is harmless)
CLOCK_MARGIN = dt.timedelta(minutes=5)
_SMALL = ("states", "labels", "members", "modules", "cycles")
T = TypeVar("T")


def add_parser(sub: Any) -> None:
    parser = subcommand(
        sub,
        "sync",
        "bring an export folder up to date (changed, new and deleted work items)",
        __doc__,
        main,
    )
    parser.add_argument("--out", required=True, metavar="FOLDER", help="the export to update")
    parser.add_argument(
        "--no-deletes",
        action="store_true",
        help="do not look for deleted work items (saves the ids requests)",
    )
    add_progress_flag(parser)
    add_connection_flags(parser)


def _files(job: Mapping[str, Any]) -> list[str]:
    return [*FILES, *(f"{n}.jsonl" for n in job.get("include") or ())]


def main(args: argparse.Namespace) -> int:
    folder = Folder.load(Path(args.out), _files)
    job = folder.job
    # The key goes only to a server the user named (or Plane Cloud, the default): a folder
    # someone hands over must not be able to send it elsewhere.
    if not (args.base_url or os.environ.get("PLANE_BASE_URL")) and _root(
        str(job["server"])
    ) != _root(CLOUD):
        raise UsageError(
            f"{args.out} was exported from {_root(str(job['server']))}: pass --base-url "
            f"{_root(str(job['server']))} (or set PLANE_BASE_URL) if that is the server to "
            "send your API key to. Without either, sync talks to Plane Cloud only."
        )
    if not (args.workspace or os.environ.get("PLANE_WORKSPACE")):
        args.workspace = job["workspace"]
    args.per_page = job["per_page"]
    # ids and memberships are read in pages as large as the server allows: 1000 on
    # Community Edition; a server that refuses them (Plane Cloud: 100) is asked again
    if args.max_per_page is None:
        args.max_per_page = folder.extra.get("max_per_page") or 1000

    async def run() -> int:
        window = WindowBound()
        async with connect(args, on_response=window) as plane:
            window.watch(plane)
            if (plane.base_url, plane.workspace) != (job["server"], job["workspace"]):
                raise UsageError(
                    f"{args.out} was exported from {job['server']} (workspace "
                    f"{job['workspace']}), not {plane.base_url} (workspace {plane.workspace})"
                )
            return await Syncer(plane, folder, args, window).run()

    try:
        return run_command(run, resume="nothing is lost: run the same command again")
    finally:
        folder.close()


class _Clamped(PaginationError):
    """A page shorter than asked for, with more after it: the server cut the page size."""


async def _collect(pages: AsyncIterator[Page[T]], size: int) -> list[T]:
    """Every item of ``pages``; _Clamped if the server gave fewer than ``size`` on a page
    that is not the last (following its cursors would skip the rest of each page)."""
    items: list[T] = []
    async for page in pages:
        asked = size if page.cursor is None else page.cursor.per_page
        if page.next_page_results and page.count < asked:
            raise _Clamped(
                f"the server sent {page.count} items on a page of {asked} that is not "
                "the last: it cut the page size"
            )
        items += page.results
    return items


def _covered(since: dt.datetime, now: dt.datetime, include: list[str], changed: int) -> str:
    """What the sync read: the window of changes, and the per-item lists it read again."""
    line = (
        f"  covered: changes from {since.isoformat(timespec='seconds')} to "
        f"{now.isoformat(timespec='seconds')}"
    )
    if include:
        line += f"; {', '.join(include)} read again for the {changed} changed work items"
    # Plane's worker moves updated_at a moment after a comment or link: one that lands
    # after this sync's reads falls inside the next sync's window (it starts before `now`).
    return line


def _root(api_url: str) -> str:
    return api_url.removesuffix("/").removesuffix("/api/v1")


class Syncer:
    def __init__(
        self,
        plane: AsyncPlane,
        folder: Folder,
        args: argparse.Namespace,
        window: WindowBound | None = None,
    ) -> None:
        self.plane = plane
        self.window = window
        self.folder = folder
        self.args = args
        job = folder.job
        self.include: list[str] = list(job.get("include") or [])
        self.per_page: int = job["per_page"]
        self.large: int = plane.max_per_page
        q = Query()
        if job.get("fields"):
            q = q.fields(*job["fields"], "updated_at")
        if job.get("expand"):
            q = q.expand(*job["expand"])
        self.query = q if q else None

    async def run(self) -> int:
        plane, folder = self.plane, self.folder
        started, now = time.monotonic(), dt.datetime.now(dt.UTC)
        last = dt.datetime.fromisoformat(folder.extra.get("synced_at") or folder.started_at)
        since = last - CLOCK_MARGIN
        projects = await self._projects()
        known = {r["id"] for r in folder.rows("projects.jsonl")}
        pids = [p["id"] for p in projects]
        print(
            f"Sync of {self.args.out}/ (changes since {last.isoformat(timespec='seconds')}, "
            f"{count(len(pids), 'project')})"
        )
        small = await gather(*(self._small(pid) for pid in pids))
        found = await gather(
            *(self._work_items(pid, since if pid in known else None) for pid in pids)
        )
        changed: dict[str, dict[str, Any]] = {}
        live: set[str] | None = set()
        for rows, ids in found:
            changed.update((r["id"], r) for r in rows)
            live = None if live is None or ids is None else live | ids
        if live is not None:
            # live work items the folder lacks although they did not change: an export that
            # ran while items were deleted can have skipped some (Plane pages by offset)
            have = {r["id"] for r in folder.rows("work-items.jsonl")}
            missed = [(pid, i) for pid, (_, ids) in zip(pids, found, strict=True)
                      for i in sorted((ids or set()) - have - changed.keys())]  # fmt: skip
            got = await gather(*(self._get(pid, i) for pid, i in missed))
            changed.update((r["id"], r) for r in got if r is not None)
        memberships = {
            kind: await self._memberships(kind, [r for rs in small for r in rs[f"{kind}s"]])
            for kind in ("module", "cycle")
        }
        per_item = {name: await self._per_item(name, changed) for name in self.include}
        # every read is done: replace the files, the checkpoint last
        wanted = set(pids)
        written: dict[str, int] = {"projects": folder.rewrite("projects.jsonl", projects)}
        for name in _SMALL:
            written[name] = folder.rewrite(f"{name}.jsonl", (r for rs in small for r in rs[name]))
        counts = self._rewrite_work_items(wanted, changed, live)
        written["work-items"] = counts.pop("total")
        for kind, rows in memberships.items():
            written[f"{kind}-work-items"] = folder.rewrite(f"{kind}-work-items.jsonl", rows)
        # by the work items the folder now holds, not by those this run saw deleted: a sync
        # stopped before this point rewrote work-items.jsonl already, and its deletions
        # must still take their comments, links and activities with them
        kept = counts.pop("ids") - set(changed)
        for name, fresh in per_item.items():
            keep = (
                r
                for r in folder.rows(f"{name}.jsonl")
                if r.get("issue") in kept and r.get("project") in wanted
            )
            written[name] = folder.rewrite(f"{name}.jsonl", [*keep, *fresh])
        folder.finish(synced_at=now.isoformat(timespec="seconds"), max_per_page=self.large)
        print(
            f"  work items: {counts['new']} new, {counts['updated']} updated, "
            f"{counts['deleted']} deleted"
            + ("" if live is not None else " (deletions not checked)")
        )
        print(_covered(since, now, self.include, len(changed)))
        for line in summary_lines(written, plane.stats, time.monotonic() - started, plane.quota(),
                                  self.window):  # fmt: skip
            print(line)
        return EXIT_OK

    async def _get(self, pid: str, item: str) -> dict[str, Any] | None:
        try:
            return dict((await self.plane.issues.get(pid, item, query=self.query)).raw)
        except NotFoundError:
            return None  # deleted since its id was read

    async def _projects(self) -> list[dict[str, Any]]:
        found = [dict(p.raw) async for p in self.plane.projects.list()]
        chosen = self.folder.job.get("projects")
        if not chosen:
            return found
        keys = {c.upper() for c in chosen} | set(chosen)
        return [p for p in found if p["id"] in keys or p["identifier"] in keys]

    async def _small(self, pid: str) -> dict[str, list[dict[str, Any]]]:
        plane, pp = self.plane, self.per_page

        async def rows(items: AsyncIterator[Any], extra: Mapping[str, Any]) -> list[Any]:
            return [{**x.raw, **extra} async for x in items]

        states, labels, members, modules, cycles = await gather(
            rows(plane.states.list(pid, per_page=pp), {}),
            rows(plane.labels.list(pid, per_page=pp), {}),
            rows(plane.members.list(pid), {"project": pid}),
            rows(plane.modules.list(pid, per_page=pp), {}),
            rows(plane.cycles.list(pid, per_page=pp), {}),
        )
        return {
            "states": states,
            "labels": labels,
            "members": members,
            "modules": modules,
            "cycles": cycles,
        }

    async def _work_items(
        self, pid: str, since: dt.datetime | None
    ) -> tuple[list[dict[str, Any]], set[str] | None]:
        """The work items changed since ``since`` (all of them for a new project), and the
        ids of every live work item (None with --no-deletes)."""
        plane = self.plane
        rows: list[dict[str, Any]] = []
        if since is None:  # a project the folder does not hold yet: all of it
            async for page in plane.issues.pages(
                pid, order_by="-updated_at", query=self.query, per_page=self.per_page
            ):
                rows += [dict(i.raw) for i in page.results]
        else:  # newest change first, stopping at the first item changed before `since`
            async for issue in plane.issues.changed_since(
                pid, since, query=self.query, per_page=self.per_page
            ):
                rows.append(dict(issue.raw))
        if self.args.no_deletes:
            return rows, None
        ids = await self._large(
            lambda size: _collect(plane.issues.pages(pid, fields=["id"], per_page=size), size)
        )
        return rows, {str(i.id) for i in ids}

    async def _large(self, read: Callable[[int], Awaitable[T]]) -> T:
        """``read(page_size)`` with the largest page size the server accepts."""
        while True:
            size = self.large
            try:
                return await read(size)
            except (BadRequestError, _Clamped):
                if size <= self.per_page:
                    raise
                self.large = self.per_page  # the server's limit is lower (Plane Cloud)

    async def _memberships(self, kind: str, parents: list[dict[str, Any]]) -> list[Any]:
        plane = self.plane
        reader = plane.modules.issue_pages if kind == "module" else plane.cycles.issue_pages

        async def one(parent: dict[str, Any]) -> list[dict[str, Any]]:
            pid, xid = parent["project"], parent["id"]
            items = await self._large(
                lambda size: _collect(reader(pid, xid, fields=["id"], per_page=size), size)
            )
            return [{kind: xid, "project": pid, "work_item": str(i.id)} for i in items]

        found = await gather(*(one(p) for p in parents))
        return [r for rows in found for r in rows]

    async def _per_item(self, name: str, changed: Mapping[str, Mapping[str, Any]]) -> list[Any]:
        resource = getattr(self.plane, name)

        async def one(row: Mapping[str, Any]) -> list[dict[str, Any]]:
            try:
                return [
                    dict(x.raw)
                    async for x in resource.list(row["project"], row["id"], per_page=self.per_page)
                ]
            except NotFoundError:
                return []

        found = await gather(*(one(r) for r in changed.values()))
        return [r for rows in found for r in rows]

    def _rewrite_work_items(
        self, projects: set[str], changed: dict[str, dict[str, Any]], live: set[str] | None
    ) -> dict[str, Any]:
        pending = dict(changed)
        counts: dict[str, Any] = {"new": 0, "updated": 0, "deleted": 0, "ids": set()}
        ids: set[str] = counts["ids"]

        def rows() -> Any:
            for row in self.folder.rows("work-items.jsonl"):
                item = row["id"]
                if row.get("project") not in projects or (live is not None and item not in live):
                    counts["deleted"] += 1
                    continue
                ids.add(item)
                if item in pending:
                    counts["updated"] += 1
                    yield pending.pop(item)
                else:
                    yield row
            counts["new"] = len(pending)
            ids.update(pending)
            yield from pending.values()

        counts["total"] = self.folder.rewrite("work-items.jsonl", rows())
        return counts
