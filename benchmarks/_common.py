"""Shared pieces of the benchmarks: the server child process, results and the report header.

The server is ``plane_async.testing.FakePlane`` with its rate limit off and ``per_page`` up to
1000, run in a child process (``python -m benchmarks._common serve``) so it never takes CPU
time from the client being measured: client CPU is ``time.process_time()`` of this process.

The API key is made here and handed to the child in its environment, never on a command
line or in output; the child prints only the base URL, the workspace and some ids.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs

__all__ = [
    "BENCH_RATE_LIMIT",
    "REPO_ROOT",
    "Check",
    "Section",
    "Server",
    "machine",
    "serve",
    "table",
    "versions",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
_KEY_ENV = "PLANE_BENCH_API_KEY"
#: requests per 60 s for the client's own limiter: high enough to stay out of the way
BENCH_RATE_LIMIT = 10**6


@attrs.frozen
class Server:
    """A running FakePlane child: where it listens and what it holds."""

    base_url: str  # without /api/v1
    api_key: str = attrs.field(repr=False)
    workspace: str
    project_id: str
    issue_ids: tuple[str, ...]
    pid: int = 0  # the child process (its CPU time is in /proc/<pid>/stat on Linux)

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/v1/"

    @property
    def items_path(self) -> str:
        """The work-items list path, relative to ``/api/v1/``."""
        return f"workspaces/{self.workspace}/projects/{self.project_id}/work-items/"


@contextmanager
def serve(
    issues: int, *, latency: float = 0.0, sample_ids: int = 1000, file_size_limit: int = 0
) -> Iterator[Server]:
    """Start FakePlane with one project of ``issues`` work items in a child process
    (``file_size_limit``: the largest upload it presigns; 0 keeps Plane's 5 MiB)."""
    key = "plane_api_" + secrets.token_hex(16)
    env = dict(os.environ, **{_KEY_ENV: key})
    args = [sys.executable, "-m", "benchmarks._common", "serve", str(issues), str(latency)]
    args += [str(sample_ids), str(file_size_limit)]
    proc = subprocess.Popen(
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=REPO_ROOT,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the benchmark server did not start")
        info = json.loads(line)
        yield Server(
            base_url=info["base_url"],
            api_key=key,
            workspace=info["workspace"],
            project_id=info["project_id"],
            issue_ids=tuple(info["issue_ids"]),
            pid=proc.pid,
        )
    finally:
        assert proc.stdin is not None
        proc.stdin.close()  # the child serves until its stdin closes
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _serve_child(issues: int, latency: float, sample_ids: int, file_size_limit: int) -> None:
    from plane_async.testing import FakePlane, Seed

    server = FakePlane(
        seed=Seed(projects=1, issues_per_project=issues),
        api_key=os.environ[_KEY_ENV],
        rate_limit=None,
        max_per_page=1000,
        latency=latency,
    )
    if file_size_limit:
        server.storage.file_size_limit = file_size_limit
    async with server:
        project = next(iter(server.store.projects.values()))
        ids = [str(i.id) for i in server.store.issues.values()][:sample_ids]
        info = {
            "base_url": server.base_url,
            "workspace": server.workspace,
            "project_id": str(project.id),
            "issue_ids": ids,
        }
        print(json.dumps(info), flush=True)
        # Serve until the parent closes our stdin; meanwhile drop the request log, which
        # grows with every request and is of no use here.
        closed = asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        while not (await asyncio.wait({closed}, timeout=2.0))[0]:
            server.requests.clear()


# --------------------------------------------------------------------- results


@attrs.frozen
class Check:
    """One target: what is measured, the figure, the target, met or not."""

    what: str
    value: str
    target: str
    passed: bool

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "MISS"


@attrs.frozen
class Section:
    """One benchmark's part of RESULTS.md."""

    name: str
    title: str
    body: str  # Markdown: tables and notes
    checks: tuple[Check, ...] = ()
    rows: tuple[dict[str, Any], ...] = ()


def run_alone(name: str, run: Callable[[bool], Section]) -> None:
    """``python -m benchmarks.<name> [--quick]``: one section, printed with its checks."""
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{name}")
    parser.add_argument("--quick", action="store_true")
    section = run(parser.parse_args().quick)
    print(section.body)
    for check in section.checks:
        print(f"{check.verdict}: {check.what}: {check.value} (target {check.target})")


def table(headers: list[str], rows: list[list[object]], align: str = "") -> str:
    """A Markdown table; ``align`` is one letter per column, ``l`` or ``r`` (default r
    for all but the first)."""
    align = align or "l" + "r" * (len(headers) - 1)
    sep = ["---" if a == "l" else "---:" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(sep) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def checks_table(checks: tuple[Check, ...] | list[Check]) -> str:
    rows: list[list[object]] = [[c.what, c.value, c.target, f"**{c.verdict}**"] for c in checks]
    return table(["target", "measured", "target", "result"], rows, "llll")


# --------------------------------------------------------------------- environment


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, str]:
    """CPU model, cores, Python and OS of this machine."""
    return {
        "CPU": _cpu_model(),
        "cores": str(os.cpu_count()),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "OS": f"{platform.system()} {platform.release()} ({platform.machine()})",
    }


def versions() -> dict[str, str]:
    """Versions of the packages compared."""
    out = {}
    for dist in ("plane-async", "aiohttp", "orjson", "attrs", "cattrs", "plane-sdk", "pydantic"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._common")
    sub = parser.add_subparsers(dest="command", required=True)
    serve_cmd = sub.add_parser("serve", help="run FakePlane until stdin closes")
    serve_cmd.add_argument("issues", type=int)
    serve_cmd.add_argument("latency", type=float)
    serve_cmd.add_argument("sample_ids", type=int)
    serve_cmd.add_argument("file_size_limit", type=int, nargs="?", default=0)
    args = parser.parse_args()
    asyncio.run(_serve_child(args.issues, args.latency, args.sample_ids, args.file_size_limit))


if __name__ == "__main__":
    _main()
