"""The documented FastAPI setup under a real uvicorn, stopped with SIGINT mid-load.

FakePlane runs in its own process (``python -m plane_async.testing serve``) with a tight
rate limit; ``examples/fastapi_app.py`` runs under uvicorn with a graceful-shutdown timeout;
``concurrent`` requests for work items arrive at once, more than the key's window can serve
in the wait budget. Once the first answers are back (the window's worth, and the 503s of
the requests that cannot get a slot in time), uvicorn gets SIGINT while the rest still wait
for the limiter. Measured: every answer's status (and ``Retry-After``), the tracebacks in
uvicorn's log, how long the process took to exit, and the 429s the server sent.

Used by the ``shutdown`` benchmark section and by tests/client/test_fastapi_shutdown.py.
"""

from __future__ import annotations

import asyncio
import collections
import os
import re
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"


async def _start_fake(ready: Path, rate: str, issues: int) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "plane_async.testing", "serve", "--ready-file", str(ready),
        "--rate-limit", rate, "--issues-per-project", str(issues),
        cwd=REPO_ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    if not await asyncio.wait_for(proc.stdout.readline(), 60):
        raise RuntimeError("FakePlane did not start")
    return proc


async def _stop_fake(proc: asyncio.subprocess.Process) -> dict[str, Any]:
    import json

    proc.send_signal(signal.SIGTERM)
    out, _ = await asyncio.wait_for(proc.communicate(), 30)
    stats: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return stats


async def measure(
    *,
    rate: str = "30/10",
    wait_budget: str | None = "12",
    graceful: float = 15.0,
    concurrent: int = 200,
    sigint_after: int | None = None,
) -> dict[str, Any]:
    """Run the scenario once; ``wait_budget=None`` runs the app without one (as before).

    SIGINT goes once ``sigint_after`` answers are back (default: the window's requests plus
    those beyond what the budget can serve; with no budget, the window's requests).
    """
    import json

    requests, _, period = rate.partition("/")
    window = int(requests)
    with tempfile.TemporaryDirectory() as tmp:
        ready = Path(tmp) / "fake.json"
        fake = await _start_fake(ready, rate, issues=concurrent)
        try:
            info = json.loads(ready.read_text())
            env = {k: v for k, v in os.environ.items() if not k.startswith("PLANE_")}
            env.update(
                PYTHONPATH=str(REPO_ROOT),
                PLANE_API_KEY=info["api_key"],
                PLANE_WORKSPACE=info["workspace"],
                PLANE_BASE_URL=info["base_url"],
                PLANE_RATE_LIMIT=rate,
            )
            if wait_budget is not None:
                env["PLANE_WAIT_BUDGET"] = wait_budget
            else:
                env["PLANE_WAIT_BUDGET"] = "inf"
            result = await _run_app(env, info, window, float(period or 60), wait_budget,
                                    graceful, concurrent, sigint_after)  # fmt: skip
        finally:
            stats = await _stop_fake(fake)
    result["server_429s"] = stats["rate_limited"]
    result["server_requests"] = stats["requests"]
    return result


async def _run_app(
    env: dict[str, str],
    info: dict[str, Any],
    window: int,
    period: float,
    wait_budget: str | None,
    graceful: float,
    concurrent: int,
    sigint_after: int | None,
) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", "--app-dir", str(EXAMPLES), "fastapi_app:app",
        "--host", "127.0.0.1", "--port", "0", "--timeout-graceful-shutdown", str(int(graceful)),
        "--no-access-log",
        env=env, cwd=REPO_ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stderr is not None
    log: list[str] = []
    try:
        url = None
        while url is None:
            line = (await asyncio.wait_for(proc.stderr.readline(), 60)).decode()
            if not line:
                raise RuntimeError("uvicorn exited: " + "".join(log))
            log.append(line)
            if found := re.search(r"running on (http://127\.0\.0\.1:\d+)", line):
                url = found.group(1)
        drain = asyncio.create_task(_drain(proc.stderr, log))
        pid = info["project_ids"][0]
        host, port = url.removeprefix("http://").split(":")
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            # one list call gives the ids (it takes a slot of the window too)
            first = await http.get(f"/projects/{pid}/issues", params={"per_page": 100})
            ids = [row["id"] for row in first.json()["results"]]
        # Every connection opened and used once first (no Plane call): at SIGINT uvicorn
        # accepts no new connection, and every request measured must have reached the app.
        conns = await asyncio.gather(*(_open(host, int(port)) for _ in range(concurrent)))
        done: list[tuple[float, int, str | None, float]] = []  # (at, status, retry, took)
        outcomes: collections.Counter[str] = collections.Counter()

        async def one(conn: _Conn, iid: str) -> None:
            start = time.monotonic()
            try:
                status, headers = await conn.get(f"/projects/{pid}/issues/{iid}")
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                outcomes[type(exc).__name__] += 1
                return
            now = time.monotonic()
            done.append((now, status, headers.get("retry-after"), now - start))
            outcomes[str(status)] += 1

        started = time.monotonic()
        tasks = [asyncio.create_task(one(conn, ids[k % len(ids)])) for k, conn in enumerate(conns)]
        if sigint_after is None:
            if wait_budget is None:
                sigint_after = window - 1
            else:
                budget = float(wait_budget)
                servable = window * (1 + int(budget // period)) - 1  # the list took one
                sigint_after = window - 1 + max(concurrent - servable, 0)
        # polls a list the request tasks fill
        while len(done) < sigint_after and not all(t.done() for t in tasks):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the last requests written reach the app
        sigint_at = time.monotonic()
        proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), graceful + 60)
        exited_after = time.monotonic() - sigint_at
        await asyncio.gather(*tasks)
        for conn in conns:
            conn.close()
        await drain
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    text = "".join(log)
    refused = [d for d in done if d[1] == 503]
    return {
        "wait_budget": wait_budget or "none",
        "concurrent": concurrent,
        "answers": dict(sorted(outcomes.items())),
        "ok": outcomes["200"],
        "503": outcomes["503"],
        "500": outcomes["500"],
        "not_answered": concurrent - len(done),
        "503_with_retry_after": sum(1 for d in refused if d[2] is not None),
        "503_max_seconds": max((d[3] for d in refused), default=0.0),
        "ok_after_sigint": sum(1 for d in done if d[1] == 200 and d[0] > sigint_at),
        "sigint_at": sigint_at - started,
        "exited_after": exited_after,
        "exit_code": code,
        "tracebacks": text.count("Traceback"),
        "cancelled_errors": text.count("CancelledError"),
        "log_lines": len(log),
        "log": text,
    }


async def _drain(stream: asyncio.StreamReader, log: list[str]) -> None:
    while line := await stream.readline():
        log.append(line.decode())


class _Conn:
    """One keep-alive HTTP/1.1 connection, as a browser or a proxy in front would hold."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def get(self, path: str) -> tuple[int, dict[str, str]]:
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: app\r\n\r\n".encode())
        await self.writer.drain()
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        await self.reader.readexactly(length)
        return status, headers

    def close(self) -> None:
        self.writer.close()


async def _open(host: str, port: int) -> _Conn:
    reader, writer = await asyncio.open_connection(host, port)
    conn = _Conn(reader, writer)
    status, _ = await conn.get("/openapi.json")
    if status != 200:
        raise RuntimeError(f"the app answered {status} to /openapi.json")
    return conn
