"""FakePlane in a process of its own (``python -m plane_async.testing serve``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import attrs

from tests.support.subprocess_helpers import ROOT, clean_env


@attrs.define
class Served:
    """What the ready file said, and (after the block) the statistics printed at SIGTERM."""

    info: dict[str, Any]
    ready_file: Path
    stats: dict[str, Any] = attrs.Factory(dict)
    returncode: int | None = None
    stderr: str = ""


@contextlib.asynccontextmanager
async def served_fake(tmp_path: Path, *flags: str) -> AsyncIterator[Served]:
    """Start the server with ``flags``; stop it with SIGTERM when the block exits."""
    ready = tmp_path / "fake-plane.json"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-W", "error", "-m", "plane_async.testing", "serve",
        "--ready-file", str(ready), *flags,
        env=clean_env(), cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        if not line:
            raise RuntimeError((await proc.stderr.read()).decode())
        served = Served(json.loads(line), ready)
        yield served
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
        served.returncode = proc.returncode
        served.stderr = err.decode()
        served.stats = json.loads(out.decode().strip().splitlines()[-1])
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
