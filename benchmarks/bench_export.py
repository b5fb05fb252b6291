"""Export the work items of a project at per_page=100: throughput, client CPU, memory.

Each client follows the cursors and reads four fields of every item (id, name,
created_at, state), as an export does, once for the first 10,000 items and once for
100,000; the marginal cost per item is the slope between the two (set-up and the first
requests cancel out):

- ``raw aiohttp + json``: one ``ClientSession``, ``json.loads``, dict lookups;
  ``raw aiohttp + orjson``: the same with orjson (the floor: plane_async uses orjson);
- ``raw aiohttp + orjson, typed by hand``: the same loop reading what plane_async's
  attributes give, ``uuid.UUID(d["id"])``, ``datetime.fromisoformat(d["created_at"])``
  and ``uuid.UUID(d["state"])``: the cost of the types themselves, without a client;
- ``plane_async``: ``async for issue in plane.issues.list(project_id, per_page=100)`` and
  typed attribute reads; ``prefetch=1`` reads the next page while this one is consumed;
- ``plane_async, blocking Plane``: ``for issue in plane.issues.list(...)`` on the
  blocking client (the async read on its loop thread, items handed over a page at a time);
- ``plane-sdk 0.3.2``: ``client.work_items.list(...)`` page by page with the cursor.

Memory: each client exports 10k and then 100k items, each in a fresh child process, and
reports its peak RSS (``VmHWM``) and its growth over the RSS after imports. Items stream,
so the peak must not grow with the item count.

The server (FakePlane, no latency, no rate limit) runs in another process; client CPU is
``time.process_time()`` of the client process only.

Run: ``python -m benchmarks.bench_export [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import aiohttp
import orjson

from benchmarks._common import (
    BENCH_RATE_LIMIT,
    REPO_ROOT,
    Check,
    Section,
    Server,
    serve,
    table,
)

SIZES = (10_000, 100_000)
PER_PAGE = 100
ROUNDS = 3
MEMORY_SIZES = (10_000, 100_000)
CPU_TARGET = 1.3
#: marginal CPU per item against raw aiohttp + orjson
ORJSON_TARGET = 1.2
#: against the hand-written loop that builds the same UUIDs and datetimes: the client's own
#: share of the cost, the types' left out
TYPED_TARGET = 1.1
#: the blocking client against the async one, per item
BLOCKING_TARGET = 1.1
MEMORY_TARGET = 1.10
_KEY_ENV = "PLANE_BENCH_API_KEY"


# ------------------------------------------------------------------------- exports


def _strings(d: dict[str, Any]) -> object:
    return d["id"], d["name"], d["created_at"], d["state"]


def _typed(d: dict[str, Any]) -> object:
    return uuid.UUID(d["id"]), d["name"], _fromisoformat(d["created_at"]), uuid.UUID(d["state"])


_fromisoformat = datetime.datetime.fromisoformat


async def _raw(
    server: Server,
    loads: Callable[[bytes], Any],
    limit: int | None,
    read: Callable[[dict[str, Any]], object] = _strings,
) -> int:
    url = server.api_url + server.items_path
    params = {"per_page": str(PER_PAGE)}
    n = 0
    async with aiohttp.ClientSession(headers={"X-API-Key": server.api_key}) as session:
        while True:
            async with session.get(url, params=params) as resp:
                resp.raise_for_status()
                body = loads(await resp.read())
            for d in body["results"]:
                read(d)
                n += 1
                if n == limit:
                    return n
            if not body["next_page_results"]:
                return n
            # Plane slices by the per_page parameter, so it goes with every cursor.
            params = {"per_page": str(PER_PAGE), "cursor": body["next_cursor"]}


async def _ours(server: Server, limit: int | None, prefetch: int = 0) -> int:
    from plane_async import AsyncPlane, RateLimit

    n = 0
    async with AsyncPlane(
        api_key=server.api_key,
        workspace=server.workspace,
        base_url=server.base_url,
        rate_limit=RateLimit(BENCH_RATE_LIMIT, 60.0),
        max_per_page=1000,
    ) as plane:
        pid = uuid.UUID(server.project_id)
        items = plane.issues.list(pid, per_page=PER_PAGE, prefetch=prefetch)
        async with contextlib.aclosing(items):
            async for issue in items:
                _ = issue.id, issue.name, issue.created_at, issue.state
                n += 1
                if n == limit:
                    break
    return n


def _blocking(server: Server, limit: int | None) -> int:
    from plane_async import Plane, RateLimit

    n = 0
    with (
        Plane(
            api_key=server.api_key,
            workspace=server.workspace,
            base_url=server.base_url,
            rate_limit=RateLimit(BENCH_RATE_LIMIT, 60.0),
            max_per_page=1000,
        ) as plane,
        plane.issues.list(uuid.UUID(server.project_id), per_page=PER_PAGE) as items,
    ):
        for issue in items:
            _ = issue.id, issue.name, issue.created_at, issue.state
            n += 1
            if n == limit:
                break
    return n


def _sdk(server: Server, limit: int | None) -> int:
    from plane.client import PlaneClient
    from plane.models.query_params import WorkItemQueryParams

    client = PlaneClient(base_url=server.base_url, api_key=server.api_key)
    n = 0
    cursor = None
    while True:
        page = client.work_items.list(
            server.workspace,
            server.project_id,
            params=WorkItemQueryParams(per_page=PER_PAGE, cursor=cursor),
        )
        for item in page.results:
            _ = item.id, item.name, item.created_at, item.state
            n += 1
            if n == limit:
                return n
        if not page.next_page_results:
            return n
        cursor = page.next_cursor


def _sdk_available() -> bool:
    try:
        import plane.client  # noqa: F401
    except ImportError:
        return False
    return True


RAW_JSON = "raw aiohttp + json"
RAW_ORJSON = "raw aiohttp + orjson"
RAW_TYPED = "raw aiohttp + orjson, typed by hand"
OURS = "plane_async"
OURS_PREFETCH = "plane_async, prefetch=1"
BLOCKING = "plane_async, blocking Plane"
SDK = "plane-sdk 0.3.2"
CLIENTS = (RAW_JSON, RAW_ORJSON, RAW_TYPED, OURS, OURS_PREFETCH, BLOCKING, SDK)


def _exporters(server: Server, limit: int | None) -> dict[str, Callable[[], int]]:
    runs: dict[str, Callable[[], int]] = {
        RAW_JSON: lambda: asyncio.run(_raw(server, json.loads, limit)),
        RAW_ORJSON: lambda: asyncio.run(_raw(server, orjson.loads, limit)),
        RAW_TYPED: lambda: asyncio.run(_raw(server, orjson.loads, limit, _typed)),
        OURS: lambda: asyncio.run(_ours(server, limit)),
        OURS_PREFETCH: lambda: asyncio.run(_ours(server, limit, prefetch=1)),
        BLOCKING: lambda: _blocking(server, limit),
    }
    if _sdk_available():
        runs[SDK] = lambda: _sdk(server, limit)
    return runs


# ------------------------------------------------------------------------- throughput


def _throughput(
    server: Server, sizes: tuple[int, ...], rounds: int
) -> dict[tuple[str, int], dict[str, float]]:
    """Per client and size, the least CPU over the rounds (user + system, and user
    alone) and the shortest wall time; clients take turns."""
    for fn in _exporters(server, 2 * PER_PAGE).values():
        fn()  # warm up: imports, generated hooks, interpreter caches
    best: dict[tuple[str, int], dict[str, float]] = {}
    for r in range(rounds):
        for size in sizes:
            for name, fn in _exporters(server, size).items():
                if name == SDK and r > 0:
                    continue  # one run of the slowest client is enough for a reference row
                wall0, before = time.perf_counter(), os.times()
                n = fn()
                after, wall = os.times(), time.perf_counter() - wall0
                if n != size:
                    raise RuntimeError(f"{name} exported {n} items, expected {size}")
                user = after.user - before.user
                cpu = user + after.system - before.system
                old = best.get((name, size))
                best[name, size] = {
                    "items": n,
                    "wall": min(wall, old["wall"]) if old else wall,
                    "cpu": min(cpu, old["cpu"]) if old else cpu,
                    "user": min(user, old["user"]) if old else user,
                }
    return best


def _marginal(best: dict[tuple[str, int], dict[str, float]], name: str, key: str,
              sizes: tuple[int, ...]) -> float:  # fmt: skip
    """Seconds per item between the two sizes (the slope)."""
    small, large = sizes
    return (best[name, large][key] - best[name, small][key]) / (large - small)


# ------------------------------------------------------------------------- memory


def _rss_kib(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, in KiB.

    Not ``ru_maxrss``: Linux carries it over from the parent through fork and exec, so a
    child started by a large parent reports the parent's peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # other systems


def _memory_child(client: str, limit: int) -> None:
    """In a fresh process: export ``limit`` items and print RSS figures as JSON."""
    info = json.loads(sys.argv[sys.argv.index("--server") + 1])
    server = Server(api_key=os.environ[_KEY_ENV], issue_ids=(), **info)
    import plane_async  # noqa: F401  (imports count as the baseline, not as growth)

    before = _rss_kib("VmRSS")
    if client == OURS:
        n = asyncio.run(_ours(server, limit))
    else:
        n = asyncio.run(_raw(server, json.loads, limit))
    peak = _rss_kib("VmHWM")
    print(json.dumps({"items": n, "before_kib": before, "peak_kib": peak}))


def _memory(server: Server, client: str, limit: int) -> dict[str, int]:
    info = {"base_url": server.base_url, "workspace": server.workspace}
    info["project_id"] = server.project_id
    env = dict(os.environ, **{_KEY_ENV: server.api_key})
    module = "benchmarks.bench_export"
    args = ["--memory-child", client, str(limit), "--server", json.dumps(info)]
    out = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, int] = json.loads(out.stdout.strip().splitlines()[-1])
    if result["items"] != limit:
        raise RuntimeError(f"{client} exported {result['items']} items, expected {limit}")
    return result


# ------------------------------------------------------------------------- report


def run(quick: bool = False) -> Section:
    """Measure throughput and memory; returns the section for RESULTS.md."""
    sizes = (2_000, 20_000) if quick else SIZES
    rounds = 1 if quick else ROUNDS
    mem_sizes = (2_000, 20_000) if quick else MEMORY_SIZES
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    with serve(sizes[1]) as server:
        best = _throughput(server, sizes, rounds)
    load_after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    with serve(mem_sizes[1]) as server:
        memory = {
            (client, size): _memory(server, client, size)
            for client in (RAW_JSON, OURS)
            for size in mem_sizes
        }

    small, large = sizes
    slope = {n: _marginal(best, n, "cpu", sizes) for n in CLIENTS if (n, large) in best}
    user_slope = {n: _marginal(best, n, "user", sizes) for n in slope}
    rows: list[list[object]] = []
    for name in CLIENTS:
        if name not in slope:
            rows.append([name, "not installed", "", "", "", "", "", "", "", ""])
            continue
        b = best[name, large]
        rows.append(
            [
                name,
                f"{large / b['wall']:,.0f}",
                f"{best[name, small]['cpu']:.2f}",
                f"{b['cpu']:.2f}",
                f"{slope[name] * 1e6:.2f}",
                f"{slope[name] / slope[RAW_ORJSON]:.2f}x",
                f"{slope[name] / slope[RAW_JSON]:.2f}x",
                f"{slope[name] / slope[RAW_TYPED]:.2f}x",
                f"{user_slope[name] * 1e6:.2f}",
                f"{user_slope[name] / user_slope[RAW_ORJSON]:.2f}x",
            ]
        )
    body = (
        f"The first {small:,} and the first {large:,} work items at per_page={PER_PAGE}, "
        f"reading id, name, created_at and state of each; best of {rounds} rounds, clients "
        "in turns (plane-sdk: one run). The marginal cost per item is the slope from "
        f"{small:,} to {large:,} items: the client's set-up cancels out. items/s is "
        f"wall-clock at {large:,} and includes the server's share. Client CPU is user + "
        "system time of the client process; the system part is the kernel's loopback TCP "
        "work, the same for every client and the noisiest part on a busy machine, so user "
        f"time is shown on its own too. Load average before and after: {load_before}; "
        f"{load_after}.\n\n"
        + table(
            [
                "client",
                "items/s",
                f"CPU s, {small:,}",
                f"CPU s, {large:,}",
                "marginal CPU µs / item",
                "vs raw + orjson",
                "vs raw + json",
                "vs typed by hand",
                "marginal user CPU µs / item",
                "user vs raw + orjson",
            ],
            rows,
        )
    )
    mem_rows: list[list[object]] = []
    for client in (RAW_JSON, OURS):
        lo, hi = memory[(client, mem_sizes[0])], memory[(client, mem_sizes[1])]
        mem_rows.append(
            [
                client,
                f"{lo['peak_kib'] / 1024:.1f}",
                f"{hi['peak_kib'] / 1024:.1f}",
                f"{(lo['peak_kib'] - lo['before_kib']) / 1024:.1f}",
                f"{(hi['peak_kib'] - hi['before_kib']) / 1024:.1f}",
                f"{hi['peak_kib'] / lo['peak_kib']:.3f}",
            ]
        )
    body += (
        f"\nPeak memory, each export in a fresh process ({mem_sizes[0]:,} vs "
        f"{mem_sizes[1]:,} items); "
        "growth is the peak over the RSS after imports.\n\n"
        + table(
            [
                "client",
                f"peak RSS MiB, {mem_sizes[0]:,}",
                f"peak RSS MiB, {mem_sizes[1]:,}",
                f"growth MiB, {mem_sizes[0]:,}",
                f"growth MiB, {mem_sizes[1]:,}",
                "peak ratio",
            ],
            mem_rows,
        )
    )
    ours_ratio = slope[OURS] / slope[RAW_JSON]
    orjson_ratio = slope[OURS] / slope[RAW_ORJSON]
    typed_ratio = slope[OURS] / slope[RAW_TYPED]
    blocking_ratio = slope[BLOCKING] / slope[OURS]
    ours_mem = memory[(OURS, mem_sizes[1])]["peak_kib"] / memory[(OURS, mem_sizes[0])]["peak_kib"]
    checks = (
        Check(
            "export marginal CPU per item, plane_async vs raw aiohttp + orjson",
            f"{orjson_ratio:.2f}x",
            f"≤ {ORJSON_TARGET}x",
            orjson_ratio <= ORJSON_TARGET,
        ),
        Check(
            "export marginal CPU per item, plane_async vs raw aiohttp + orjson typed by hand "
            "(the same UUIDs and datetimes)",
            f"{typed_ratio:.2f}x",
            f"≤ {TYPED_TARGET}x",
            typed_ratio <= TYPED_TARGET,
        ),
        Check(
            "export marginal CPU per item, plane_async vs raw aiohttp + json",
            f"{ours_ratio:.2f}x",
            f"≤ {CPU_TARGET}x",
            ours_ratio <= CPU_TARGET,
        ),
        Check(
            "export marginal CPU per item, blocking Plane vs AsyncPlane",
            f"{blocking_ratio:.2f}x",
            f"≤ {BLOCKING_TARGET}x",
            blocking_ratio <= BLOCKING_TARGET,
        ),
        Check(
            f"export peak RSS, {mem_sizes[1]:,} vs {mem_sizes[0]:,} items (plane_async)",
            f"{ours_mem:.3f}x",
            f"≤ {MEMORY_TARGET:.2f}x",
            ours_mem <= MEMORY_TARGET,
        ),
    )
    out_rows = tuple({"client": k, "items": n, **v} for (k, n), v in best.items())
    return Section("export", f"Export of {large:,} work items", body, checks, out_rows)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_export")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--memory-child", nargs=2, metavar=("CLIENT", "ITEMS"))
    parser.add_argument("--server", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        _memory_child(args.memory_child[0], int(args.memory_child[1]))
        return
    section = run(args.quick)
    print(section.body)
    for check in section.checks:
        print(f"{check.verdict}: {check.what}: {check.value} (target {check.target})")


if __name__ == "__main__":
    main()
