"""Running a user's program (an example, a README block) in its own process against FakePlane."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from plane_async.testing import FakePlane

ROOT = Path(__file__).resolve().parents[2]

#: warnings a user's program must not show (with -W error they are exceptions anyway)
TROUBLE = ("Warning", "Unclosed", "Traceback", "Task exception was never retrieved")


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any ``PLANE_*`` variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANE_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def plane_env(server: FakePlane, **extra: str) -> dict[str, str]:
    """The environment of a program that finds FakePlane through ``PLANE_*`` variables."""
    return clean_env(
        PLANE_API_KEY=server.api_key,
        PLANE_WORKSPACE=server.workspace,
        PLANE_BASE_URL=server.base_url,
        PLANE_WEBHOOK_SECRET="plane_wh_" + "0" * 32,  # what a webhook receiver reads
        **extra,
    )


async def run_python(
    args: Sequence[str],
    env: Mapping[str, str],
    *,
    cwd: Path = ROOT,
    timeout: float = 120.0,
) -> tuple[int, str, str]:
    """``python -W error *args`` without blocking the loop that serves FakePlane."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-W",
        "error",
        *args,
        env=dict(env),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()
