"""The command line's costs: a resumable export against a plain loop, a sync against an
export, and a page committed with its checkpoint.

The server is FakePlane in its own process with no rate limit, so the figures are the
client's own time (on Plane the rate limit dominates: 60 requests a minute).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from benchmarks._common import BENCH_RATE_LIMIT, Section, serve, table
from plane_async import AsyncPlane, RateLimit
from plane_async.cli._export_options import ExportOptions
from plane_async.cli._folder import Folder
from plane_async.cli.export import Exporter
from plane_async.cli.sync import Syncer

CHANGES = {"updated": 20, "deleted": 5, "created": 5}


def _client(server: Any) -> AsyncPlane:
    return AsyncPlane(
        api_key=server.api_key,
        workspace=server.workspace,
        base_url=server.base_url,
        rate_limit=RateLimit(BENCH_RATE_LIMIT, 60.0),
        max_per_page=1000,
    )


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n")


async def _plain(server: Any, out: Path) -> dict[str, Any]:
    """What a user's own loop does: every work item as JSONL, no checkpoint."""
    async with _client(server) as plane:
        wall, cpu = time.perf_counter(), time.process_time()
        n = 0
        with open(out, "wb") as sink:  # noqa: ASYNC230 (what a user's loop does)
            async for page in plane.issues.pages(server.project_id, per_page=100, prefetch=1):
                sink.write(b"".join(orjson.dumps(dict(i.raw)) + b"\n" for i in page.results))
                n += len(page.results)
        return {
            "case": "plain loop: work items to one JSONL file",
            "items": n,
            "requests": plane.stats.requests,
            "wall": time.perf_counter() - wall,
            "cpu": time.process_time() - cpu,
        }


async def _export(server: Any, out: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    options = ExportOptions(
        out=out, projects=None, include=(), query=None, per_page=100, progress="none"
    )
    async with _client(server) as plane:
        wall, cpu = time.perf_counter(), time.process_time()
        await Exporter(plane, options, server=plane.base_url, out=io.StringIO()).run()
        export = {
            "case": "plane-async export (every resource, checkpoint at most once a second)",
            "items": _lines(out / "work-items.jsonl"),
            "requests": plane.stats.requests,
            "wall": time.perf_counter() - wall,
            "cpu": time.process_time() - cpu,
        }
        items = [
            i async for i in plane.issues.list(server.project_id, fields=["id"], per_page=1000)
        ]
        for i in items[: CHANGES["updated"]]:
            await plane.issues.update(server.project_id, i.id, priority="urgent")
        for i in items[-CHANGES["deleted"] :]:
            await plane.issues.delete(server.project_id, i.id)
        for n in range(CHANGES["created"]):
            await plane.issues.create(server.project_id, name=f"new {n}")
    async with _client(server) as plane:
        folder = Folder.load(out, lambda job: [p.name for p in out.glob("*.jsonl")])
        args = argparse.Namespace(out=out, no_deletes=False)
        wall, cpu = time.perf_counter(), time.process_time()
        await Syncer(plane, folder, args).run()
        folder.close()
        sync = {
            "case": f"plane-async sync ({CHANGES['updated']} updated, {CHANGES['deleted']} "
            f"deleted, {CHANGES['created']} new; ids 1000 per request)",
            "items": _lines(out / "work-items.jsonl"),
            "requests": plane.stats.requests,
            "wall": time.perf_counter() - wall,
            "cpu": time.process_time() - cpu,
        }
    return export, sync


def _commit_cost(root: Path, pages: int) -> float:
    """Microseconds to commit one 100-line page with its checkpoint (append, flush, fsync,
    checkpoint), as ``--checkpoint-every 0`` does for every page."""
    folder = Folder.open(root / "commit", {"bench": True}, ["x.jsonl"], every=0.0)
    row = {"id": "0" * 36, "name": "x" * 60, "description_html": "<p>" + "y" * 400 + "</p>"}
    rows = [row] * 100
    started = time.perf_counter()
    for n in range(pages):
        folder.commit(f"s/{n % 4}", "x.jsonl", rows, cursor=f"100:{n}:0")
    folder.close()
    return (time.perf_counter() - started) / pages * 1e6


def run(quick: bool) -> Section:
    issues = 5_000 if quick else 20_000
    with serve(issues) as server, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        plain = asyncio.run(_plain(server, root / "plain.jsonl"))
        export, sync = asyncio.run(_export(server, root / "export"))
        commit_us = _commit_cost(root, 50 if quick else 200)
    rows = [plain, export, sync]
    body = (
        f"One project of {issues:,} work items; FakePlane in its own process, no rate limit. "
        "Wall and CPU are the client's; every run writes to a temporary folder.\n\n"
        + table(
            ["case", "work items", "requests", "wall s", "client CPU s", "items/s (wall)"],
            [
                [
                    r["case"],
                    f"{r['items']:,}",
                    r["requests"],
                    f"{r['wall']:.2f}",
                    f"{r['cpu']:.2f}",
                    f"{r['items'] / r['wall']:,.0f}",
                ]
                for r in rows
            ],
        )
        + f"\nCommitting one page of 100 lines with its checkpoint (append, flush, fsync, "
        f"checkpoint replaced atomically): {commit_us:,.0f} µs. The export checkpoints at most "
        "once a second (`--checkpoint-every`), and under Plane's 60 requests a minute a page "
        "arrives every second at best, so the checkpoint costs well under 1% of an export. "
        f"The sync took {sync['requests']} requests where the export took "
        f"{export['requests']} ({sync['requests'] / export['requests']:.0%}).\n"
    )
    figures = {
        "commit_us": commit_us,
        **{
            f"{k}_requests": r["requests"]
            for k, r in (("plain", plain), ("export", export), ("sync", sync))
        },
    }
    return Section("cli", "Command line: export, sync and checkpoints", body, (), (*rows, figures))
