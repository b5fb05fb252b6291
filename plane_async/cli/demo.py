"""``plane-async demo``: the export job against an embedded fake Plane server.

Starts ``plane_async.testing.FakePlane`` on 127.0.0.1 (3 projects of 3,000 work items, a
rate limit of 60 requests per 10 s so the demo takes under a minute) and exports it to
``./plane-export/`` with progress bars. Interrupt it and run it again: it resumes. With
``--base-url`` it exports that server instead (as ``plane-async export`` does).
"""

from __future__ import annotations

import argparse
from typing import Any

from .. import AsyncPlane, RateLimit
from ._common import EXIT_OK, UsageError, add_connection_flags, connect, parse_rate, subcommand
from ._common import run as run_command
from ._export_options import ExportOptions, add_export_flags
from ._folder import CHECKPOINT, Folder, FolderError
from .export import Exporter

__all__ = ["DEMO_ISSUES", "DEMO_PROJECTS", "DEMO_RATE", "add_parser", "main"]

DEMO_PROJECTS = 3
DEMO_ISSUES = 3000
DEMO_RATE = "60/10"


def add_parser(sub: Any) -> None:
    parser = subcommand(
        sub, "demo", "export an embedded fake Plane server to ./plane-export/", __doc__, main
    )
    add_export_flags(parser, default_out="plane-export")
    parser.add_argument("--issues", type=int, default=DEMO_ISSUES,
                        help=f"work items per project (default {DEMO_ISSUES})")  # fmt: skip
    add_connection_flags(parser)


def main(args: argparse.Namespace) -> int:
    options = ExportOptions.from_args(args)
    if args.base_url is not None:

        async def real() -> int:
            async with connect(args) as plane:
                return await Exporter(plane, options, server=plane.base_url).run()

        return run_command(real, resume="run the same command again to continue")
    given = [f"--{k.replace('_', '-')}" for k in ("workspace", "api_key_file", "redis_url")
             if getattr(args, k) is not None]  # fmt: skip
    if given:
        raise UsageError(
            f"{', '.join(given)}: for a real server; add --base-url (without it the demo runs "
            "its embedded server)"
        )
    if not 0 <= args.issues <= 100_000:
        raise UsageError(f"--issues must be from 0 to 100000, got {args.issues}")
    rate = parse_rate(args.rate or DEMO_RATE)
    assert rate is not None
    return run_command(
        lambda: _embedded(args, options, rate),
        resume="run the same command again to continue",
    )


async def _embedded(args: argparse.Namespace, options: ExportOptions, rate: RateLimit) -> int:
    # lazy: the fake server loads aiohttp.web, which the other subcommands never need
    from ..testing import FakePlane, Seed

    seed = Seed(projects=DEMO_PROJECTS, issues_per_project=args.issues, modules=4, cycles=3,
                labels=6, members=5)  # fmt: skip
    server_name = (f"embedded demo server: {DEMO_PROJECTS} projects x {args.issues} work items, "
                   f"{rate.requests} requests per {rate.period:g} s")  # fmt: skip
    job = options.job(server_name, "acme")
    if (options.out / CHECKPOINT).exists() and not options.restart:
        try:
            # a finished demo export is simply done again
            folder = Folder.open(options.out, job, options.files)
            folder.close()
            if folder.complete:
                options = ExportOptions(**{**_fields(options), "restart": True})
        except FolderError:
            pass  # Exporter reports it
    print(f"Starting the embedded fake Plane server ({server_name})")
    fake = FakePlane(seed=seed, rate_limit=(rate.requests, rate.period), latency=0.005,
                     latency_jitter=0.01)  # fmt: skip
    async with (
        fake as server,
        AsyncPlane(
            api_key=server.api_key,
            workspace=server.workspace,
            base_url=server.base_url,
            rate_limit=RateLimit(rate.requests, rate.period, margin=0.05),
            max_per_page=max(100, options.per_page),
        ) as plane,
    ):
        code = await Exporter(plane, options, server=server_name).run()
        if code == EXIT_OK:
            print(f"  the server saw {len(server.requests):,} requests, at most "
                  f"{server.max_in_window} in any {rate.period:g} s window")  # fmt: skip
        return code


def _fields(options: ExportOptions) -> dict[str, Any]:
    import attrs

    return attrs.asdict(options, recurse=False)
