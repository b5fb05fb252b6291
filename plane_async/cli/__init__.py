"""The ``plane-async`` command: export, sync and import a workspace; run the demo.

A user of the public API only (``plane_async``), one module per subcommand. Exit codes:
0 done, 1 error (server, network, files), 2 usage (a flag or an argument that cannot work),
130 interrupted by Ctrl-C, 143 stopped by SIGTERM (the checkpoint is saved either way).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import PlaneValueError, __version__
from . import demo, export, import_, sync
from ._common import EXIT_USAGE, UsageError, printable
from ._folder import FolderError

__all__ = ["main"]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="plane-async",
        description="Export, sync and import a Plane workspace; run the demo. "
        "Configuration: flags, else PLANE_API_KEY, PLANE_WORKSPACE, PLANE_BASE_URL.",
        epilog="exit codes: 0 done, 1 error, 2 usage, 130 interrupted (Ctrl-C), "
        "143 terminated (SIGTERM)",
    )
    top.add_argument("--version", action="version", version=f"plane-async {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    export.add_parser(sub)
    sync.add_parser(sub)
    import_.add_parser(sub)
    demo.add_parser(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except (UsageError, FolderError, PlaneValueError) as exc:
        print(f"plane-async {args.command}: error: {printable(exc)}", file=sys.stderr)
        return EXIT_USAGE
    return code
