"""Fan-out: 1,000 GETs of single work items with 20 ms of server latency.

- ``plane_async``: one ``AsyncPlane``, 50 coroutines taking ids from one shared iterator;
- ``raw aiohttp + json``: the same with one ``ClientSession`` (the floor);
- ``plane-sdk 0.3.2`` sequential: one request after another (measured on a sample and
  extrapolated to the full count, as the table says);
- ``plane-sdk 0.3.2`` in a ``ThreadPoolExecutor(50)``: one shared client (what a user
  writes first; its connection pool keeps 10 connections), and one client per thread.

The server (FakePlane with ``latency=0.02``, no rate limit) runs in another process.

Run: ``python -m benchmarks.bench_fanout [--quick]``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp

from benchmarks._common import BENCH_RATE_LIMIT, Check, Section, Server, run_alone, serve, table

REQUESTS = 1000
CONCURRENCY = 50
LATENCY = 0.02
SEQUENTIAL_SAMPLE = 100
TARGET = 20.0


async def _workers(one: Callable[[str], Any], ids: list[str]) -> None:
    todo: Iterator[str] = iter(ids)

    async def worker() -> None:
        for issue_id in todo:  # the iterator is shared: each id is taken once
            await one(issue_id)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


async def _ours(server: Server, ids: list[str]) -> None:
    from plane_async import AsyncPlane, RateLimit

    async with AsyncPlane(
        api_key=server.api_key,
        workspace=server.workspace,
        base_url=server.base_url,
        rate_limit=RateLimit(BENCH_RATE_LIMIT, 60.0),
    ) as plane:
        pid = uuid.UUID(server.project_id)

        async def one(issue_id: str) -> None:
            issue = await plane.issues.get(pid, issue_id)
            _ = issue.id, issue.name, issue.created_at, issue.state

        await _workers(one, ids)


async def _raw(server: Server, ids: list[str]) -> None:
    base = server.api_url + server.items_path
    async with aiohttp.ClientSession(headers={"X-API-Key": server.api_key}) as session:

        async def one(issue_id: str) -> None:
            async with session.get(base + issue_id + "/") as resp:
                resp.raise_for_status()
                d = json.loads(await resp.read())
            _ = d["id"], d["name"], d["created_at"], d["state"]

        await _workers(one, ids)


def _sdk_client(server: Server) -> Any:
    from plane.client import PlaneClient

    return PlaneClient(base_url=server.base_url, api_key=server.api_key)


def _sdk_get(client: Any, server: Server, issue_id: str) -> None:
    item = client.work_items.retrieve(server.workspace, server.project_id, issue_id)
    _ = item.id, item.name, item.created_at, item.state


def _sdk_sequential(server: Server, ids: list[str]) -> None:
    client = _sdk_client(server)
    for issue_id in ids:
        _sdk_get(client, server, issue_id)


def _sdk_pool_shared(server: Server, ids: list[str]) -> None:
    client = _sdk_client(server)
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(lambda i: _sdk_get(client, server, i), ids))


def _sdk_pool_per_thread(server: Server, ids: list[str]) -> None:
    local = threading.local()

    def one(issue_id: str) -> None:
        if not hasattr(local, "client"):
            local.client = _sdk_client(server)
        _sdk_get(local.client, server, issue_id)

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, ids))


def _sdk_available() -> bool:
    try:
        import plane.client  # noqa: F401
    except ImportError:
        return False
    return True


def _timed(fn: Callable[[], None]) -> tuple[float, float]:
    wall0, cpu0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall0, time.process_time() - cpu0


def run(quick: bool = False) -> Section:
    """Measure every client; returns the section for RESULTS.md."""
    requests = 200 if quick else REQUESTS
    sample = 20 if quick else SEQUENTIAL_SAMPLE
    # A full pool of 50 threads sharing 10 connections makes urllib3 warn on every
    # discarded connection; the warnings are the SDK's, not the benchmark's output.
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    results: dict[str, tuple[float, float, str]] = {}
    with serve(max(requests, 1000), latency=LATENCY) as server:
        ids = [server.issue_ids[i % len(server.issue_ids)] for i in range(requests)]
        asyncio.run(_ours(server, ids[:CONCURRENCY]))  # warm up imports and hooks
        wall, cpu = _timed(lambda: asyncio.run(_ours(server, ids)))
        results["plane_async, 50 coroutines"] = (wall, cpu, "measured")
        wall, cpu = _timed(lambda: asyncio.run(_raw(server, ids)))
        results["raw aiohttp + json, 50 coroutines"] = (wall, cpu, "measured")
        if _sdk_available():
            _sdk_sequential(server, ids[:5])
            wall, cpu = _timed(lambda: _sdk_sequential(server, ids[:sample]))
            scale = requests / sample
            results["plane-sdk 0.3.2, sequential"] = (
                wall * scale,
                cpu * scale,
                f"extrapolated: {sample} requests x {scale:g}",
            )
            wall, cpu = _timed(lambda: _sdk_pool_shared(server, ids))
            results["plane-sdk 0.3.2, ThreadPoolExecutor(50), one client"] = (
                wall,
                cpu,
                "measured",
            )
            wall, cpu = _timed(lambda: _sdk_pool_per_thread(server, ids))
            results["plane-sdk 0.3.2, ThreadPoolExecutor(50), client per thread"] = (
                wall,
                cpu,
                "measured",
            )
    ours_wall = results["plane_async, 50 coroutines"][0]
    floor = requests * LATENCY / CONCURRENCY
    rows: list[list[object]] = [
        [
            name,
            f"{wall:.2f}",
            f"{requests / wall:,.0f}",
            f"{cpu:.2f}",
            f"{wall / ours_wall:.1f}x",
            how,
        ]
        for name, (wall, cpu, how) in results.items()
    ]
    body = (
        f"{requests:,} GETs of one work item each, server latency {LATENCY * 1000:g} ms; "
        f"the latency floor at {CONCURRENCY} in flight is {floor:.2f} s.\n\n"
        + table(
            ["client", "wall s", "requests/s", "client CPU s", "wall vs plane_async", "how"],
            rows,
            "lrrrrl",
        )
    )
    checks: list[Check] = []
    sequential = results.get("plane-sdk 0.3.2, sequential")
    if sequential is not None:
        speedup = sequential[0] / ours_wall
        checks.append(
            Check(
                "fan-out speed-up, plane_async (50 coroutines) vs sequential plane-sdk",
                f"{speedup:.1f}x",
                f"≥ {TARGET:g}x",
                speedup >= TARGET,
            )
        )
    out_rows = tuple({"client": k, "wall_s": v[0], "cpu_s": v[1]} for k, v in results.items())
    return Section("fanout", f"Fan-out: {requests:,} GETs", body, tuple(checks), out_rows)


def main() -> None:
    run_alone("bench_fanout", run)


if __name__ == "__main__":
    main()
