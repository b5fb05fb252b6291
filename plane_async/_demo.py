"""The demo job: export every work item of a workspace to JSONL, fast and inside the limit.

``python -m plane_async demo`` starts the embedded fake Plane server (3 projects, thousands
of work items, a rate limit scaled so the demo takes well under a minute) and runs the job
against it. With ``--base-url``/``--api-key``/``--workspace`` (or ``PLANE_BASE_URL``,
``PLANE_API_KEY``, ``PLANE_WORKSPACE``) the same job runs against a real server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import IO, Any

from ._client import AsyncPlane
from ._errors import PlaneError
from ._models import Issue, Project, StateLite, User
from ._ratelimit import RateLimit

#: the embedded server's data and limit: ~100 requests under 60 per 10 s
DEMO_PROJECTS = 3
DEMO_ISSUES = 3000
DEMO_RATE = (60, 10.0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m plane_async", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="export every work item to JSONL")
    demo.add_argument("--base-url", default=os.environ.get("PLANE_BASE_URL"))
    demo.add_argument("--workspace", default=os.environ.get("PLANE_WORKSPACE"))
    demo.add_argument(
        "--api-key",
        default=None,
        help="default: $PLANE_API_KEY (prefer the variable: arguments show up in process lists)",
    )
    demo.add_argument("--out", default=None, help="JSONL file (default: a temporary file)")
    demo.add_argument("--per-page", type=int, default=100)
    demo.add_argument(
        "--rate",
        default=None,
        help="requests/seconds the server allows (default: learned from its headers)",
    )
    demo.add_argument("--issues", type=int, default=DEMO_ISSUES, help="fake server: per project")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    path = args.out or os.path.join(tempfile.mkdtemp(prefix="plane-demo-"), "work-items.jsonl")
    try:
        with open(path, "w", encoding="utf-8") as sink:
            code = asyncio.run(_run(args, sink))
        print(f"JSONL written to {path}")
        return code
    except PlaneError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def _run(args: argparse.Namespace, sink: IO[str]) -> int:
    real = bool(args.base_url or args.api_key or os.environ.get("PLANE_API_KEY"))
    if real:
        # no --rate: follow the limit the server announces in its X-RateLimit-* headers
        rate = _parse_rate(args.rate) if args.rate else None
        async with AsyncPlane(
            api_key=args.api_key, workspace=args.workspace, base_url=args.base_url, rate_limit=rate
        ) as plane:
            print(f"Plane server: {plane.base_url} (workspace {plane.workspace})")
            return await export(plane, sink, per_page=args.per_page)
    from .testing import FakePlane, Seed

    seed = Seed(projects=DEMO_PROJECTS, issues_per_project=args.issues, modules=4, cycles=3,
                labels=6, members=5)  # fmt: skip
    requests, period = DEMO_RATE
    print(f"Starting the embedded fake Plane server: {DEMO_PROJECTS} projects x "
          f"{args.issues} work items, limit {requests} requests per {period:g} s")  # fmt: skip
    fake = FakePlane(seed=seed, rate_limit=DEMO_RATE, latency=0.005, latency_jitter=0.01)
    async with fake as server:
        async with AsyncPlane(
            api_key=server.api_key,
            workspace=server.workspace,
            base_url=server.base_url,
            rate_limit=RateLimit(requests, period, margin=0.05),
        ) as plane:
            code = await export(plane, sink, per_page=args.per_page)
        print(f"server saw {len(server.requests)} requests, "
              f"at most {server.max_in_window} in any {period:g} s window")  # fmt: skip
        return code


def _parse_rate(text: str) -> RateLimit:
    try:
        count, seconds = text.split("/")
        return RateLimit(int(count), float(seconds))
    except ValueError:
        raise SystemExit(f"--rate must look like 60/60, got {text!r}") from None


async def export(plane: AsyncPlane, sink: IO[str], *, per_page: int = 100) -> int:
    """Fan out over projects; write each work item (state and assignees expanded) as JSONL."""
    started = time.monotonic()
    projects = [p async for p in plane.projects.list()]
    progress = _Progress(sys.stderr)

    async def one_project(project: Project) -> int:
        first = True
        async for page in plane.issues.pages(
            project.id, per_page=per_page, expand=["state", "assignees"], prefetch=1
        ):
            if first:
                progress.add_total(page.total_results)
                first = False
            # plain writes with no await between them: pages from concurrent projects
            # never interleave inside a line
            sink.writelines(json.dumps(_row(project, issue)) + "\n" for issue in page.results)
            progress.advance(len(page.results), plane)
        memberships = 0
        async for module in plane.modules.list(project.id):
            async for _ in plane.modules.issues(project.id, module.id, per_page=per_page,
                                                fields=["id"]):  # fmt: skip
                memberships += 1
        return memberships

    memberships = await asyncio.gather(*(one_project(p) for p in projects))
    progress.finish()
    elapsed = time.monotonic() - started
    stats = plane.stats
    # the window in force: the one given, or the one learned from the server's headers
    quota = plane.quota()
    minimum = max(0, math.ceil(stats.requests / quota.limit) - 1) * quota.period
    print(f"\nExported {progress.done} work items from {len(projects)} projects "
          f"({sum(memberships)} module memberships)")  # fmt: skip
    print(f"  requests   {stats.requests} ({stats.retries} retries, "
          f"{stats.rate_limited} answered 429)")  # fmt: skip
    print(f"  elapsed    {elapsed:.1f} s; theoretical minimum under {quota.limit} requests per "
          f"{quota.period:g} s: {minimum:.1f} s")  # fmt: skip
    return 0


def _row(project: Project, issue: Issue) -> dict[str, Any]:
    state = issue.state
    return {
        "project": project.identifier,
        "key": f"{project.identifier}-{issue.sequence_id}",
        "id": str(issue.id),
        "name": issue.name,
        "priority": str(issue.priority),
        "state": state.name if isinstance(state, StateLite) else None,
        "state_group": str(state.group) if isinstance(state, StateLite) else None,
        "assignees": [u.display_name for u in issue.assignees if isinstance(u, User)],
        "created_at": issue.created_at.isoformat(),
    }


class _Progress:
    """A one-line progress bar on a terminal; a line every 20% elsewhere."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.total = 0
        self.done = 0
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self._last_step = -1

    def add_total(self, n: int) -> None:
        self.total += n

    def advance(self, n: int, plane: AsyncPlane) -> None:
        self.done += n
        frac = self.done / self.total if self.total else 1.0
        quota = plane.quota()
        line = (f"  [{'#' * int(frac * 30):<30}] {self.done}/{self.total} work items, "
                f"{plane.stats.requests} requests, quota {quota.remaining}/{quota.limit}, "
                f"{time.monotonic() - self.started:.1f} s")  # fmt: skip
        if self.tty:
            self.stream.write("\r" + line)
            self.stream.flush()
        elif int(frac * 5) != self._last_step:
            self._last_step = int(frac * 5)
            self.stream.write(line + "\n")

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
