"""A FastAPI service stopped under load: examples/fastapi_app.py under uvicorn
(``--timeout-graceful-shutdown 15``), FakePlane in its own process at 30 requests per 10 s,
200 concurrent requests for work items, SIGINT while requests still wait for the limiter.

Two rows: the app without a wait budget (what it did before: requests queue for up to a
minute and uvicorn cancels them at its graceful timeout) and with ``PLANE_WAIT_BUDGET=12``
(the example's setting: requests that cannot get a slot in 12 s answer 503 with
``Retry-After`` at once, the others are served, the process exits before the timeout).

Run: ``python -m benchmarks --only shutdown`` (about 45 s of real time, little CPU).
"""

from __future__ import annotations

import asyncio
from typing import Any

from benchmarks._common import Check, Section, run_alone, table
from benchmarks._shutdown import measure

RATE = "30/10"
GRACEFUL = 15.0
CONCURRENT = 200
BUDGET = "12"


def rows(quick: bool = False) -> list[dict[str, Any]]:
    out = []
    for budget in (None, BUDGET):
        result = asyncio.run(
            measure(rate=RATE, wait_budget=budget, graceful=GRACEFUL, concurrent=CONCURRENT)
        )
        result.pop("log")
        out.append(result)
    return out


def run(quick: bool = False) -> Section:
    results = rows(quick)
    body = (
        f"{CONCURRENT} concurrent GETs through the example app, FakePlane at "
        f"{RATE.replace('/', ' requests per ')} s, uvicorn "
        f"`--timeout-graceful-shutdown {GRACEFUL:g}`, SIGINT once the first window's "
        "answers are back.\n\n"
        + table(
            [
                "wait budget",
                "200",
                "503 (with Retry-After)",
                "500",
                "unanswered",
                "slowest 503 s",
                "served after SIGINT",
                "exit after SIGINT s",
                "tracebacks",
                "uvicorn log lines",
                "429s",
            ],
            [
                [
                    r["wait_budget"],
                    r["ok"],
                    f"{r['503']} ({r['503_with_retry_after']})",
                    r["500"],
                    r["not_answered"],
                    f"{r['503_max_seconds']:.2f}",
                    r["ok_after_sigint"],
                    f"{r['exited_after']:.1f}",
                    r["tracebacks"],
                    r["log_lines"],
                    r["server_429s"],
                ]
                for r in results
            ],
        )
    )  # fmt: skip
    after = results[-1]
    checks = (
        Check(
            "shutdown: 500s and tracebacks at SIGINT, with a wait budget",
            str(after["500"] + after["tracebacks"]),
            "0",
            after["500"] + after["tracebacks"] == 0,
        ),
        Check(
            "shutdown: exit after SIGINT, with a wait budget",
            f"{after['exited_after']:.1f} s",
            f"< {GRACEFUL:g} s",
            after["exited_after"] < GRACEFUL,
        ),
        Check(
            "shutdown: every 503 has Retry-After",
            f"{after['503_with_retry_after']}/{after['503']}",
            "all",
            after["503_with_retry_after"] == after["503"],
        ),
    )
    return Section("shutdown", "A FastAPI service stopped under load", body, checks, tuple(results))


if __name__ == "__main__":
    run_alone("bench_shutdown", run)
