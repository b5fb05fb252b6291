"""Client CPU per request: GET one work item, sequentially, and read four of its fields.

Clients, each against the same FakePlane child process (no latency, no rate limit):

- ``raw aiohttp + json`` / ``+ orjson``: one ``ClientSession``, ``resp.read()``, decode, dict
  lookups: the floor any aiohttp client stands on;
- ``plane_async``: ``await plane.issues.get(project_id, issue_id)`` and typed attribute reads
  (id, name, created_at, state), with the limiter, retries and error mapping in the path;
  and ``await plane.request("GET", path)`` with dict lookups, which leaves out the path
  building and the models, to show what the transport alone costs;
- ``plane-sdk``: the official sync SDK, ``client.work_items.retrieve(...)`` (requests + pydantic).

CPU is ``time.process_time()`` of this process only (the server runs in another one); each
client takes its turn in every round and the best round is kept.

Run: ``python -m benchmarks.bench_cpu [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import aiohttp
import orjson

from benchmarks._common import BENCH_RATE_LIMIT, Check, Section, Server, serve, table

REQUESTS = 500
ROUNDS = 3
WARMUP = 25


def _item_path(server: Server, issue_id: str) -> str:
    return server.items_path + issue_id + "/"


async def _raw(server: Server, ids: list[str], loads: Callable[[bytes], Any]) -> float:
    headers = {"X-API-Key": server.api_key}
    base = server.api_url
    async with aiohttp.ClientSession(headers=headers) as session:
        for issue_id in ids[:WARMUP]:
            async with session.get(base + _item_path(server, issue_id)) as resp:
                await resp.read()
        start = time.process_time()
        for issue_id in ids:
            async with session.get(base + _item_path(server, issue_id)) as resp:
                resp.raise_for_status()
                d = loads(await resp.read())
            _ = d["id"], d["name"], d["created_at"], d["state"]
        return time.process_time() - start


async def _ours(server: Server, ids: list[str], raw_json: bool = False) -> float:
    from plane_async import AsyncPlane, RateLimit

    async with AsyncPlane(
        api_key=server.api_key,
        workspace=server.workspace,
        base_url=server.base_url,
        rate_limit=RateLimit(BENCH_RATE_LIMIT, 60.0),
        max_per_page=1000,
    ) as plane:
        pid = uuid.UUID(server.project_id)
        for issue_id in ids[:WARMUP]:
            await plane.issues.get(pid, issue_id)
        if raw_json:
            paths = [_item_path(server, issue_id) for issue_id in ids]
            start = time.process_time()
            for path in paths:
                d = await plane.request("GET", path)
                _ = d["id"], d["name"], d["created_at"], d["state"]
            return time.process_time() - start
        start = time.process_time()
        for issue_id in ids:
            issue = await plane.issues.get(pid, issue_id)
            _ = issue.id, issue.name, issue.created_at, issue.state
        return time.process_time() - start


def _sdk(server: Server, ids: list[str]) -> float:
    from plane.client import PlaneClient

    client = PlaneClient(base_url=server.base_url, api_key=server.api_key)
    retrieve = client.work_items.retrieve
    ws, pid = server.workspace, server.project_id
    for issue_id in ids[:WARMUP]:
        retrieve(ws, pid, issue_id)
    start = time.process_time()
    for issue_id in ids:
        item = retrieve(ws, pid, issue_id)
        _ = item.id, item.name, item.created_at, item.state
    return time.process_time() - start


def _sdk_available() -> bool:
    try:
        import plane.client  # noqa: F401
    except ImportError:
        return False
    return True


CLIENTS = (
    "raw aiohttp + json",
    "raw aiohttp + orjson",
    "plane_async: plane.issues.get",
    "plane-sdk 0.3.2",
    "plane_async: plane.request (dicts)",
)


def _measure(server: Server, requests: int, rounds: int) -> dict[str, float]:
    ids = [server.issue_ids[i % len(server.issue_ids)] for i in range(requests)]
    runs: dict[str, Callable[[], float]] = {
        CLIENTS[0]: lambda: asyncio.run(_raw(server, ids, json.loads)),
        CLIENTS[1]: lambda: asyncio.run(_raw(server, ids, orjson.loads)),
        CLIENTS[2]: lambda: asyncio.run(_ours(server, ids)),
        CLIENTS[4]: lambda: asyncio.run(_ours(server, ids, raw_json=True)),
    }
    if _sdk_available():
        runs[CLIENTS[3]] = lambda: _sdk(server, ids)
    best = {name: float("inf") for name in runs}
    for _ in range(rounds):
        for name, fn in runs.items():
            best[name] = min(best[name], fn() / requests * 1e6)
    return best


def run(quick: bool = False) -> Section:
    """Measure every client; returns the section for RESULTS.md."""
    requests = 150 if quick else REQUESTS
    rounds = 1 if quick else ROUNDS
    with serve(1000) as server:
        best = _measure(server, requests, rounds)
    floor = best[CLIENTS[0]]
    rows: list[list[object]] = []
    out_rows = []
    for name in (CLIENTS[0], CLIENTS[1], CLIENTS[4], CLIENTS[2], CLIENTS[3]):
        if name not in best:
            rows.append([name, "not installed", ""])
            continue
        us = best[name]
        rows.append([name, f"{us:.0f}", f"{us / floor:.2f}x"])
        out_rows.append({"client": name, "us_per_request": round(us, 1)})
    body = (
        f"GET one work item, {requests} sequential requests per client, best of {rounds} "
        "rounds; client CPU only (the server is another process).\n\n"
        + table(["client", "CPU µs / request", "vs raw aiohttp + json"], rows)
    )
    checks: list[Check] = []
    if CLIENTS[3] in best:
        ratio = best[CLIENTS[2]] / best[CLIENTS[3]]
        checks.append(
            Check(
                "per-request CPU, plane_async vs plane-sdk",
                f"{ratio:.2f}x",
                "< 1x (less CPU than the official SDK)",
                ratio < 1.0,
            )
        )
    return Section("cpu", "Per-request client CPU", body, tuple(checks), tuple(out_rows))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_cpu")
    parser.add_argument("--quick", action="store_true")
    section = run(parser.parse_args().quick)
    print(section.body)


if __name__ == "__main__":
    main()
