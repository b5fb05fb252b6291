"""The command's parser and entry point: one subparser per subcommand module."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from .. import PlaneValueError, __version__
from ._common import EXIT_USAGE, UsageError, printable
from ._folder import FolderError
from .demo import add_parser as add_demo
from .export import add_parser as add_export
from .import_ import add_parser as add_import
from .sync import add_parser as add_sync

__all__ = ["main", "parser"]


def parser(secrets: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The command's parser; ``secrets`` never appear in its error messages."""

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            for secret in secrets:
                message = message.replace(secret, "***")
            super().error(message)

    top = Parser(
        prog="plane-async",
        allow_abbrev=False,  # "--api-key- KEY" must not be taken for --api-key-file KEY
        description="Export, sync and import a Plane workspace; run the demo. "
        "Configuration: flags, else PLANE_API_KEY, PLANE_WORKSPACE, PLANE_BASE_URL.",
        epilog="exit codes: 0 done, 1 error, 2 usage, 130 interrupted (Ctrl-C), "
        "143 terminated (SIGTERM)",
    )
    top.add_argument("--version", action="version", version=f"plane-async {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_export(sub)
    add_sync(sub)
    add_import(sub)
    add_demo(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser(_key_like(argv)).parse_args(argv)
    try:
        code: int = args.handler(args)
    except (UsageError, FolderError, PlaneValueError) as exc:
        print(f"plane-async {args.command}: error: {printable(exc)}", file=sys.stderr)
        return EXIT_USAGE
    return code


def _key_like(argv: Sequence[str]) -> list[str]:
    """What may be an API key on this command line: whatever follows an option that starts
    like ``--api-key`` (the key given by mistake, or to a misspelt option), and any word
    shaped like a Plane key. Parse errors print ``***`` in their place."""
    found = [word for word in argv if word.startswith("plane_api_")]
    for n, word in enumerate(argv):
        if word.startswith("--api"):
            _, eq, value = word.partition("=")
            found.append(value if eq else argv[n + 1] if n + 1 < len(argv) else "")
    return sorted({w for w in found if w}, key=len, reverse=True)
