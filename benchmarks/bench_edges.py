"""The limiter at its edges, measured: what a user sees with odd headers, a lagging ``Date``,
a dead Redis and a 429 without rate headers.

Each scenario runs ``AsyncPlane`` (or worker processes of it) against a small loopback
server in its own process that rate-limits like Plane (DRF's sliding window) and can send
odd headers:

- ``reset``: the first three answers say "2, 1, 0 left" with ``X-RateLimit-Reset`` a year
  ahead; how long the fourth request waits (capped at 90 s; the server's own window is a
  minute), the limit the client shows afterwards, and, through
  ``RedisLimiter``, the TTL of the key's state in Redis (-1: none);
- ``lag``: 4 processes x 40 GETs through ``RedisLimiter`` with the learned limit, against
  20 per 1 s whose ``Date`` lags the clock by 1.2 s, as Plane's uvicorn/gunicorn does
  (``--minute``: 2 x 60 GETs against Plane's own 60 per 60 s instead);
- ``dead-redis``: 200 GETs queued behind ``RedisLimiter`` (``RateLimit(20, 1)``), Redis
  stopped after the first 20: how fast the rest get their answer, for ``fallback="error"``
  (errors) and ``fallback="local"`` (requests sent per second), over at most 60 s;
- ``headerless-429``: a server without rate headers answers the second request 429 with
  ``Retry-After: 1``: how long that request takes, and how many of 60 more finish in 10 s.

Run: ``python -m benchmarks.bench_edges [--minute] [--only NAME]``. It imports
``plane_async`` from wherever Python finds it, so the same file measures another checkout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections import deque
from email.utils import formatdate
from pathlib import Path
from typing import Any

from aiohttp import web

from benchmarks._window_server import serve_until_stdin_closes

YEAR = 365 * 86400
_HERE = Path(__file__).resolve()


# --------------------------------------------------------------------------- the server


class _Server:
    """DRF's sliding window with optional odd headers; ``GET /_stats`` reports."""

    def __init__(self, requests: int, period: float, options: dict[str, Any]) -> None:
        self.requests = requests
        self.period = period
        self.lag = float(options.get("lag", 0.0))
        self.far_reset = int(options.get("far_reset", 0))  # answers with Reset a year ahead
        self.headers = bool(options.get("headers", True))
        self.refuse = {int(n) for n in options.get("refuse", [])}  # 429 these (1-based)
        self.history: deque[float] = deque()
        self.count = 0
        self.accepted = self.refused = self.max_in_window = 0
        self.times: list[float] = []

    async def handle(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        wall = time.time()
        self.count += 1
        history = self.history
        while history and history[0] <= now - self.period:
            history.popleft()
        date = formatdate(int(wall - self.lag), usegmt=True)
        if self.count in self.refuse or len(history) >= self.requests:
            self.refused += 1
            wait = history[0] + self.period - now if history else 1.0
            if self.count in self.refuse:
                wait = 1.0  # as the issue saw it: Retry-After: 1
            return web.json_response({"error_code": 5900}, status=429,
                                     headers={"Retry-After": str(max(int(wait), 1)),
                                              "Date": date})  # fmt: skip
        history.append(now)
        self.accepted += 1
        self.times.append(now)
        self.max_in_window = max(self.max_in_window, len(history))
        headers = {"Date": date}
        if self.headers:
            reset = int(wall + self.period)
            remaining = max(self.requests - len(history), 0)
            if self.accepted <= self.far_reset:  # "3 per year": 2, 1, 0 left, Reset a year on
                reset, remaining = int(wall + YEAR), self.far_reset - self.accepted
            headers["X-RateLimit-Remaining"] = str(remaining)
            headers["X-RateLimit-Reset"] = str(reset)
        return web.json_response({"id": self.accepted}, headers=headers)

    async def stats(self, request: web.Request) -> web.Response:
        span = max(self.times) - min(self.times) if self.times else 0.0
        return web.json_response({"accepted": self.accepted, "refused": self.refused,
                                  "max_in_window": self.max_in_window, "span": span})  # fmt: skip


async def _serve(requests: int, period: float, options: dict[str, Any]) -> None:
    server = _Server(requests, period, options)
    await serve_until_stdin_closes(server.handle, server.stats)


class Served:
    """``with Served(20, 1.0, lag=1.2) as base_url:`` the server in a child process."""

    def __init__(self, requests: int, period: float, **options: Any) -> None:
        self.args = [sys.executable, str(_HERE), "serve", str(requests), str(period),
                     json.dumps(options)]  # fmt: skip
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> str:
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)  # fmt: skip
        assert self.proc.stdout is not None
        self.base_url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"
        return self.base_url

    def stats(self) -> dict[str, Any]:
        import urllib.request

        with urllib.request.urlopen(self.base_url + "/_stats") as resp:
            data: dict[str, Any] = json.loads(resp.read())
            return data

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


# --------------------------------------------------------------------------- scenarios


def _client(base_url: str, **kw: Any) -> Any:
    from plane_async import AsyncPlane

    return AsyncPlane(api_key="plane_api_" + secrets.token_hex(16), workspace="bench",
                      base_url=base_url, allow_insecure_http=True, **kw)  # fmt: skip


async def _reset(redis_url: str | None) -> dict[str, Any]:
    from plane_async import RedisLimiter

    limiter = None if redis_url is None else RedisLimiter.from_url(redis_url, prefix="edges:")
    with Served(60, 60.0, far_reset=3) as url:
        async with _client(url, limiter=limiter) as plane:
            for _ in range(3):
                await plane.request("GET", "users/me/")
            start = time.monotonic()
            try:
                await asyncio.wait_for(plane.request("GET", "users/me/"), 90.0)
                fourth = f"{time.monotonic() - start:.3f} s"
            except TimeoutError:
                fourth = "not within 90 s"
            quota = plane.quota()
        ttl = None
        if redis_url is not None:
            import redis.asyncio

            client = redis.asyncio.from_url(redis_url)
            try:
                ttl = {k.decode().rsplit(":", 1)[1]: await client.ttl(k)
                       async for k in client.scan_iter("edges:*")}  # fmt: skip
                await client.flushall()
            finally:
                await client.aclose()
    if limiter is not None:
        await limiter.aclose()
    return {"scenario": "reset", "limiter": "redis" if redis_url else "in-process",
            "fourth_request": fourth, "limit": quota.limit, "period_s": quota.period,
            "next_slot_in_s": round(quota.next_slot_in, 1), "redis_ttl_s": ttl}  # fmt: skip


def _lag(redis_url: str, minute: bool) -> dict[str, Any]:
    from benchmarks._fleet import FleetServer, ServerStats, run_workers

    requests, period, processes, each = (60, 60.0, 2, 60) if minute else (20, 1.0, 4, 40)
    total = processes * each
    minimum = (-(-total // requests) - 1) * period
    served = Served(requests, period, lag=1.2)
    with served as url:
        fleet = FleetServer(url, "plane_api_" + secrets.token_hex(16), ServerStats())
        results = run_workers(fleet, processes, requests=each, coroutines=each,
                              redis_url=redis_url, start_in=5.0)  # fmt: skip
        stats = served.stats()
    failed = [r for r in results if "done" not in r]
    if failed:
        raise RuntimeError(f"workers failed: {failed}")
    makespan = max(r["last"] for r in results) - min(r["first"] for r in results)
    return {"scenario": "lag", "server": f"{requests} per {period:g} s, Date 1.2 s behind",
            "fleet": f"{processes} processes x {each} GETs, RedisLimiter, learned",
            "429s": stats["refused"], "makespan_s": round(makespan, 3), "minimum_s": minimum,
            "ratio": round(makespan / minimum, 4),
            "server_span_ratio": round(stats["span"] / minimum, 4)}  # fmt: skip


async def _dead_redis(binary: str, fallback: str) -> dict[str, Any]:
    from benchmarks._fleet import RedisServer
    from plane_async import PlaneError, RateLimit, RedisLimiter

    redis = RedisServer(binary)
    redis.start()
    limiter = RedisLimiter.from_url(redis.url, fallback=fallback)  # type: ignore[arg-type]
    answers: list[tuple[float, str]] = []
    stopped: list[float] = []
    try:
        with Served(20, 1.0) as url:
            async with _client(url, limiter=limiter, rate_limit=RateLimit(20, 1.0),
                               max_retries=0) as plane:  # fmt: skip

                async def one() -> None:
                    try:
                        await plane.request("GET", "users/me/")
                        answers.append((time.monotonic(), "sent"))
                    except PlaneError as exc:
                        answers.append((time.monotonic(), type(exc).__name__))
                    if len(answers) == 20 and not stopped:
                        redis.stop()  # the first window's worth is through: Redis dies
                        stopped.append(time.monotonic())

                tasks = [asyncio.create_task(one()) for _ in range(200)]
                _done, pending = await asyncio.wait(tasks, timeout=75.0)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
        await limiter.aclose()
    finally:
        redis.close()
    kill = stopped[0]
    after = [(t - kill, what) for t, what in answers if t >= kill]
    outcome = "sent" if fallback == "local" else "LimiterUnavailableError"
    row: dict[str, Any] = {"scenario": "dead-redis", "fallback": fallback,
                           "queued_at_kill": 200 - 20}  # fmt: skip
    for seconds in (1, 5, 60):
        row[f"{outcome} within {seconds} s"] = sum(1 for t, w in after
                                                   if w == outcome and t <= seconds)  # fmt: skip
    row["unanswered after 60 s"] = 180 - sum(1 for t, _ in after if t <= 60)
    if fallback == "local":
        sent = sorted(t for t, w in after if w == "sent")
        if len(sent) > 1:
            row["sent per s after the kill"] = round(len(sent) / max(sent[-1], 1e-9), 2)
    return row


async def _headerless_429() -> dict[str, Any]:
    with Served(10**6, 60.0, headers=False, refuse=[2]) as url:
        async with _client(url) as plane:
            await plane.request("GET", "users/me/")
            start = time.monotonic()
            try:
                await asyncio.wait_for(plane.request("GET", "users/me/"), 90.0)
                second = round(time.monotonic() - start, 3)
            except TimeoutError:
                second = None
            tasks = [asyncio.create_task(plane.request("GET", "users/me/")) for _ in range(60)]
            done, pending = await asyncio.wait(tasks, timeout=10.0)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            quota = plane.quota()
    return {"scenario": "headerless-429", "the 429'd request took (s)": second,
            "of 60 more, done in 10 s": len(done),
            "limit afterwards": f"{quota.limit} per {quota.period:g} s"}  # fmt: skip


class _Rows(list[dict[str, Any]]):
    """The rows, each printed as one JSON line as soon as it is measured."""

    def append(self, row: dict[str, Any]) -> None:
        print(json.dumps(row), flush=True)
        super().append(row)


def run(only: set[str], minute: bool) -> list[dict[str, Any]]:
    logging.getLogger("plane_async").setLevel(logging.ERROR)
    binary = shutil.which("redis-server")
    rows = _Rows()
    if binary is None:
        raise RuntimeError("needs redis-server")
    from benchmarks._fleet import RedisServer

    def want(name: str) -> bool:
        return not only or name in only

    if want("reset"):
        rows.append(asyncio.run(_reset(None)))
        redis = RedisServer(binary)
        redis.start()
        try:
            rows.append(asyncio.run(_reset(redis.url)))
        finally:
            redis.close()
    if want("lag"):
        redis = RedisServer(binary)
        redis.start()
        try:
            rows.append(_lag(redis.url, minute))
        finally:
            redis.close()
    if want("dead-redis"):
        for fallback in ("error", "local"):
            rows.append(asyncio.run(_dead_redis(binary, fallback)))
    if want("headerless-429"):
        rows.append(asyncio.run(_headerless_429()))
    return rows


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        asyncio.run(_serve(int(sys.argv[2]), float(sys.argv[3]), json.loads(sys.argv[4])))
        return
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_edges")
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--minute", action="store_true")
    args = parser.parse_args()
    print("plane_async from", os.path.dirname(__import__("plane_async").__file__), flush=True)
    run(set(args.only), args.minute)


if __name__ == "__main__":
    main()
