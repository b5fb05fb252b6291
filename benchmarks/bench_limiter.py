"""The limiter against naive gates, on a loopback server with Plane's sliding window.

The server allows 20 requests in any 1 s (Plane's 60 per 60 s, scaled down so the run is
short). 200 coroutines send 200 GETs in total through raw aiohttp, each gated by:

- plane_async's sliding-window limiter;
- aiolimiter's ``AsyncLimiter(20, 1)``, a leaky bucket, retrying each 429 after Retry-After;
- a pacer that sends one request every period / requests seconds.

Reported: 429s, makespan (first send to last response) and its ratio to the theoretical
minimum: the last batch of 20 may start (ceil(200 / 20) - 1) * 1 s after the first.

Run: ``python -m benchmarks.bench_limiter``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable

import aiohttp
from aiolimiter import AsyncLimiter

from benchmarks._window_server import WindowServer
from plane_async._ratelimit import RateLimit, shared_limiter
from plane_async._ratelimit.headers import parse_retry_after_pause

REQUESTS = 20
PERIOD = 1.0
TOTAL = 200
COROUTINES = 200
# Loopback jitter is well under a millisecond; the default margin is 1% of the period.
BENCH_MARGIN = 0.005
DEFAULT_MARGIN = RateLimit(REQUESTS, PERIOD).margin

Send = Callable[[aiohttp.ClientSession, str], Awaitable[int]]


def theoretical_minimum(
    total: int = TOTAL, requests: int = REQUESTS, period: float = PERIOD
) -> float:
    """Seconds from the first request to the start of the last one under an exact window."""
    return (math.ceil(total / requests) - 1) * period


class _Counter:
    def __init__(self) -> None:
        self.too_many = 0


async def _get(session: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, str]]:
    async with session.get(url) as resp:
        await resp.read()
        return resp.status, dict(resp.headers)


def _ours(
    url: str, margin: float, counter: _Counter
) -> Callable[[aiohttp.ClientSession], Awaitable[None]]:
    limiter = shared_limiter(
        url, f"benchmark-key-{margin}", RateLimit(REQUESTS, PERIOD, margin=margin)
    )

    async def one(session: aiohttp.ClientSession) -> None:
        while True:
            async with limiter.slot() as slot:
                status, headers = await _get(session, url)
                slot.observe(status, headers)
            if status != 429:
                return
            counter.too_many += 1  # the limiter's shared pause does the waiting

    return one


def _bucket(url: str, counter: _Counter) -> Callable[[aiohttp.ClientSession], Awaitable[None]]:
    bucket = AsyncLimiter(REQUESTS, PERIOD)

    async def one(session: aiohttp.ClientSession) -> None:
        while True:
            async with bucket:
                status, headers = await _get(session, url)
            if status != 429:
                return
            counter.too_many += 1
            await asyncio.sleep(parse_retry_after_pause(headers))

    return one


def _pacer(url: str, counter: _Counter) -> Callable[[aiohttp.ClientSession], Awaitable[None]]:
    interval = PERIOD / REQUESTS
    next_at: list[float] = []

    async def one(session: aiohttp.ClientSession) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            at = max(now, next_at[0]) if next_at else now
            next_at[:] = [at + interval]
            await asyncio.sleep(at - now)
            status, headers = await _get(session, url)
            if status != 429:
                return
            counter.too_many += 1
            await asyncio.sleep(parse_retry_after_pause(headers))

    return one


async def _measure(
    name: str, make: Callable[[str, _Counter], Callable[[aiohttp.ClientSession], Awaitable[None]]]
) -> dict[str, object]:
    counter = _Counter()
    async with WindowServer(REQUESTS, PERIOD) as server:
        connector = aiohttp.TCPConnector(limit=COROUTINES)
        async with aiohttp.ClientSession(connector=connector) as session:
            one = make(server.url, counter)
            # Cold start on purpose: a real job opens its connections as it goes.
            loop = asyncio.get_running_loop()
            start = loop.time()
            await asyncio.gather(*(one(session) for _ in range(COROUTINES)))
            makespan = loop.time() - start
            stats = await server.stats()
        assert stats.accepted == TOTAL
        assert stats.refused == counter.too_many
        minimum = theoretical_minimum()
        return {
            "benchmark": "limiter",
            "gate": name,
            "requests": TOTAL,
            "429s": counter.too_many,
            "max_in_window": stats.max_in_window,
            "makespan_s": round(makespan, 3),
            "minimum_s": minimum,
            "ratio": round(makespan / minimum, 4),
        }


async def run() -> list[dict[str, object]]:
    """Measure every gate against a fresh server, one after another."""
    return [
        await _measure(
            f"plane_async limiter (margin {BENCH_MARGIN * 1000:g} ms)",
            lambda url, c: _ours(url, BENCH_MARGIN, c),
        ),
        await _measure(
            f"plane_async limiter (default margin {DEFAULT_MARGIN * 1000:g} ms)",
            lambda url, c: _ours(url, DEFAULT_MARGIN, c),
        ),
        await _measure(f"aiolimiter AsyncLimiter({REQUESTS}, {PERIOD:g}) + retry", _bucket),
        await _measure(f"pacer, 1 per {PERIOD / REQUESTS * 1000:g} ms", _pacer),
    ]


def markdown(rows: list[dict[str, object]]) -> str:
    """The rows as a Markdown table."""
    head = (
        f"Limiter: {TOTAL} GETs from {COROUTINES} coroutines, server window "
        f"{REQUESTS} per {PERIOD:g} s, theoretical minimum {theoretical_minimum():g} s\n\n"
    )
    lines = [
        "| gate | 429s | makespan (s) | minimum (s) | makespan / minimum |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['gate']} | {row['429s']} | {row['makespan_s']} | {row['minimum_s']} "
            f"| {row['ratio']} |"
        )
    return head + "\n".join(lines) + "\n"


def main() -> None:
    print(markdown(asyncio.run(run())))


if __name__ == "__main__":
    main()
