"""Attachments: a large file up and down through Plane's presigned flow.

One work item on FakePlane (in a child process, its storage limit raised to fit the file).
Each case uploads the same file as an attachment (create, POST to the storage, mark
uploaded) or downloads it back:

- ``plane_async upload (path)``: ``attachments.upload(pid, iid, path)``, streamed;
- ``raw aiohttp, file read whole``: the three requests by hand with ``path.read_bytes()``,
  what a first version of such code does (the floor for time, the ceiling for memory);
- ``plane_async download (path)``: ``attachments.download(..., dest_path)``.

Time is the best of ``ROUNDS`` wall-clock runs; memory is the peak of Python allocations
(``tracemalloc``) during one more run of each, which is what a streamed transfer keeps low.

Run: ``python -m benchmarks.bench_upload [--quick]``.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

from benchmarks._common import BENCH_RATE_LIMIT, Check, Section, Server, run_alone, serve, table

SIZE = 64 * 1024 * 1024
QUICK_SIZE = 16 * 1024 * 1024
ROUNDS = 3
#: a streamed upload must not hold more than this much of the file in memory
PEAK_TARGET = 8 * 1024 * 1024
MIB = 1024 * 1024


async def _ours_upload(server: Server, iid: str, src: Path) -> None:
    from plane_async import AsyncPlane, RateLimit

    async with AsyncPlane(
        api_key=server.api_key, workspace=server.workspace, base_url=server.base_url,
        rate_limit=RateLimit(BENCH_RATE_LIMIT, 60.0),
    ) as plane:  # fmt: skip
        await plane.attachments.upload(server.project_id, iid, src)


async def _ours_download(server: Server, iid: str, dest: Path) -> None:
    from plane_async import AsyncPlane, RateLimit

    async with AsyncPlane(
        api_key=server.api_key, workspace=server.workspace, base_url=server.base_url,
        rate_limit=RateLimit(BENCH_RATE_LIMIT, 60.0),
    ) as plane:  # fmt: skip
        (att,) = [a async for a in plane.attachments.list(server.project_id, iid, max_items=1)]
        await plane.attachments.download(server.project_id, iid, att.id, dest)


async def _raw_upload(server: Server, iid: str, src: Path) -> None:
    data = src.read_bytes()  # noqa: ASYNC240 - the naive baseline on purpose
    path = f"{server.api_url}workspaces/{server.workspace}/projects/{server.project_id}"
    path += f"/work-items/{iid}/attachments/"
    headers = {"X-API-Key": server.api_key}
    async with aiohttp.ClientSession() as session:
        body = {"name": src.name, "type": "application/octet-stream", "size": len(data)}
        async with session.post(path, json=body, headers=headers) as resp:
            ticket = await resp.json()
        form = aiohttp.FormData()
        for key, value in ticket["upload_data"]["fields"].items():
            form.add_field(key, value)
        form.add_field("file", data, filename=src.name, content_type="application/octet-stream")
        async with session.post(ticket["upload_data"]["url"], data=form) as resp:
            assert resp.status == 204, resp.status
        async with session.patch(path + f"{ticket['asset_id']}/", json={}, headers=headers):
            pass


def _measure(run: Callable[[], Awaitable[None]]) -> tuple[float, int]:
    """(best wall seconds of ROUNDS, peak traced bytes of one more run)."""
    best = float("inf")
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        asyncio.run(run())
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    try:
        asyncio.run(run())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return best, peak


def run(quick: bool = False) -> Section:
    size = QUICK_SIZE if quick else SIZE
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as folder, serve(
        3, sample_ids=3, file_size_limit=size
    ) as server:  # fmt: skip
        src = Path(folder) / "big.bin"
        src.write_bytes(os.urandom(size))
        dest = Path(folder) / "copy.bin"
        iid = server.issue_ids[0]
        cases: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("plane_async upload (path)", lambda: _ours_upload(server, iid, src)),
            ("raw aiohttp, file read whole", lambda: _raw_upload(server, iid, src)),
            ("plane_async download (path)", lambda: _ours_download(server, iid, dest)),
        ]
        for name, case in cases:
            seconds, peak = _measure(case)
            rows.append({"case": name, "seconds": seconds, "mib_s": size / MIB / seconds,
                         "peak_mib": peak / MIB})  # fmt: skip
        assert dest.read_bytes() == src.read_bytes()
    body = (
        f"One {size // MIB} MiB file, FakePlane in another process on 127.0.0.1; time is the "
        f"best of {ROUNDS} runs, memory the peak of Python allocations during one run.\n\n"
        + table(
            ["case", "seconds", "MiB/s", "peak Python memory (MiB)"],
            [
                [r["case"], f"{r['seconds']:.3f}", f"{r['mib_s']:.0f}", f"{r['peak_mib']:.1f}"]
                for r in rows
            ],
        )
    )
    ours = rows[0]
    checks = (
        Check(
            f"upload of {size // MIB} MiB: peak Python memory",
            f"{ours['peak_mib']:.1f} MiB",
            f"≤ {PEAK_TARGET // MIB} MiB",
            float(str(ours["peak_mib"])) <= PEAK_TARGET / MIB,
        ),
    )
    return Section("upload", "Attachments: upload and download", body, checks, tuple(rows))


def main() -> None:
    run_alone("bench_upload", run)


if __name__ == "__main__":
    main()
