"""A fleet on one machine: FakePlane in its own process, a redis-server, and worker
processes on one key.

``fake_plane(requests, period)`` starts FakePlane with an exact sliding window in a child
process and, when the block ends, reports what it saw: requests accepted and refused (429)
and the fullest window. ``run_workers(...)`` starts worker processes (``python -m
benchmarks._fleet work``), each an ``AsyncPlane`` sending GETs from many coroutines (and
optionally several threads, each with its own ``asyncio.run``), through the in-process
limiter or a ``RedisLimiter``; each prints one JSON line of results.

Workers start together: each reports when it has imported everything and connected, then
all are handed one ``time.monotonic()`` instant (the clock is system-wide) to start at, so
a makespan is measured across processes. The API key travels in the environment, never
on a command line or in output. Used by the ``fleet`` benchmark and the fleet tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

__all__ = [
    "FleetServer",
    "RedisServer",
    "ServerStats",
    "Workers",
    "collect",
    "fake_plane",
    "free_port",
    "held_by",
    "kill_holding",
    "run_workers",
    "start_workers",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
_KEY_ENV = "PLANE_FLEET_API_KEY"


@attrs.define
class ServerStats:
    """What the server saw, filled in when its block ends."""

    accepted: int = 0
    refused: int = 0
    max_in_window: int = 0
    slack: float = 0.0
    span: float = 0.0  # from the first accepted request to the last, as the server saw them


@attrs.frozen
class FleetServer:
    base_url: str
    api_key: str = attrs.field(repr=False)
    stats: ServerStats


@contextmanager
def fake_plane(
    requests: int | None, period: float, *, latency: float = 0.0
) -> Iterator[FleetServer]:
    """FakePlane in a child process allowing ``requests`` per ``period`` s (None: no limit)."""
    key = "plane_api_" + secrets.token_hex(16)
    env = dict(os.environ, **{_KEY_ENV: key})
    args = [sys.executable, "-m", "benchmarks._fleet", "serve", str(requests or 0), str(period),
            str(latency)]  # fmt: skip
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=REPO_ROOT,
                            env=env, text=True)  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    stats = ServerStats()
    try:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the fleet's FakePlane did not start")
        yield FleetServer(json.loads(line)["base_url"], key, stats)
    finally:
        proc.stdin.close()  # the child serves until its stdin closes, then reports
        try:
            final = proc.stdout.readline()
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            final = ""
        proc.stdout.close()
        if final:
            data = json.loads(final)
            stats.accepted, stats.refused = data["accepted"], data["refused"]
            stats.max_in_window = data["max_in_window"]
            stats.slack, stats.span = data["slack"], data["span"]


async def _serve_child(requests: int, period: float, latency: float) -> None:
    from plane_async.testing import FakePlane, Seed

    server = FakePlane(
        seed=Seed(projects=1, issues_per_project=1, modules=0, cycles=0, labels=0),
        api_key=os.environ[_KEY_ENV],
        rate_limit=(requests, period) if requests else None,
        latency=latency,
    )
    accepted = refused = 0
    times: list[float] = []
    async with server:
        print(json.dumps({"base_url": server.base_url}), flush=True)
        closed = asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        while True:
            done = (await asyncio.wait({closed}, timeout=1.0))[0]
            records, server.requests[:] = list(server.requests), []
            refused += sum(1 for r in records if r.status == 429)
            accepted += sum(1 for r in records if r.status != 429)
            times += [r.time for r in records if r.status != 429]
            if done:
                break
        report = {"accepted": accepted, "refused": refused, "max_in_window": server.max_in_window,
                  "slack": _slack(sorted(times), requests, period),
                  "span": max(times) - min(times) if times else 0.0}  # fmt: skip
    print(json.dumps(report), flush=True)


def _slack(times: list[float], requests: int, period: float) -> float:
    """Mean seconds a slot stayed free past the window: for each accepted request after
    the first ``requests``, its time minus (the time of the one ``requests`` earlier plus
    ``period``). 0 is a perfect limiter."""
    if not requests or len(times) <= requests:
        return 0.0
    gaps = [times[i] - times[i - requests] - period for i in range(requests, len(times))]
    return sum(gaps) / len(gaps)


# --------------------------------------------------------------------------- Redis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class RedisServer:
    """``start()``, ``stop()``, ``url``; ``kill()`` stops it without a goodbye."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="plane-redis-")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", self.dir, "--protected-mode", "yes"]  # fmt: skip
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:  # until it answers PING
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------- workers


@attrs.frozen
class Workers:
    """Worker processes that are running; ``start_at`` is the ``time.monotonic()`` instant
    they all start sending at, ``owners`` each process's limiter owners in Redis (the
    reservations it takes are filed under them)."""

    procs: list[subprocess.Popen[str]]
    start_at: float
    owners: list[list[str]]


def start_workers(
    server: FleetServer,
    processes: int,
    *,
    requests: int,
    coroutines: int,
    threads: int = 1,
    rate: tuple[int, float] | None = None,
    redis_url: str | None = None,
    timeout: float = 30.0,
    max_retries: int = 10,
    start_in: float = 0.3,
) -> Workers:
    """Start the worker processes and wait until each has imported everything and connected;
    then tell them all to start ``start_in`` s from now. Each prints one JSON line when done.

    On 2 busy cores, six interpreters take anywhere from 2 to 15 s to start: an instant agreed
    before they start would measure their start-up instead of the limiter.
    """
    env = dict(os.environ, **{_KEY_ENV: server.api_key})
    args = [sys.executable, "-m", "benchmarks._fleet", "work", server.base_url,
            "--requests", str(requests), "--coroutines", str(coroutines),
            "--threads", str(threads), "--timeout", str(timeout),
            "--max-retries", str(max_retries)]  # fmt: skip
    if rate is not None:
        args += ["--rate", f"{rate[0]}/{rate[1]}"]
    if redis_url is not None:
        args += ["--redis", redis_url]
    procs = [
        subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=REPO_ROOT, env=env, text=True
        )
        for _ in range(processes)
    ]
    owners: list[list[str]] = []
    try:
        for proc in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"a fleet worker exited before it was ready ({proc.wait()})")
            owners.append(json.loads(line)["owners"])
    except BaseException:
        for proc in procs:
            proc.kill()
            proc.communicate()
        raise
    start_at = time.monotonic() + start_in
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(f"{start_at!r}\n")
        proc.stdin.close()
        proc.stdin = None  # communicate() would flush it
    return Workers(procs, start_at, owners)


def collect(workers: Workers, timeout: float = 300.0) -> list[dict[str, Any]]:
    """Each worker's result line (a worker killed or failing gives ``{"exit": code}``)."""
    results = []
    for proc in workers.procs:
        out, _ = proc.communicate(timeout=timeout)
        line = out.strip().splitlines()[-1] if out.strip() else ""
        results.append(json.loads(line) if proc.returncode == 0 and line else
                       {"exit": proc.returncode})  # fmt: skip
    return results


def run_workers(server: FleetServer, processes: int, **options: Any) -> list[dict[str, Any]]:
    """Start the workers and wait for their results."""
    return collect(start_workers(server, processes, **options))


def held_by(client: Any, owners: list[str]) -> tuple[list[str], list[str]]:
    """The reservations ``owners`` hold in a RedisLimiter's Redis (``client``: a synchronous
    redis-py client with ``decode_responses=True``): (requests that may have gone, tickets
    for a moment ahead, not sent)."""
    sent: list[str] = []
    tickets: list[str] = []
    for key in client.scan_iter("*:held"):
        for token, record in client.hgetall(key).items():
            if token.split(":", 1)[0] in owners:
                (sent if record.split("|")[1] == "s" else tickets).append(token)
    return sent, tickets


def kill_holding(
    client: Any,
    workers: Workers,
    index: int,
    *,
    kill_from: float,
    kill_by: float,
    low: int,
    high: int,
) -> dict[str, Any]:
    """SIGKILL worker ``index`` at the first moment from ``kill_from`` s after the start that
    it has ``low``..``high`` requests on the wire (at ``kill_by`` s whatever it has); then
    watch Redis until what it held has ended. Returns when it died (s after the start), what
    it held then, and how many seconds after its death its tickets and its sent requests
    had ended (inf: not within 20 s), and how many of the sent ones became stamps."""
    victim, owners = workers.procs[index], workers.owners[index]
    time.sleep(max(workers.start_at + kill_from - time.monotonic(), 0.0))
    while True:
        sent, _ = held_by(client, owners)
        if low <= len(sent) <= high or time.monotonic() >= workers.start_at + kill_by:
            os.kill(victim.pid, signal.SIGKILL)
            died = time.monotonic()
            break
        time.sleep(0.005)
    sent, tickets = held_by(client, owners)  # what it held when it died
    ended: dict[str, float] = {}
    while time.monotonic() < died + 20 and len(ended) < 2:
        still_sent, still_tickets = held_by(client, owners)
        if "tickets" not in ended and not still_tickets:
            ended["tickets"] = time.monotonic() - died
        if "sent" not in ended and not still_sent:
            ended["sent"] = time.monotonic() - died
        time.sleep(0.01)
    stamped = sum(1 for key in client.scan_iter("*:log") for token in sent
                  if client.zscore(key, token) is not None)  # fmt: skip
    return {
        "killed_at_s": round(died - workers.start_at, 2),
        "on_the_wire": len(sent),
        "tickets": len(tickets),
        "tickets_freed_s": round(ended.get("tickets", math.inf), 2),
        "sent_settled_s": round(ended.get("sent", math.inf), 2),
        "sent_stamped": stamped,
    }


class _Start:
    """The handshake inside a worker: every thread connected, then one start instant."""

    def __init__(self) -> None:
        self.ready = threading.Semaphore(0)
        self.go = threading.Event()
        self.at = 0.0
        self.owners: list[str] = []

    async def wait(self, owner: str | None) -> None:
        if owner is not None:
            self.owners.append(owner)
        self.ready.release()
        await asyncio.to_thread(self.go.wait)
        await asyncio.sleep(max(self.at - time.monotonic(), 0.0))

    def run(self, threads: int) -> None:
        for _ in range(threads):
            self.ready.acquire()
        print(json.dumps({"owners": self.owners}), flush=True)
        self.at = float(sys.stdin.readline())
        self.go.set()


async def _batch(
    args: argparse.Namespace, count: int, limiter: Any, start: _Start
) -> dict[str, Any]:
    from plane_async import AsyncPlane, PlaneError, RateLimit

    rate = None
    if args.rate:
        n, p = args.rate.split("/")
        rate = RateLimit(int(n), float(p))
    errors: dict[str, int] = {}
    first: list[float] = []
    last = 0.0
    async with AsyncPlane(api_key=os.environ[_KEY_ENV], base_url=args.base_url,
                          allow_insecure_http=True, rate_limit=rate, limiter=limiter,
                          max_retries=args.max_retries, timeout=args.timeout) as plane:  # fmt: skip
        owner: str | None = None
        if limiter is not None:
            await limiter.check()  # connected, as a long-running worker is, before the start
            owner = _owner(limiter)
        await start.wait(owner)
        queue = list(range(count))

        async def one() -> None:
            nonlocal last
            while queue:
                queue.pop()
                first.append(time.monotonic())
                try:
                    await plane.request("GET", "users/me/")
                except PlaneError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                last = max(last, time.monotonic())

        await asyncio.gather(*(one() for _ in range(min(args.coroutines, count))))
        stats = plane.stats
    return {"done": count - sum(errors.values()), "rate_limited": stats.rate_limited,
            "attempts": stats.requests, "errors": errors,
            "first": min(first, default=0.0), "last": last}  # fmt: skip


def _owner(limiter: Any) -> str:
    """The name this event loop's reservations are filed under in Redis (its connection
    stays for the client of this loop)."""
    name: str = limiter._conn().owner.name
    return name


def _work(args: argparse.Namespace) -> None:
    # each 429 is counted in the results; its WARNING line would only flood the output
    logging.getLogger("plane_async").setLevel(logging.ERROR)
    # the client imports aiohttp on its first request: ~1 s of CPU on a loaded machine,
    # which would block the worker's loop inside the measured run
    import aiohttp  # noqa: F401

    limiter = None
    if args.redis:
        from plane_async import RedisLimiter

        limiter = RedisLimiter.from_url(args.redis)
    results: list[dict[str, Any]] = []
    shares = [args.requests // args.threads + (i < args.requests % args.threads)
              for i in range(args.threads)]  # fmt: skip
    start = _Start()

    def thread_main(count: int) -> None:
        async def main() -> dict[str, Any]:
            try:
                return await _batch(args, count, limiter, start)
            finally:
                if limiter is not None:
                    await limiter.aclose()

        results.append(asyncio.run(main()))

    threads = [threading.Thread(target=thread_main, args=(n,)) for n in shares]
    for t in threads:
        t.start()
    start.run(args.threads)
    for t in threads:
        t.join()
    errors: dict[str, int] = {}
    for r in results:
        for name, n in r["errors"].items():
            errors[name] = errors.get(name, 0) + n
    print(json.dumps({
        "done": sum(r["done"] for r in results),
        "rate_limited": sum(r["rate_limited"] for r in results),
        "attempts": sum(r["attempts"] for r in results),
        "errors": errors,
        "first": min(r["first"] for r in results),
        "last": max(r["last"] for r in results),
    }), flush=True)  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._fleet")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("requests", type=int)
    serve.add_argument("period", type=float)
    serve.add_argument("latency", type=float)
    work = sub.add_parser("work")
    work.add_argument("base_url")
    work.add_argument("--requests", type=int, required=True)
    work.add_argument("--coroutines", type=int, default=40)
    work.add_argument("--threads", type=int, default=1)
    work.add_argument("--rate", default=None)
    work.add_argument("--redis", default=None)
    work.add_argument("--timeout", type=float, default=30.0)
    work.add_argument("--max-retries", type=int, default=10)
    args = parser.parse_args(argv)
    if args.command == "serve":
        asyncio.run(_serve_child(args.requests, args.period, args.latency))
    else:
        _work(args)


if __name__ == "__main__":
    main()
