"""``plane-async export``: a workspace (or some projects) to a folder of JSONL files.

One file per resource, one line per object as the server sent it: ``projects``,
``states``, ``labels``, ``members`` (each user with its ``project``), ``work-items``,
``modules``, ``cycles``, ``module-work-items`` and ``cycle-work-items`` (``{"module" or
"cycle", "project", "work_item"}``) and, with ``--include``, ``comments``, ``links`` and
``activities``. Before fetching, it prints the requests each resource needs and the
time they take under the rate limit. Stopped at any point (Ctrl-C, SIGTERM, a crash), the
same command continues it: no line is lost or written twice (see ``_folder.py``).
"""

from __future__ import annotations

import argparse
import math
import operator
import sys
import time
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from typing import Any

import attrs
import orjson

from .. import AsyncPlane, NotFoundError, Page
from ._common import (
    EXIT_OK,
    UsageError,
    add_connection_flags,
    connect,
    fewer_collections,
    gather,
    printable,
    subcommand,
)
from ._common import run as run_command
from ._export_options import PER_PROJECT, ExportOptions, add_export_flags
from ._folder import Folder, jsonl
from ._plan import WindowBound, plan_export, summary_lines
from ._progress import Bar, Display, make_display, showing
from ._words import count

__all__ = ["Exporter", "add_parser", "main"]

_PER_ITEM_BATCH = 16


def add_parser(sub: Any) -> None:
    parser = subcommand(
        sub, "export", "export a workspace to a folder of JSONL files (resumable)", __doc__, main
    )
    add_export_flags(parser, default_out=None)
    add_connection_flags(parser)


def main(args: argparse.Namespace) -> int:
    options = ExportOptions.from_args(args)
    started: list[Exporter] = []

    async def job() -> int:
        window = WindowBound()
        async with connect(args, on_response=window) as plane:
            window.watch(plane)
            started.append(Exporter(plane, options, server=plane.base_url, window=window))
            return await started[0].run()

    def resume() -> str:
        # only when a checkpoint is there to continue from
        folder = started[0].folder if started else None
        return _RESUME_HINT if folder is not None and folder.kept else ""

    return run_command(job, resume=resume)


_RESUME_HINT = "the checkpoint is saved; run the same command again to continue"

PageReader = Callable[[str | None], AsyncGenerator[Page[Any], None]]
#: a page's items as the JSON lines of its file (one per item, each ending with a newline)
PageLines = Callable[[Sequence[Any]], bytes]


@attrs.frozen
class Stream:
    """One resource of one scope: a checkpoint key, its file, its pages and their lines."""

    key: str
    file: str
    pages: PageReader
    lines: PageLines


_RAW_OF = operator.attrgetter("_raw")
_ONLY_DICTS = frozenset({dict})


def _raws(items: Sequence[Any]) -> list[dict[str, Any]]:
    """The server's dicts of a page's items, not copies (a page is written out before the
    next is read, and nothing changes it), taken without a Python call per item."""
    try:
        rows: list[Any] = list(map(_RAW_OF, items))
    except AttributeError:
        rows = []
    if len(rows) == len(items) and _ONLY_DICTS.issuperset(map(type, rows)):
        return rows
    # an item built otherwise, or one the server did not send as an object (``raw`` says so)
    return [dict(item.raw) for item in items]


def _raw_lines(items: Sequence[Any]) -> bytes:
    return jsonl(_raws(items))


class Exporter:
    """Runs an export: discovery, the plan, then the resources, one bar each: the small
    ones in turn, then the work items and the module and cycle memberships at once."""

    def __init__(
        self,
        plane: AsyncPlane,
        options: ExportOptions,
        *,
        server: str,
        out: Any = None,
        window: WindowBound | None = None,
    ) -> None:
        self.plane = plane
        self.window = window
        self.options = options
        self.server = server
        self.out = sys.stdout if out is None else out
        self.written: dict[str, int] = {}
        self.folder: Folder | None = None
        self.display = Display(plane.quota, lambda: plane.stats.requests)

    def say(self, text: str = "") -> None:
        print(printable(text), file=self.out, flush=True)

    async def run(self) -> int:
        opts, plane = self.options, self.plane
        started = time.monotonic()
        job = opts.job(self.server, plane.workspace)
        if not opts.plan_only:
            self.folder = Folder.open(opts.out, job, opts.files, restart=opts.restart,
                                      every=opts.checkpoint_every)  # fmt: skip
            if self.folder.complete:
                self.say(f"{opts.out} already holds a complete export (started "
                         f"{self.folder.started_at}). Run `plane-async sync` to bring it up to "
                         "date, or pass --restart to export again.")  # fmt: skip
                return EXIT_OK
        try:
            projects = await self._projects()
            counts = await gather(*(plane.projects.summary(p["id"]) for p in projects))
        except BaseException:
            if self.folder is not None:
                self.folder.discard_if_new()  # a typo in --project must not hold the folder
            raise
        plan = plan_export((c.counts for c in counts), per_page=opts.per_page,
                           include=opts.include, discovery=plane.stats.requests)  # fmt: skip
        if self.folder is not None and self.folder.resumed:
            plan = plan.resumed(self._finished_share(len(projects)))
        where = "resuming the export in" if self.folder and self.folder.resumed else "to"
        found = count(len(projects), "project")
        self.say(f"Export of workspace {plane.workspace} ({found}) {where} {opts.out}/ "
                 "needs about:")  # fmt: skip
        for line in plan.lines(plane.quota()):
            self.say(line)
        if self.folder is None:
            return EXIT_OK
        self.say("Ctrl-C stops it; running the same command again continues where it stopped.")
        self.display = make_display(opts.progress, plane.quota,
                                    lambda: plane.stats.requests, None)  # fmt: skip
        try:
            with fewer_collections():
                async with showing(self.display):
                    await self._phases(projects)
        finally:
            self.folder.close()
        self.folder.finish()
        self.say(f"\nExported to {opts.out}/:")
        for line in summary_lines(self.written, plane.stats, time.monotonic() - started,
                                  plane.quota(), self.window):  # fmt: skip
            self.say(line)
        return EXIT_OK

    def _finished_share(self, projects: int) -> dict[str, float]:
        """How much of each resource an earlier run wrote (1.0: all of it)."""
        assert self.folder is not None
        streams = self.folder.streams
        share: dict[str, float] = {}
        for name in (*PER_PROJECT, "module-work-items", "cycle-work-items"):
            mine = [s for k, s in streams.items() if k.startswith(name + "/")]
            expected = projects if name in PER_PROJECT else len(mine)
            share[name] = sum(s.done for s in mine) / expected if mine and expected else 0.0
        items = sum(s.count for k, s in streams.items() if k.startswith("work-items/"))
        for name in self.options.include:
            state = streams.get(name)
            if state is not None and items:
                share[name] = 1.0 if state.done else int(state.cursor or 0) / items
        return share

    # ------------------------------------------------------------------ discovery

    async def _projects(self) -> list[dict[str, Any]]:
        """The projects to export: from the folder when an earlier run listed them."""
        folder = self.folder
        if folder is not None and folder.stream("projects").done:
            return list(folder.rows("projects.jsonl"))
        found = [dict(p.raw) async for p in self.plane.projects.list(per_page=100)]
        wanted = self.options.projects
        if wanted:
            by_key = {**{p["identifier"]: p for p in found}, **{p["id"]: p for p in found}}
            missing = [w for w in wanted if w not in by_key and w.upper() not in by_key]
            if missing:
                have = ", ".join(sorted(p["identifier"] for p in found)) or "none"
                raise UsageError(
                    f"--project: no project {', '.join(missing)} in workspace "
                    f"{self.plane.workspace} (its projects: {have})"
                )
            chosen = {by_key.get(w, by_key.get(w.upper()))["id"] for w in wanted}  # type: ignore[index]
            found = [p for p in found if p["id"] in chosen]
        if folder is not None:
            folder.commit("projects", "projects.jsonl", found, done=True)
        return found

    # ------------------------------------------------------------------ phases

    async def _phases(self, projects: list[dict[str, Any]]) -> None:
        plane, pp, q = self.plane, self.options.per_page, self.options.query
        assert self.folder is not None
        self.written["projects"] = len(projects)
        bars = {name: self.display.add(name, unit) for name, unit in (
            *((n, n.split("-")[-1] if n != "work-items" else "items") for n in PER_PROJECT),
            ("module-work-items", "memberships"), ("cycle-work-items", "memberships"),
            *((n, "work items") for n in self.options.include),
        )}  # fmt: skip
        readers: dict[str, Callable[[str, str | None], AsyncGenerator[Page[Any], None]]] = {
            "states": lambda p, c: plane.states.pages(p, per_page=pp, cursor=c),
            "labels": lambda p, c: plane.labels.pages(p, per_page=pp, cursor=c),
            "members": lambda p, c: plane.members.pages(p),
            # the default newest-first order: the read follows the last key handed out, so
            # creates and deletes during the export (or between a stop and its resume)
            # neither repeat nor skip a work item that exists throughout
            "work-items": lambda p, c: plane.issues.pages(
                p, per_page=pp, cursor=c, query=q, prefetch=2
            ),
            "modules": lambda p, c: plane.modules.pages(p, per_page=pp, cursor=c),
            "cycles": lambda p, c: plane.cycles.pages(p, per_page=pp, cursor=c),
        }

        def project_streams(name: str) -> list[Stream]:
            return [
                Stream(
                    f"{name}/{p['id']}",
                    f"{name}.jsonl",
                    _bind(readers[name], p["id"]),
                    _member_lines(p["id"]) if name == "members" else _raw_lines,
                )
                for p in projects
            ]

        def membership_streams(kind: str) -> list[Stream]:
            assert self.folder is not None
            name = f"{kind}-work-items"
            return [Stream(f"{name}/{row['id']}", f"{name}.jsonl",
                           self._membership_reader(kind, row["project"], row["id"]),
                           _membership_lines(kind, row["project"], row["id"]))
                    for row in self.folder.rows(f"{kind}s.jsonl")]  # fmt: skip

        # The small resources first (the memberships need the modules and cycles),
        # then the work items and the memberships at once: while the client writes a
        # page, the server answers another (each file still gets its pages in order).
        for name in PER_PROJECT:
            if name != "work-items":
                await self._run_streams(bars[name], project_streams(name))
        await gather(self._run_streams(bars["work-items"], project_streams("work-items")),
                     *(self._run_streams(bars[f"{k}-work-items"], membership_streams(k))
                       for k in ("module", "cycle")))  # fmt: skip
        for name in self.options.include:
            await self._run_per_item(bars[name], name)

    def _membership_reader(self, kind: str, project: str, parent: str) -> PageReader:
        pp, plane = self.options.per_page, self.plane
        if kind == "module":
            return lambda c: plane.modules.issue_pages(project, parent, per_page=pp, cursor=c,
                                                       fields=["id"])  # fmt: skip
        return lambda c: plane.cycles.issue_pages(project, parent, per_page=pp, cursor=c,
                                                  fields=["id"])  # fmt: skip

    async def _run_streams(self, bar: Bar, streams: Sequence[Stream]) -> None:
        """Read every stream of one resource concurrently; the bar's total is the sum of
        their first pages' ``total_results``, known before it moves."""
        folder, display, pp = self.folder, self.display, self.options.per_page
        assert folder is not None
        display.counting(bar)
        states = {s.key: folder.stream(s.key) for s in streams}
        pending = [s for s in streams if not states[s.key].done]
        totals = {s.key: states[s.key].count for s in streams}

        def requests_left() -> int:
            return sum(
                math.ceil(max(0, totals[s.key] - states[s.key].count) / pp)
                for s in pending if not states[s.key].done
            )  # fmt: skip

        bar.requests_left = requests_left
        readers = {s.key: s.pages(states[s.key].cursor) for s in pending}
        try:
            firsts = await gather(*(anext(readers[s.key], None) for s in pending))
            for s, first in zip(pending, firsts, strict=True):
                seen = states[s.key].count + (len(first.results) if first else 0)
                totals[s.key] = max(first.total_results if first else 0, seen)
            display.start(bar, sum(totals.values()), sum(st.count for st in states.values()))
            for s, first in zip(pending, firsts, strict=True):
                self._commit_page(bar, s, first)

            async def rest(s: Stream) -> None:
                if states[s.key].done:
                    return
                async for page in readers[s.key]:
                    self._commit_page(bar, s, page)

            await gather(*(rest(s) for s in pending))
        finally:
            for reader in readers.values():
                await reader.aclose()
        display.finish(bar)
        self.written[bar.name] = bar.done

    def _commit_page(self, bar: Bar, stream: Stream, page: Page[Any] | None) -> None:
        assert self.folder is not None
        more = page is not None and page.next_page_results and page.resume_cursor is not None
        cursor = str(page.resume_cursor) if more and page is not None else None
        items = page.results if page is not None else ()
        data = stream.lines(items) if items else b""
        self.folder.commit_lines(stream.key, stream.file, data, len(items), cursor=cursor,
                                 done=not more)  # fmt: skip
        self.display.advance(bar, len(items))

    async def _run_per_item(self, bar: Bar, name: str) -> None:
        """Comments, links or activities of every exported work item, a batch at a time;
        the checkpoint keeps the index of the next work item."""
        folder, plane, pp = self.folder, self.plane, self.options.per_page
        assert folder is not None
        items = [(row["project"], row["id"]) for row in folder.rows("work-items.jsonl")]
        state = folder.stream(name)
        start = 0 if state.done else int(state.cursor or 0)
        if state.done:
            start = len(items)
        bar.requests_left = lambda: len(items) - position
        position = start
        self.display.start(bar, len(items), start)
        resource = getattr(plane, name)

        async def rows_of(project: str, item: str) -> list[Mapping[str, Any]]:
            try:
                return [dict(x.raw) async for x in resource.list(project, item, per_page=pp)]
            except NotFoundError:
                return []  # deleted since the work items were read

        while position < len(items):
            batch = items[position : position + _PER_ITEM_BATCH]
            found = await gather(*(rows_of(p, i) for p, i in batch))
            position += len(batch)
            done = position >= len(items)
            folder.commit(name, f"{name}.jsonl", [r for rows in found for r in rows],
                          cursor=None if done else str(position), done=done)  # fmt: skip
            self.display.advance(bar, len(batch))
        folder.commit(name, f"{name}.jsonl", [], cursor=None, done=True)
        self.display.finish(bar)
        self.written[name] = state.count


def _bind(
    reader: Callable[[str, str | None], AsyncGenerator[Page[Any], None]], project: str
) -> PageReader:
    return lambda cursor: reader(project, cursor)


def _member_lines(project: str) -> PageLines:
    return lambda users: jsonl({**user, "project": project} for user in _raws(users))


def _membership_lines(kind: str, project: str, parent: str) -> PageLines:
    """``{kind: parent, "project": project, "work_item": id}`` per item, the bytes
    ``orjson.dumps`` gives that dict, built from one prefix and each id."""
    head = orjson.dumps({kind: parent, "project": project, "work_item": None})
    head = head[: -len(b"null}")]
    between = b"}\n" + head

    def lines(items: Sequence[Any]) -> bytes:
        ids = map(orjson.dumps, map(_ID_OF, _raws(items)))
        return head + between.join(ids) + b"}\n"

    return lines


_ID_OF = operator.itemgetter("id")
