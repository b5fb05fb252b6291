"""``plane-async export`` against a fast server, beside the script a user would write.

One project of 100,000 work items on FakePlane (its own process, no rate limit), read at
``per_page=1000``, both in this process, in turns, best of the rounds:

- ``minimal script``: raw aiohttp + orjson, following the cursors and writing every work
  item as one JSONL line (no checkpoint, no progress, no other resource);
- ``plane-async export``: the command line's ``Exporter`` as ``plane-async export
  --per-page 1000 --max-per-page 1000 --progress plain`` runs it (a client limiter out of
  the way), which also exports the project's states, labels, members, modules, cycles
  and their work-item memberships, commits every page (appended and flushed; the files
  synced and the checkpoint replaced at most once a second and at the end), and prints
  its progress.

Both run in the benchmark process, so interpreter start-up and imports are left out
(they are the ``import`` benchmark's); CPU is ``time.process_time()`` of this process,
wall time includes the server's share. The server's CPU during each run is shown too: the
export asks it for more than the script does (the memberships above all), and no client
finishes sooner than the server takes to answer it.

Run: ``python -m benchmarks.bench_export_cli [--quick]``.
"""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from benchmarks._common import BENCH_RATE_LIMIT, Check, Section, Server, run_alone, serve, table

ITEMS = 100_000
PER_PAGE = 1000
ROUNDS = 3
CPU_TARGET = 1.3
WALL_TARGET = 1.10

SCRIPT = "minimal script (raw aiohttp + orjson, JSONL)"
SCRIPT_ALL = "minimal script, the export's requests (raw aiohttp + orjson, JSONL)"
CLI = "plane-async export (checkpoint, progress)"


def _server_cpu(server: Server) -> float:
    """The server process's CPU seconds so far (0.0 where /proc does not say)."""
    try:
        with open(f"/proc/{server.pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _script(server: Server, out: Path) -> dict[str, Any]:
    """What a user writes to dump a project's work items to JSONL with aiohttp and orjson."""
    url = server.api_url + server.items_path
    wall, cpu = time.perf_counter(), time.process_time()
    params = {"per_page": str(PER_PAGE)}
    requests = 0
    async with aiohttp.ClientSession(headers={"X-API-Key": server.api_key}) as session:
        with open(out, "wb") as sink:  # noqa: ASYNC230 (what a user's loop does)
            while True:
                async with session.get(url, params=params) as resp:
                    resp.raise_for_status()
                    body = orjson.loads(await resp.read())
                requests += 1
                sink.write(b"".join(orjson.dumps(item) + b"\n" for item in body["results"]))
                if not body["next_page_results"]:
                    break
                params = {"per_page": str(PER_PAGE), "cursor": body["next_cursor"]}
    figures = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    return {**figures, "items": _lines(out), "lines": _lines(out), "requests": requests}


async def _script_all(server: Server, out: Path) -> dict[str, Any]:
    """The same script, asking for what the export asks for: each project's states, labels,
    members, work items, modules and cycles, then each module's and cycle's work-item ids
    (``fields=id``), each resource to its JSONL file, nothing else."""
    api = server.api_url + f"workspaces/{server.workspace}/"
    wall, cpu = time.perf_counter(), time.process_time()
    requests = 0
    async with aiohttp.ClientSession(headers={"X-API-Key": server.api_key}) as session:

        async def dump(url: str, name: str, extra: dict[str, str] | None = None) -> list[Any]:
            nonlocal requests
            params = {"per_page": str(PER_PAGE), **(extra or {})}
            rows: list[Any] = []
            with open(out / name, "ab") as sink:  # noqa: ASYNC230 (what a user's loop does)
                while True:
                    async with session.get(url, params=params) as resp:
                        resp.raise_for_status()
                        body = orjson.loads(await resp.read())
                    requests += 1
                    page = body["results"] if isinstance(body, dict) else body
                    rows += page
                    sink.write(b"".join(orjson.dumps(row) + b"\n" for row in page))
                    if not isinstance(body, dict) or not body["next_page_results"]:
                        return rows
                    params = {**params, "cursor": body["next_cursor"]}

        for project in await dump(api + "projects/", "projects.jsonl"):
            base = f"{api}projects/{project['id']}/"
            for name in ("states", "labels", "members", "work-items", "modules", "cycles"):
                found = await dump(base + name + "/", name + ".jsonl")
                if name in ("modules", "cycles"):
                    kind = name[:-1]
                    for parent in found:
                        url = f"{base}{name}/{parent['id']}/{kind}-issues/"
                        await dump(url, f"{kind}-work-items.jsonl", {"fields": "id"})
    figures = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    lines = sum(_lines(f) for f in out.glob("*.jsonl"))  # noqa: ASYNC240 (timing is done)
    return {**figures, "items": _lines(out / "work-items.jsonl"), "lines": lines,
            "requests": requests}  # fmt: skip


async def _export(server: Server, out: Path) -> dict[str, Any]:
    from plane_async import AsyncPlane, RateLimit
    from plane_async.cli._export_options import ExportOptions
    from plane_async.cli.export import Exporter

    options = ExportOptions(
        out=out, projects=None, include=(), query=None, per_page=PER_PAGE, progress="plain"
    )
    progress = io.StringIO()
    async with AsyncPlane(
        api_key=server.api_key,
        workspace=server.workspace,
        base_url=server.base_url,
        rate_limit=RateLimit(BENCH_RATE_LIMIT, 60.0),
        max_per_page=1000,
    ) as plane:
        wall, cpu = time.perf_counter(), time.process_time()
        await Exporter(plane, options, server=plane.base_url, out=progress).run()
        figures = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
        requests = plane.stats.requests
    lines = sum(_lines(f) for f in out.glob("*.jsonl"))  # noqa: ASYNC240 (timing is done)
    return {**figures, "items": _lines(out / "work-items.jsonl"), "lines": lines,
            "requests": requests}  # fmt: skip


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n")


def _round(server: Server, root: Path, n: int) -> dict[str, dict[str, Any]]:
    out = root / f"script-{n}.jsonl"
    before = _server_cpu(server)
    got = {SCRIPT: asyncio.run(_script(server, out))}
    between = _server_cpu(server)
    out.unlink()
    (root / f"script-all-{n}").mkdir()
    got[SCRIPT_ALL] = asyncio.run(_script_all(server, root / f"script-all-{n}"))
    after_all = _server_cpu(server)
    got[CLI] = asyncio.run(_export(server, root / f"export-{n}"))
    got[SCRIPT]["server_cpu"] = between - before
    got[SCRIPT_ALL]["server_cpu"] = after_all - between
    got[CLI]["server_cpu"] = _server_cpu(server) - after_all
    return got


def run(quick: bool = False) -> Section:
    items = 20_000 if quick else ITEMS
    rounds = 1 if quick else ROUNDS
    best: dict[str, dict[str, float]] = {}
    with serve(items, sample_ids=0) as server, tempfile.TemporaryDirectory() as tmp:
        for n in range(rounds):
            for name, figures in _round(server, Path(tmp), n).items():
                if figures["items"] != items:
                    raise RuntimeError(f"{name} wrote {figures['items']} items, not {items}")
                old = best.get(name)
                best[name] = {
                    **figures,
                    "wall": min(figures["wall"], old["wall"]) if old else figures["wall"],
                    "cpu": min(figures["cpu"], old["cpu"]) if old else figures["cpu"],
                    "server_cpu": min(figures["server_cpu"], old["server_cpu"])
                    if old
                    else figures["server_cpu"],
                }
    base, same = best[SCRIPT], best[SCRIPT_ALL]
    rows = [
        [
            name,
            f"{b['wall']:.2f}",
            f"{b['wall'] / base['wall']:.2f}x",
            f"{b['wall'] / same['wall']:.2f}x",
            f"{b['cpu']:.2f}",
            f"{b['cpu'] / base['cpu']:.2f}x",
            f"{b['cpu'] / same['cpu']:.2f}x",
            f"{b['server_cpu']:.2f}",
            f"{items / b['wall']:,.0f}",
            b["requests"],
            f"{b['lines']:,}",
        ]
        for name, b in best.items()
    ]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    body = (
        f"{items:,} work items at per_page={PER_PAGE}, FakePlane in its own process with no "
        f"rate limit; both in this process (start-up and imports left out), best of {rounds} "
        "rounds taken in turns; CPU is this process's, server CPU the FakePlane process's "
        "during the run (the least wall time the run could take). The export also writes "
        "the project's other resources and memberships (its JSONL lines) and its "
        "checkpoint; the second script asks for the same as the export (the same requests, "
        "the same lines), so beside it the export's own cost shows: checkpoints, progress, "
        f"the client. Load average after the runs: {load}.\n\n"
        + table(
            [
                "client",
                "wall s",
                "wall vs script",
                "wall vs same requests",
                "CPU s",
                "CPU vs script",
                "CPU vs same requests",
                "server CPU s",
                "work items/s",
                "requests",
                "JSONL lines",
            ],
            rows,
        )
    )
    cpu_ratio = best[CLI]["cpu"] / base["cpu"]
    wall_ratio = best[CLI]["wall"] / base["wall"]
    same_cpu, same_wall = best[CLI]["cpu"] / same["cpu"], best[CLI]["wall"] / same["wall"]
    checks = (
        Check(
            f"plane-async export of {items:,} items, CPU vs a minimal aiohttp + orjson script",
            f"{cpu_ratio:.2f}x",
            f"≤ {CPU_TARGET}x",
            cpu_ratio <= CPU_TARGET,
        ),
        Check(
            f"plane-async export of {items:,} items, wall time vs the minimal script",
            f"{wall_ratio:.2f}x",
            f"≤ {WALL_TARGET:.2f}x",
            wall_ratio <= WALL_TARGET,
        ),
        Check(
            f"plane-async export of {items:,} items, CPU vs a script making the same requests",
            f"{same_cpu:.2f}x",
            f"≤ {CPU_TARGET}x",
            same_cpu <= CPU_TARGET,
        ),
        Check(
            f"plane-async export of {items:,} items, wall vs a script making the same requests",
            f"{same_wall:.2f}x",
            f"≤ {WALL_TARGET:.2f}x",
            same_wall <= WALL_TARGET,
        ),
    )
    out_rows = tuple({"client": k, **v} for k, v in best.items())
    return Section("export-cli", "plane-async export against a fast server", body, checks, out_rows)


if __name__ == "__main__":
    run_alone("bench_export_cli", run)
