"""Run the ``plane-async`` command in a subprocess against a FakePlane in the test's loop."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import orjson

from plane_async.testing import FakePlane
from tests.support.subprocess_helpers import TROUBLE, clean_env, plane_env

#: the CLI's own client limit in these tests (the fake server has none)
FAST = ["--rate", "10000/1"]


@attrs.frozen
class Done:
    code: int
    out: str
    err: str


def cli_env(server: FakePlane | None, **extra: str) -> dict[str, str]:
    """The command's environment: the server's ``PLANE_*`` variables (none without one)."""
    env = clean_env(COLUMNS="120") if server is None else plane_env(server, COLUMNS="120")
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
        sys.executable, "-W", "error", "-m", "plane_async", *args,
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
    done = Done(proc.returncode, out.decode(), err.decode())
    if proc.returncode >= 0:  # not killed: it must have cleaned up after itself
        assert not any(t in done.err for t in TROUBLE), done.err
    return done


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


class Writer:
    """Another client writing while the command runs: after every ``every`` requests of the
    command, it creates or (with ``deletes``) deletes, seeded at random, a work item of the
    first project.
    Create it before the server starts; use it as ``async with writer:`` once it runs."""

    def __init__(self, server: FakePlane, *, every: int, seed: int, deletes: bool = True) -> None:
        import random

        self.deletes = deletes
        self.server = server
        self.every = every
        self.rng = random.Random(seed)
        self.created: set[str] = set()
        self.deleted: set[str] = set()
        self._seen = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._plane: Any = None
        handle = server._handle

        async def writing(request: Any) -> Any:
            response = await handle(request)
            if request.headers.get("X-API-Key") == server.api_key and self._plane is not None:
                self._seen += 1
                if self._seen % self.every == 0:
                    task = asyncio.ensure_future(self._step())
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            return response

        server._handle = writing  # type: ignore[method-assign]

    async def __aenter__(self) -> Writer:
        from plane_async import AsyncPlane, RateLimit

        store = self.server.store
        self.project = next(iter(store.projects))
        self.initial = {i.id for i in store.issues.values() if store.visible(i)}
        self._plane = AsyncPlane(api_key=self.server.new_api_key(),
                                 workspace=self.server.workspace, base_url=self.server.base_url,
                                 rate_limit=RateLimit(10_000, 1.0))  # fmt: skip
        return self

    async def __aexit__(self, *exc: object) -> None:
        while self._tasks:
            await asyncio.gather(*self._tasks)
        plane, self._plane = self._plane, None
        await plane.aclose()

    async def _step(self) -> None:
        project_items = [
            i for i in self.server.store.projects[self.project].issues
            if i.id in self.initial and i.id not in self.deleted
        ]  # fmt: skip
        if self.deletes and self.rng.random() < 0.5 and project_items:
            victim = self.rng.choice(project_items).id
            self.deleted.add(victim)
            await self._plane.issues.delete(self.project, victim)
        else:
            item = await self._plane.issues.create(self.project, name="written meanwhile")
            self.created.add(str(item.id))
