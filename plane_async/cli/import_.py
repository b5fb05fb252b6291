"""``plane-async import``: work items from JSONL or CSV into a project, safe to re-run.

Each row is matched by ``external_source``/``external_id`` (``--source`` and the row's
``external_id``, else its ``id``, as in an export's ``work-items.jsonl``): a row whose work
item exists is updated with only the fields that differ, one that does not is created
with ``upsert``, and a row that already matches costs nothing. A re-run therefore
creates nothing twice, and an interrupted import is finished by running it again.
States, labels and assignees may be given by id or by name (a member by email or display
name); ids from another workspace are translated through the ``states.jsonl``,
``labels.jsonl`` and ``members.jsonl`` an export wrote beside the file. Labels that do
not exist are created. ``--dry-run`` shows what would change and writes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import AsyncPlane, ConflictError, PlaneError
from ._common import (
    EXIT_ERROR,
    EXIT_OK,
    UsageError,
    add_connection_flags,
    add_progress_flag,
    connect,
    gather,
    printable,
    subcommand,
)
from ._common import run as run_command
from ._import_rows import FIELDS, Names, Wanted, parse_mapping, read_rows, to_wanted
from ._plan import WindowBound, summary_lines
from ._progress import make_display, showing

__all__ = ["add_parser", "main"]

_SHOW = 20


def add_parser(sub: Any) -> None:
    parser = subcommand(
        sub, "import", "import work items from JSONL or CSV (idempotent, --dry-run)", __doc__, main
    )
    parser.add_argument("file", type=Path, help="a .jsonl or .csv file")
    parser.add_argument("--project", required=True, help="the target project (identifier or id)")
    parser.add_argument(
        "--map", default=None, metavar="COLUMN=FIELD,...",
        help=f"rename columns to fields ({', '.join(FIELDS)}, external_id, external_source), "
        "e.g. 'Summary=name,Key=external_id'",
    )  # fmt: skip
    parser.add_argument(
        "--source", default="plane-async", help="external_source of rows without one "
        "(default: plane-async); keep it the same across runs",
    )  # fmt: skip
    parser.add_argument("--dry-run", action="store_true", help="show what would change")
    parser.add_argument("--concurrency", type=int, default=8, help="writes in flight (8)")
    add_progress_flag(parser)
    add_connection_flags(parser)


def main(args: argparse.Namespace) -> int:
    try:
        mapping = parse_mapping(args.map)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not args.file.is_file():
        raise UsageError(f"{args.file}: no such file")
    if args.file.suffix.lower() not in (".jsonl", ".csv"):
        raise UsageError(f"{args.file}: the file must end in .jsonl or .csv")
    if not 1 <= args.concurrency <= 64:
        raise UsageError("--concurrency must be from 1 to 64")

    async def job() -> int:
        window = WindowBound()
        async with connect(args, on_response=window) as plane:
            window.watch(plane)
            return await Importer(plane, args, mapping, window).run()

    return run_command(job, resume="run the same command again: rows already written "
                      "are left as they are")  # fmt: skip


def _same(field: str, have: Any, want: Any) -> bool:
    if field in ("labels", "assignees"):
        return {str(x) for x in have or ()} == {str(x) for x in want or ()}
    return (None if have is None else str(have)) == (None if want is None else str(want))


class Importer:
    def __init__(
        self,
        plane: AsyncPlane,
        args: argparse.Namespace,
        mapping: dict[str, str],
        window: WindowBound | None = None,
    ) -> None:
        self.plane = plane
        self.window = window
        self.args = args
        self.mapping = mapping

    async def run(self) -> int:
        plane, args = self.plane, self.args
        started = time.monotonic()
        project = await self._project(args.project)
        pid = project["id"]
        states, labels, members = await gather(
            _raws(plane.states.list(pid)), _raws(plane.labels.list(pid)),
            _raws(plane.members.list(pid)),
        )  # fmt: skip
        try:
            names = Names.of(states, labels, members, beside=args.file.parent)
        except (ValueError, OSError) as exc:
            raise UsageError(f"{exc}; nothing was written") from None
        wanted = self._read(names)
        existing = {
            (r.get("external_source"), r.get("external_id")): r
            async for r in _raw_items(plane, pid)
            if r.get("external_id")
        }
        creates: list[Wanted] = []
        updates: list[tuple[Wanted, dict[str, Any], Mapping[str, Any]]] = []
        for w in wanted:
            have = existing.get((w.external_source, w.external_id))
            if have is None:
                creates.append(w)
                continue
            changes = {k: v for k, v in w.fields.items() if not _same(k, have.get(k), v)}
            if w.new_labels:
                changes["labels"] = w.fields.get("labels", [])
            if changes:
                updates.append((w, changes, have))
        unchanged = len(wanted) - len(creates) - len(updates)
        new_labels = sorted({n for w in wanted for n in w.new_labels})
        verb = "would " if args.dry_run else ""
        labels_note = f"; {verb}create labels: {', '.join(new_labels)}" if new_labels else ""
        print(printable(
            f"{args.file.name} -> {project['identifier']}: {len(wanted)} rows; {verb}create "
            f"{len(creates)}, {verb}update {len(updates)}, leave {unchanged} unchanged"
            f"{labels_note}"
        ))  # fmt: skip
        if args.dry_run:
            self._show(creates, updates)
            return EXIT_OK
        if not creates and not updates:
            print("Nothing to write.")
            return EXIT_OK
        label_ids = {**{k: v for k, v in names.labels.items()},
                     **await self._create_labels(pid, new_labels)}  # fmt: skip
        written = {"created": 0, "updated": 0, "unchanged": unchanged, "failed": 0}
        failures = await self._write(pid, creates, updates, label_ids, written)
        written["failed"] = len(failures)
        print(printable(f"\nImported into {project['identifier']}:"))
        for line in summary_lines(written, plane.stats, time.monotonic() - started,
                                  plane.quota(), self.window):  # fmt: skip
            print(line)
        for w, error in failures[:_SHOW]:
            print(printable(f"  line {w.line} ({w.external_id}): {error}"))
        return EXIT_ERROR if failures else EXIT_OK

    async def _project(self, wanted: str) -> dict[str, Any]:
        found = [dict(p.raw) async for p in self.plane.projects.list()]
        for p in found:
            if wanted in (p["id"], p["identifier"]) or wanted.upper() == p["identifier"]:
                return p
        have = ", ".join(sorted(p["identifier"] for p in found)) or "none"
        raise UsageError(f"--project: no project {wanted} in workspace "
                                f"{self.plane.workspace} (its projects: {have})")  # fmt: skip

    def _read(self, names: Names) -> list[Wanted]:
        wanted: list[Wanted] = []
        problems: list[str] = []
        seen: dict[tuple[str, str], int] = {}
        try:
            for n, row in read_rows(self.args.file, self.mapping):
                w, bad = to_wanted(n, row, names, source=self.args.source)
                problems += bad
                if w is None:
                    continue
                key = (w.external_source, w.external_id)
                if key in seen:
                    problems.append(f"line {n}: external_id {w.external_id!r} was already on "
                                    f"line {seen[key]}")  # fmt: skip
                    continue
                seen[key] = n
                wanted.append(w)
        except (ValueError, UnicodeDecodeError, OSError) as exc:
            raise UsageError(f"{self.args.file}: {exc}") from None
        if problems:
            more = f"\n  ... and {len(problems) - _SHOW} more" if len(problems) > _SHOW else ""
            raise UsageError(
                f"{self.args.file}: nothing was written; fix these rows first:\n  "
                + "\n  ".join(problems[:_SHOW])
                + more
            )
        return wanted

    def _show(self, creates: Sequence[Wanted], updates: Sequence[tuple[Wanted, dict[str, Any],
              Mapping[str, Any]]]) -> None:  # fmt: skip
        for w in creates[:_SHOW]:
            print(printable(f"  create  line {w.line}: {w.fields['name']!r} "
                                   f"({w.external_id})"))  # fmt: skip
        for w, changes, have in updates[:_SHOW]:
            what = ", ".join(f"{k} {have.get(k)!r} -> {v!r}" for k, v in changes.items())
            print(printable(f"  update  line {w.line}: {have.get('name')!r}: {what}"))
        hidden = max(0, len(creates) - _SHOW) + max(0, len(updates) - _SHOW)
        if hidden:
            print(f"  ... and {hidden} more")

    async def _create_labels(self, pid: str, names: Sequence[str]) -> dict[str, str]:
        made: dict[str, str] = {}
        for name in names:
            try:
                label = await self.plane.labels.create(pid, name=name)
                made[name.casefold()] = str(label.id)
            except ConflictError as exc:  # created meanwhile (or by an interrupted run)
                if exc.existing_id is None:
                    raise
                made[name.casefold()] = str(exc.existing_id)
        return made

    async def _write(
        self,
        pid: str,
        creates: Sequence[Wanted],
        updates: Sequence[tuple[Wanted, dict[str, Any], Mapping[str, Any]]],
        label_ids: Mapping[str, str],
        written: dict[str, int],
    ) -> list[tuple[Wanted, str]]:
        plane = self.plane
        display = make_display(self.args.progress, plane.quota,
                               lambda: plane.stats.requests, None)  # fmt: skip
        bar = display.add("work-items", "items", verb="write")
        display.start(bar, len(creates) + len(updates), 0)
        bar.requests_left = lambda: bar.total - bar.done if bar.total else 0
        gate = asyncio.Semaphore(self.args.concurrency)
        failures: list[tuple[Wanted, str]] = []

        def with_labels(w: Wanted, fields: dict[str, Any]) -> dict[str, Any]:
            if w.new_labels:
                extra = [label_ids[n.casefold()] for n in w.new_labels]
                fields = {**fields, "labels": [*fields.get("labels", []), *extra]}
            return fields

        async def one(w: Wanted, existing_id: str | None, fields: dict[str, Any]) -> None:
            async with gate:
                try:
                    if existing_id is None:
                        await plane.issues.upsert(pid, external_source=w.external_source,
                                                  external_id=w.external_id,
                                                  **with_labels(w, fields))  # fmt: skip
                        written["created"] += 1
                    else:
                        await plane.issues.update(pid, existing_id, **with_labels(w, fields))
                        written["updated"] += 1
                except PlaneError as exc:
                    failures.append((w, f"{type(exc).__name__}: {exc}"))
                display.advance(bar, 1)

        async with showing(display):
            await asyncio.gather(
                *(one(w, None, w.fields) for w in creates),
                *(one(w, str(have["id"]), changes) for w, changes, have in updates),
            )
            display.finish(bar)
        failures.sort(key=lambda f: f[0].line)
        return failures


async def _raws(items: Any) -> list[dict[str, Any]]:
    return [dict(x.raw) async for x in items]


async def _raw_items(plane: AsyncPlane, pid: str) -> Any:
    fields = ["id", "external_source", "external_id", *FIELDS]
    async for item in plane.issues.list(pid, fields=fields, per_page=100):
        yield dict(item.raw)
