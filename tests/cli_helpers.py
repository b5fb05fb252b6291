"""Run the ``plane-async`` command in a subprocess against a FakePlane in the test's loop."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import orjson

from plane_async.testing import FakePlane

#: the CLI's own client limit in these tests (the fake server has none)
FAST = ["--rate", "10000/1"]


@attrs.frozen
class Done:
    code: int
    out: str
    err: str


def cli_env(server: FakePlane | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANE_")}
    env["COLUMNS"] = "120"
    if server is not None:
        env.update(PLANE_API_KEY=server.api_key, PLANE_WORKSPACE=server.workspace,
                   PLANE_BASE_URL=server.base_url)  # fmt: skip
    env.update(extra)
    return env


async def run_cli(
    *args: str,
    env: Mapping[str, str],
    cwd: Path | None = None,
    stop_when: Callable[[], Awaitable[Any]] | None = None,
    stop_with: signal.Signals = signal.SIGKILL,
    stdin: bytes | None = None,
) -> Done:
    """Run ``python -m plane_async ARGS``; with ``stop_when``, send ``stop_with`` to it as
    soon as that awaitable finishes (if it is still running)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "plane_async", *args,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=dict(env), cwd=cwd,
    )  # fmt: skip
    talk = asyncio.ensure_future(proc.communicate(stdin))
    if stop_when is not None:
        trigger = asyncio.ensure_future(stop_when())
        await asyncio.wait([talk, trigger], return_when=asyncio.FIRST_COMPLETED)
        if not talk.done() and proc.returncode is None:
            proc.send_signal(stop_with)
        trigger.cancel()
    out, err = await asyncio.wait_for(talk, 120)
    assert proc.returncode is not None
    return Done(proc.returncode, out.decode(), err.decode())


class RequestTrip:
    """Sets ``event`` once the server has answered ``at`` requests (no sleeping). Create it
    before the server starts (the server binds its handler then)."""

    def __init__(self, server: FakePlane, at: int) -> None:
        self.at = at
        self.count = 0
        self.event = asyncio.Event()
        handle = server._handle

        async def counting(request: Any) -> Any:
            response = await handle(request)
            self.count += 1
            if self.count >= self.at:
                self.event.set()
            return response

        server._handle = counting  # type: ignore[method-assign]

    async def wait(self) -> None:
        await self.event.wait()


def rows(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]
