"""What every subcommand shares: connection flags, the client, exit codes, signals."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from .. import (
    AsyncPlane,
    AuthenticationError,
    InvalidAPIKeyError,
    PlaneError,
    PlaneValueError,
    RateLimit,
    RedisLimiter,
)
from ..types import Limiter
from ._folder import FolderError

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "UsageError",
    "add_connection_flags",
    "add_progress_flag",
    "connect",
    "fewer_collections",
    "gather",
    "parse_rate",
    "printable",
    "run",
    "subcommand",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


T = TypeVar("T")


# C0 and C1 control characters but newline and tab, DEL, and the bidirectional overrides
# that reorder what a terminal shows ("Trojan Source")
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                          "\u2066-\u2069]")  # fmt: skip


def printable(text: object) -> str:
    """``text`` safe for a terminal: server text (a project identifier, an error's
    ``detail``) can hold escape sequences that set the window title or clear lines; each
    control character is shown escaped (``\\x1b``) instead."""
    return _UNPRINTABLE.sub(_escape, str(text))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class UsageError(Exception):
    """A flag or an argument that cannot work; the message says what to do (exit code 2)."""


def subcommand(
    sub: Any, name: str, summary: str, doc: str | None, handler: Callable[..., int]
) -> argparse.ArgumentParser:
    """Add the subcommand ``name``; its module's docstring is its ``--help`` text."""
    text = re.sub(r" \(see ``[^`]*``\)", "", doc or "").replace("``", "")
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=summary, description=text, allow_abbrev=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.set_defaults(handler=handler)
    return parser


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection (flags win over the environment)")
    group.add_argument(
        "--base-url", default=None, help="the Plane server (default: $PLANE_BASE_URL, else "
        "Plane Cloud)",
    )  # fmt: skip
    group.add_argument("--workspace", default=None, help="workspace slug ($PLANE_WORKSPACE)")
    group.add_argument(
        "--api-key-file", default=None, metavar="FILE",
        help="read the API key from FILE ('-' for stdin); default: $PLANE_API_KEY",
    )  # fmt: skip
    group.add_argument(
        "--api-key", default=None, help=argparse.SUPPRESS, action=_RefuseKeyOnCommandLine
    )
    group.add_argument(
        "--rate", default=None, metavar="N/SECONDS",
        help="cap the request rate, e.g. 60/60 (default: what the server allows)",
    )  # fmt: skip
    group.add_argument(
        "--redis-url", default=None, metavar="URL",
        help="share the key's rate limit with other workers through this Redis "
        "(default: $PLANE_REDIS_URL; prefer the variable when the URL holds a password)",
    )  # fmt: skip
    group.add_argument(
        "--per-page", type=int, default=100,
        help="items per request (default 100, Plane Cloud's maximum; up to 1000 on Community "
        "Edition)",
    )  # fmt: skip
    group.add_argument(
        "--max-per-page", type=int, default=None,
        help="the largest page the server allows (Plane Cloud 100, Community Edition 1000); "
        "sync reads ids in pages this large (default: 1000, less if the server refuses)",
    )  # fmt: skip


def add_progress_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--progress", choices=("auto", "bar", "plain", "none"), default="auto",
        help="bar on a terminal, plain lines otherwise (default: auto)",
    )  # fmt: skip


class _RefuseKeyOnCommandLine(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        parser.error(
            "--api-key is not accepted: a key on the command line shows up in process lists "
            "and shell history. Set PLANE_API_KEY, or use --api-key-file FILE (- for stdin)."
        )


def parse_rate(text: str | None) -> RateLimit | None:
    if text is None:
        return None
    try:
        count, seconds = text.split("/")
        return RateLimit(int(count), float(seconds))
    except (ValueError, PlaneValueError):
        raise UsageError(
            f"--rate must be REQUESTS/SECONDS with both positive, e.g. 60/60, got {text!r}"
        ) from None


def _api_key(args: argparse.Namespace) -> str | None:
    source = getattr(args, "api_key_file", None)
    if source is None:
        return None
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        # the value is not echoed: it may be the key itself, given by mistake
        raise UsageError(
            f"--api-key-file: cannot read the file given ({exc.strerror}); it takes the path "
            "of a file holding the key (or - for stdin), never the key itself"
        ) from None
    return text.strip()


@contextlib.asynccontextmanager
async def connect(
    args: argparse.Namespace, *, limiter: Limiter | None = None, **overrides: Any
) -> AsyncIterator[AsyncPlane]:
    """The client the flags and the environment describe (flags win)."""
    per_page = args.per_page
    if isinstance(per_page, int) and not 1 <= per_page <= 1000:
        raise UsageError(f"--per-page must be from 1 to 1000, got {per_page}")
    largest = getattr(args, "max_per_page", None) or max(100, per_page)
    if not per_page <= largest <= 1000:
        raise UsageError(f"--max-per-page must be from --per-page ({per_page}) to 1000")
    options: dict[str, Any] = {
        "api_key": _api_key(args),
        "workspace": args.workspace,
        "base_url": args.base_url,
        "rate_limit": parse_rate(args.rate),
        "max_per_page": largest,
        "limiter": limiter,
        **overrides,
    }
    if not (options["api_key"] or os.environ.get("PLANE_API_KEY")):
        raise UsageError("no API key: set PLANE_API_KEY, or pass --api-key-file FILE")
    if not (options["workspace"] or os.environ.get("PLANE_WORKSPACE")):
        raise UsageError("no workspace: pass --workspace SLUG or set PLANE_WORKSPACE")
    redis_url = getattr(args, "redis_url", None) or os.environ.get("PLANE_REDIS_URL")
    async with contextlib.AsyncExitStack() as stack:
        if redis_url and limiter is None:
            shared = RedisLimiter.from_url(redis_url)
            options["limiter"] = await stack.enter_async_context(shared)
        try:
            plane = AsyncPlane(**options)
        except PlaneValueError as exc:
            raise UsageError(_cli_words(str(exc))) from None
        yield await stack.enter_async_context(plane)


#: the collector's first threshold while pages come in (Python's default is 700)
GC_THRESHOLD = 10_000


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while pages come in, as it was after.

    Every page decodes into thousands of dicts and lists that live until it is written:
    at the default threshold the collector runs several times a page and, as those
    survive, also through every object the process holds, a quarter of the export's CPU
    for garbage the pages never make (their objects are freed as soon as they are
    written, without it)."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], GC_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


async def _settle(tasks: Sequence[asyncio.Future[Any]]) -> None:
    """Wait until ``tasks`` are done, even when this wait is cancelled meanwhile (a gather
    nested in another one that fails): the cancellation is raised once they are, so the
    caller's clean-up (closing the readers these tasks iterate) never races them."""
    cancelled = False
    pending = set(tasks)
    while pending:
        try:
            _, pending = await asyncio.wait(pending)
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError


async def gather(*aws: Awaitable[T]) -> list[T]:
    """Like ``asyncio.gather``, but the first failure cancels the others and waits for them
    before it is raised (no reader is left running while the caller cleans up)."""
    tasks = [asyncio.ensure_future(a) for a in aws]
    if not tasks:
        return []
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            task.cancel()
        await _settle(tasks)
    for task in tasks:
        error = None if task.cancelled() else task.exception()
        if error is not None:
            raise error
    return [task.result() for task in tasks]


def run(main: Callable[[], Awaitable[int]], *, resume: str | Callable[[], str] = "") -> int:
    """Run ``main`` in a new event loop and map what ends it to an exit code.

    Ctrl-C (SIGINT) cancels it and returns 130, SIGTERM 143; a failure of the server, the
    network or the files is 1: ``resume`` (how to continue; a callable when that depends on
    what the run saved) is printed then, saying a valid key is needed if the key was
    refused. Refused input is 2. No traceback: messages never carry the API key
    (the client's errors do not).
    """
    terminated = False

    async def wrapper() -> int:
        nonlocal terminated
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()

        def on_term() -> None:
            nonlocal terminated
            terminated = True
            if task is not None:
                task.cancel()

        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGTERM, on_term)
        return await main()

    try:
        return asyncio.run(wrapper())
    except KeyboardInterrupt:
        _stop("\ninterrupted", resume)  # after the terminal's "^C"
        return EXIT_INTERRUPTED
    except asyncio.CancelledError:
        if not terminated:
            raise
        _stop("terminated", resume)
        return EXIT_TERMINATED
    except (UsageError, FolderError, PlaneValueError) as exc:
        print(f"plane-async: error: {printable(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except PlaneError as exc:
        hint = resume() if callable(resume) else resume
        if hint and isinstance(exc, AuthenticationError | InvalidAPIKeyError):
            hint += " (once it has a valid key: PLANE_API_KEY or --api-key-file)"
        _stop(f"plane-async: error: {type(exc).__name__}: {exc}", hint)
        return EXIT_ERROR
    except OSError as exc:
        _stop(f"plane-async: error: {exc}", resume)
        return EXIT_ERROR


def _stop(what: str, resume: str | Callable[[], str]) -> None:
    hint = resume() if callable(resume) else resume
    print(printable(what + (f"\n{hint}" if hint else "")), file=sys.stderr)


#: the client's advice (its keyword arguments) and what the command offers instead
_CLI_WORDS = (
    ("Use https://, or pass allow_insecure_http=True if you really mean it",
     "Use https:// in --base-url (the command sends plain http:// only to this machine)"),
    ("pass api_key= instead", "set PLANE_API_KEY or pass --api-key-file instead"),
)  # fmt: skip


def _cli_words(message: str) -> str:
    """A client error's advice in the command's terms."""
    for library, command in _CLI_WORDS:
        message = message.replace(library, command)
    return message
