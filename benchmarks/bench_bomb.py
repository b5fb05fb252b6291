"""Peak memory of a client fetching a compression bomb: a small gzip body that inflates
to an array of empty arrays just under ``max_response_bytes``.

Run: ``python -m benchmarks --only bomb``. Each case runs in a fresh interpreter (its peak
RSS, ``ru_maxrss``, is the figure), serving the body from a loopback aiohttp server in the
same process (the compressed body is a few KB; the server costs little):

- ``aiohttp + orjson``: ``resp.read()`` then ``orjson.loads``, what a client without the
  decoded-size bound does (plane_async before it had one behaved the same);
- ``plane_async``: ``plane.request("GET", ...)`` with ``max_response_bytes`` just above the
  inflated size; it raises ``ResponseTooLargeError`` before decoding.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import zlib
from typing import Any

from benchmarks._common import REPO_ROOT, Check, Section, table

#: inflated size of the bomb (the issue's was 60 MiB; smaller here to spare a shared machine)
INFLATED = 24 * 1024 * 1024
QUICK_INFLATED = 6 * 1024 * 1024
#: the most plane_async may hold, as a multiple of max_response_bytes, for the check
TARGET_FACTOR = 4


def _bomb(inflated: int) -> bytes:
    """The gzip body, built a piece at a time so that building it does not raise the
    process's peak RSS (the figure measured)."""
    gz = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip container
    unit = b"[]," * (1 << 15)
    full, rest = divmod(inflated // 3, 1 << 15)
    out = [gz.compress(b"[")]
    out += [gz.compress(unit) for _ in range(full)]
    out += [gz.compress(b"[]," * rest + b"0]"), gz.flush()]
    return b"".join(out)


async def _child(mode: str, inflated: int) -> dict[str, Any]:
    from aiohttp import web

    body = _bomb(inflated)

    async def answer(request: web.Request) -> web.Response:
        return web.Response(
            body=body, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
        )

    app = web.Application()
    app.router.add_get("/api/v1/bomb/", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        if mode == "raw":
            import aiohttp
            import orjson

            async with (
                aiohttp.ClientSession() as session,
                session.get(base + "/api/v1/bomb/") as resp,
            ):
                value = orjson.loads(await resp.read())
            outcome = f"decoded {len(value):,} arrays"
            del value
        else:
            from plane_async import AsyncPlane, ResponseTooLargeError

            key = "plane_api_" + "0" * 32  # the loopback server checks nothing
            async with AsyncPlane(api_key=key, base_url=base, max_response_bytes=inflated + 4096,
                                  max_retries=0) as plane:  # fmt: skip
                try:
                    await plane.request("GET", "bomb/")
                    outcome = "decoded"
                except ResponseTooLargeError:
                    outcome = "ResponseTooLargeError"
    finally:
        await runner.cleanup()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"outcome": outcome, "peak_mib": peak / 1024, "baseline_mib": before / 1024,
            "compressed": len(body)}  # fmt: skip


def _measure(mode: str, inflated: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_bomb", mode, str(inflated)],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def run(quick: bool = False) -> Section:
    inflated = QUICK_INFLATED if quick else INFLATED
    rows = [dict(case=label, **_measure(mode, inflated))
            for label, mode in (("aiohttp + orjson", "raw"), ("plane_async", "plane"))]  # fmt: skip
    ours = rows[1]
    growth = ours["peak_mib"] - ours["baseline_mib"]
    limit_mib = (inflated + 4096) / 2**20
    body = (
        f"A {rows[0]['compressed']:,}-byte gzip body inflating to {inflated / 2**20:.0f} MiB "
        "of `[],` (the client's `max_response_bytes` just above that); peak RSS of a fresh "
        "process, and its growth during the request.\n\n"
        + table(
            ["client", "outcome", "peak RSS MiB", "growth MiB"],
            [
                [
                    r["case"],
                    r["outcome"],
                    f"{r['peak_mib']:.0f}",
                    f"{r['peak_mib'] - r['baseline_mib']:.0f}",
                ]
                for r in rows
            ],
        )
    )
    checks = (
        Check(
            "compression bomb under the size cap: plane_async memory growth",
            f"{growth:.0f} MiB",
            f"≤ {TARGET_FACTOR} x max_response_bytes ({TARGET_FACTOR * limit_mib:.0f} MiB)",
            ours["outcome"] == "ResponseTooLargeError" and growth <= TARGET_FACTOR * limit_mib,
        ),
    )
    return Section("bomb", "Memory: a compression bomb", body, checks, tuple(rows))


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_child(sys.argv[1], int(sys.argv[2])))))
