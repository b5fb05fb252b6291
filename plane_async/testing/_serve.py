"""``python -m plane_async.testing serve``: FakePlane as a process of its own.

For tests that need the server outside their own event loop: uvicorn workers, the command
line, Celery workers, a blocking client. The flags are the constructor's options. Once it
listens it writes a JSON "ready file" (``--ready-file``, private) and prints the same line
on stdout: ``base_url``, ``api_url``, ``api_key``, ``workspace``, ``project_ids``, ``pid``.
SIGTERM or SIGINT stops it; it then prints its statistics as one JSON line (requests by
status, 429s, injected faults, the most requests seen in one window) and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from .._ratelimit.limiter import RateLimit
from ._app import FakePlane
from ._seed import Seed

__all__ = ["main", "parser"]


def _rate(text: str) -> RateLimit | None:
    """``30/10`` (30 requests per 10 s), ``60`` (per minute) or ``off``."""
    if text.strip().lower() in ("off", "none", "0"):
        return None
    requests, _, period = text.partition("/")
    try:
        return RateLimit(int(requests), float(period or 60.0))
    except ValueError as exc:  # PlaneValueError is a ValueError too
        raise argparse.ArgumentTypeError(
            f"expected REQUESTS/SECONDS like 30/10, REQUESTS (per minute) or off: {exc}"
        ) from None


def _webhook(text: str) -> tuple[str, str]:
    url, sep, secret = text.partition("=")
    if not sep or not url.startswith(("http://", "https://")) or not secret:
        raise argparse.ArgumentTypeError("expected URL=SECRET, e.g. http://127.0.0.1:8000/hook=s3")
    return url, secret


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m plane_async.testing",
        description="FakePlane, a Plane-compatible fake server for tests.",
    )
    sub = root.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "serve",
        help="run FakePlane until SIGTERM or SIGINT",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    where = p.add_argument_group("where")
    where.add_argument("--host", default="127.0.0.1")
    where.add_argument("--port", type=int, default=0, help="0 (default): a free port")
    where.add_argument("--workspace", default="acme")
    where.add_argument("--api-key", help="default: a new random key (see the ready file)")
    where.add_argument("--ready-file", type=Path, help="write the connection details here")
    seed = p.add_argument_group("seed data (Seed)")
    defaults = Seed()
    seed.add_argument("--projects", type=int, default=defaults.projects)
    seed.add_argument("--issues-per-project", type=int, default=defaults.issues_per_project)
    seed.add_argument("--modules", type=int, default=defaults.modules)
    seed.add_argument("--cycles", type=int, default=defaults.cycles)
    seed.add_argument("--labels", type=int, default=defaults.labels)
    seed.add_argument("--members", type=int, default=defaults.members)
    seed.add_argument("--seed", type=int, default=defaults.random_seed, dest="random_seed",
                      help="Seed.random_seed: the same seed, the same ids")  # fmt: skip
    behaviour = p.add_argument_group("behaviour")
    behaviour.add_argument("--rate-limit", type=_rate, default=RateLimit(60, 60.0),
                           help="REQUESTS/SECONDS per key (default 60/60), or off")  # fmt: skip
    behaviour.add_argument("--max-per-page", type=int, default=1000)
    behaviour.add_argument("--legacy-paths", action="store_true",
                           help="only know issues/ (servers before work-items/)")  # fmt: skip
    behaviour.add_argument("--timezone", default="UTC")
    faults = p.add_argument_group("faults (Faults)")
    faults.add_argument("--latency", type=float, default=0.0)
    faults.add_argument("--latency-jitter", type=float, default=0.0)
    faults.add_argument("--fail-rate-503", type=float, default=0.0)
    faults.add_argument("--reset-rate", type=float, default=0.0)
    faults.add_argument("--truncate-rate", type=float, default=0.0)
    faults.add_argument("--burst-429", type=int, default=0)
    faults.add_argument("--burst-429-after", type=int, default=0)
    faults.add_argument("--fault-seed", type=int, default=0)
    hooks = p.add_argument_group("webhooks")
    hooks.add_argument("--webhook", type=_webhook, action="append", default=[],
                       metavar="URL=SECRET", help="post deliveries there")  # fmt: skip
    return root


def server_from(args: argparse.Namespace) -> FakePlane:
    """The FakePlane the parsed flags describe (not started)."""
    return FakePlane(
        seed=Seed(
            projects=args.projects,
            issues_per_project=args.issues_per_project,
            modules=args.modules,
            cycles=args.cycles,
            labels=args.labels,
            members=args.members,
            random_seed=args.random_seed,
        ),
        workspace=args.workspace,
        api_key=args.api_key,
        rate_limit=args.rate_limit,
        max_per_page=args.max_per_page,
        latency=args.latency,
        latency_jitter=args.latency_jitter,
        fail_rate_503=args.fail_rate_503,
        reset_rate=args.reset_rate,
        truncate_rate=args.truncate_rate,
        burst_429=args.burst_429,
        burst_429_after=args.burst_429_after,
        fault_seed=args.fault_seed,
        legacy_paths=args.legacy_paths,
        timezone=args.timezone,
        host=args.host,
        port=args.port,
        webhooks=args.webhook,
    )


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a reader never sees half), readable by us only."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(tmp, path)


class _Stats:
    """Counts the server's request log as it goes, and empties it (a long run stays small)."""

    def __init__(self, server: FakePlane) -> None:
        self.server = server
        self.by_status: collections.Counter[int] = collections.Counter()
        self.faults: collections.Counter[str] = collections.Counter()

    def fold(self) -> None:
        records, self.server.requests[:] = list(self.server.requests), []
        for record in records:
            self.by_status[record.status] += 1
            if record.fault is not None:
                self.faults[record.fault] += 1

    def report(self) -> dict[str, Any]:
        self.fold()
        server = self.server
        return {
            "requests": sum(self.by_status.values()),
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "rate_limited": self.by_status.get(429, 0),
            "faults": dict(sorted(self.faults.items())),
            "max_in_window": server.max_in_window,
            "handler_errors": len(server.errors),
            "webhook_deliveries": len(server.webhooks.deliveries),
        }


async def serve(args: argparse.Namespace) -> dict[str, Any]:
    """Run until SIGTERM/SIGINT; return the statistics."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = server_from(args)
    stats = _Stats(server)
    async with server:
        info = {
            "base_url": server.base_url,
            "api_url": server.api_url,
            "api_key": server.api_key,
            "workspace": server.workspace,
            "project_ids": [str(p) for p in server.store.projects],
            "pid": os.getpid(),
        }
        line = json.dumps(info)
        if args.ready_file is not None:
            _write_private(args.ready_file, line + "\n")
        print(line, flush=True)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 2.0)
            stats.fold()
    return stats.report()


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    report = asyncio.run(serve(args))
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
