"""A fleet on one key: 6 worker processes x 40 coroutines, 240 GETs under 20 per 1 s.

FakePlane runs in its own process with an exact sliding window; the workers start together
(an agreed monotonic instant) and each sends 40 GETs through ``AsyncPlane``:

- with its own in-process limiter (``RateLimit(20, 1)``): each process believes it has the
  whole window;
- with ``RedisLimiter`` and ``RateLimit(20, 1)``, and with ``RedisLimiter`` and the default
  (the limit learned from the server's headers), one redis-server for all.

Reported: the 429s the server sent; over the theoretical minimum ((ceil(240 / 20) - 1) x
1 s, from the first request to the start of the last), the span the server saw (its first
accepted request to its last: what the minimum describes) and the clients' makespan (the
first send to the last response, across processes, so it also counts the processes'
start-up skew on a loaded machine and the last response); the mean slack per slot (how long
a slot stayed free past the window, as the server saw it); and the limiter's own cost per
request: one uncontended acquire + release, in-process and through Redis (two script calls
on loopback).

Then "a worker killed mid-run": the same fleet through ``RedisLimiter`` against a server that
answers in 200 ms, client timeout 5 s; once healthy, once with one process SIGKILLed between
+2 and +5 s at a moment it has 3-7 requests on the wire. Reported: the survivors' makespan
over the whole fleet's minimum, what the dead process held in Redis when it died (requests
sent, tickets for moments ahead), and how soon after its death those ended (its tickets
freed, its sent requests turned into stamps as late as the server could have counted them).

Then "learned limit": one process with every setting left at its default against servers
allowing 20 and 100 per 1 s, makespan over minimum.

Run: ``python -m benchmarks --only fleet``.
"""

from __future__ import annotations

import asyncio
import math
import shutil
import time
from typing import Any

from benchmarks._fleet import (
    RedisServer,
    collect,
    fake_plane,
    kill_holding,
    run_workers,
    start_workers,
)

PROCESSES = 6
COROUTINES = 40
TOTAL = 240
REQUESTS = 20
PERIOD = 1.0
LEARNED = ((20, 200), (100, 600))  # (requests per 1 s, requests sent)
#: the killed-worker case: server latency, client timeout, when the victim may die
LATENCY, TIMEOUT = 0.2, 5.0
KILL_FROM, KILL_BY, ON_THE_WIRE = 2.0, 5.0, (3, 7)


def minimum(total: int, requests: int, period: float = PERIOD) -> float:
    """Seconds from the first request to the start of the last one under an exact window."""
    return (math.ceil(total / requests) - 1) * period


def _fleet_row(name: str, redis_url: str | None, rate: tuple[int, float] | None) -> dict[str, Any]:
    with fake_plane(REQUESTS, PERIOD) as server:
        results = run_workers(server, PROCESSES, requests=TOTAL // PROCESSES,
                              coroutines=COROUTINES, rate=rate, redis_url=redis_url)  # fmt: skip
    failed = [r for r in results if "done" not in r]
    if failed:
        raise RuntimeError(f"{len(failed)} worker(s) failed: {failed}")
    makespan = max(r["last"] for r in results) - min(r["first"] for r in results)
    least = minimum(TOTAL, REQUESTS)
    return {
        "benchmark": "fleet",
        "limiter": name,
        "requests": sum(r["done"] for r in results),
        "errors": sum(sum(r["errors"].values()) for r in results),
        "429s": server.stats.refused,
        "max_in_window": server.stats.max_in_window,
        "makespan_s": round(makespan, 3),
        "minimum_s": least,
        "ratio": round(makespan / least, 4),
        "server_span_s": round(server.stats.span, 3),
        "server_ratio": round(server.stats.span / least, 4),
        "slack_ms": round(server.stats.slack * 1000, 1),
    }


async def _overhead(limiter: Any, rounds: int = 500) -> float:
    """Mean seconds of one uncontended acquire + release."""
    started = time.perf_counter()
    for _ in range(rounds):
        async with limiter.slot(timeout=30.0) as slot:
            slot.observe(200, {})
    return (time.perf_counter() - started) / rounds


async def _overheads(redis_url: str) -> tuple[float, float]:
    from plane_async import RateLimit, RedisLimiter
    from plane_async._ratelimit.window import SlidingWindowLimiter

    local = await _overhead(SlidingWindowLimiter(RateLimit(10**9, 1.0)))
    async with RedisLimiter.from_url(redis_url) as backend:
        shared = backend.for_key("https://bench.example", "bench", RateLimit(10**9, 1.0))
        remote = await _overhead(shared)
    return local, remote


def _learned_row(requests: int, total: int) -> dict[str, Any]:
    with fake_plane(requests, PERIOD) as server:
        (result,) = run_workers(server, 1, requests=total, coroutines=total)
    if "done" not in result:
        raise RuntimeError(f"the worker failed: {result}")
    makespan = result["last"] - result["first"]
    least = minimum(total, requests)
    return {
        "benchmark": "fleet-learned",
        "server": f"{requests} per {PERIOD:g} s",
        "requests": result["done"],
        "429s": server.stats.refused,
        "max_in_window": server.stats.max_in_window,
        "makespan_s": round(makespan, 3),
        "minimum_s": least,
        "ratio": round(makespan / least, 4),
    }


def killed_run(
    redis_url: str,
    *,
    kill: bool,
    kill_from: float = KILL_FROM,
    on_the_wire: tuple[int, int] = ON_THE_WIRE,
) -> dict[str, Any]:
    """The fleet through RedisLimiter against a 200 ms server; with ``kill``, the first
    worker is SIGKILLed once it has ``on_the_wire`` requests on the wire (from ``kill_from``
    s; at KILL_BY s whatever it has). Returns the survivors' figures and what the victim held."""
    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    row: dict[str, Any] = {"benchmark": "fleet-killed", "case": "one killed" if kill else
                           "healthy"}  # fmt: skip
    try:
        with fake_plane(REQUESTS, PERIOD, latency=LATENCY) as server:
            workers = start_workers(server, PROCESSES, requests=TOTAL // PROCESSES,
                                    coroutines=COROUTINES, rate=(REQUESTS, PERIOD),
                                    redis_url=redis_url, timeout=TIMEOUT)  # fmt: skip
            if kill:
                low, high = on_the_wire
                row.update(kill_holding(client, workers, 0, kill_from=kill_from,
                                        kill_by=KILL_BY, low=low, high=high))  # fmt: skip
            results = collect(workers)
    finally:
        client.close()
    survivors = results[1:] if kill else results
    failed = [r for r in survivors if "done" not in r]
    if failed:
        raise RuntimeError(f"{len(failed)} worker(s) failed: {failed}")
    makespan = max(r["last"] for r in survivors) - workers.start_at
    least = minimum(TOTAL, REQUESTS)
    row.update({
        "requests": sum(r["done"] for r in survivors),
        "errors": sum(sum(r["errors"].values()) for r in survivors),
        "429s": server.stats.refused,
        "max_in_window": server.stats.max_in_window,
        "makespan_s": round(makespan, 3),
        "minimum_s": least,
        "ratio": round(makespan / least, 4),
    })  # fmt: skip
    return row


Rows = list[dict[str, Any]]


def run() -> tuple[Rows, Rows, Rows, tuple[float, float]]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("the fleet benchmark needs redis-server (make bench installs it)")
    redis = RedisServer(binary)
    redis.start()
    try:
        rate = (REQUESTS, PERIOD)
        fleet = [
            _fleet_row("in-process limiter per process, RateLimit(20, 1)", None, rate),
            _fleet_row("RedisLimiter, RateLimit(20, 1)", redis.url, rate),
            _fleet_row("RedisLimiter, default (learned)", redis.url, None),
        ]
        killed = [killed_run(redis.url, kill=False), killed_run(redis.url, kill=True)]
        overheads = asyncio.run(_overheads(redis.url))
    finally:
        redis.close()
    learned = [_learned_row(requests, total) for requests, total in LEARNED]
    return fleet, killed, learned, overheads


def markdown(fleet: Rows, killed: Rows, learned: Rows, overheads: tuple[float, float]) -> str:
    local, remote = overheads
    lines = [
        f"{PROCESSES} processes x {COROUTINES} coroutines, {TOTAL} GETs on one key; FakePlane "
        f"in its own process allows {REQUESTS} per {PERIOD:g} s (exact sliding window); "
        f"theoretical minimum {minimum(TOTAL, REQUESTS):g} s. One redis-server on loopback.",
        "",
        "| limiter | 429s (server) | busiest window | server span (s) | span / minimum "
        "| slack per slot (ms) | client makespan (s) | makespan / minimum |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in fleet:
        lines.append(f"| {r['limiter']} | {r['429s']} | {r['max_in_window']} | "
                     f"{r['server_span_s']} | {r['server_ratio']} | {r['slack_ms']} | "
                     f"{r['makespan_s']} | {r['ratio']} |")  # fmt: skip
    lines += [
        "",
        f"Limiter cost per request (uncontended acquire + release, mean of 500): in-process "
        f"{local * 1e6:.0f} µs, RedisLimiter {remote * 1e6:.0f} µs.",
        "",
        f"A worker killed mid-run: the same fleet through `RedisLimiter`, RateLimit(20, 1), "
        f"against a server answering in {LATENCY * 1000:.0f} ms, client timeout {TIMEOUT:g} s; "
        f"one process SIGKILLed between +{KILL_FROM:g} and +{KILL_BY:g} s with "
        f"{ON_THE_WIRE[0]}-{ON_THE_WIRE[1]} requests on the wire. Makespan: the start to the "
        "survivors' last response, over the whole fleet's minimum. What the dead process held "
        "when it died, and when (after its death) its tickets were freed and its sent "
        "requests became stamps (as late as the server could have counted them).",
        "",
        "| case | requests (survivors) | errors | 429s | busiest window | makespan (s) "
        "| makespan / minimum | killed at (s) | on the wire | tickets ahead "
        "| tickets freed after (s) | sent settled after (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in killed:
        lines.append(f"| {r['case']} | {r['requests']} | {r['errors']} | {r['429s']} | "
                     f"{r['max_in_window']} | {r['makespan_s']} | {r['ratio']} | "
                     f"{r.get('killed_at_s', '')} | {r.get('on_the_wire', '')} | "
                     f"{r.get('tickets', '')} | {r.get('tickets_freed_s', '')} | "
                     f"{r.get('sent_settled_s', '')} |")  # fmt: skip
    lines += [
        "",
        "Learned limit: one process, every setting at its default (`rate_limit=None`).",
        "",
        "| server | requests | 429s | busiest window | makespan (s) | minimum (s) | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in learned:
        lines.append(f"| {r['server']} | {r['requests']} | {r['429s']} | {r['max_in_window']} "
                     f"| {r['makespan_s']} | {r['minimum_s']} | {r['ratio']} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    print(markdown(*run()))


if __name__ == "__main__":
    main()
