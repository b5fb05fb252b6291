"""examples/nightly_backup.py, run as a user runs it: in its own process, against FakePlane."""

from __future__ import annotations

from pathlib import Path

import pytest

from plane_async import AsyncPlane
from plane_async.testing import FakePlane, Seed
from tests.support.cli_helpers import FAST, rows
from tests.support.subprocess_helpers import ROOT, TROUBLE, plane_env, run_python

# runs an example program in its own process
pytestmark = pytest.mark.slow

SCRIPT = str(ROOT / "examples" / "nightly_backup.py")


async def test_the_nightly_backup_exports_then_syncs(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    async with FakePlane(seed=Seed(projects=2, issues_per_project=150), rate_limit=None) as s:
        env = plane_env(s)
        code, out, err = await run_python([SCRIPT, str(folder), *FAST], env)
        assert code == 0, err
        assert "Exported to" in out and not any(t in err for t in TROUBLE)
        async with AsyncPlane(api_key=s.api_key, workspace=s.workspace,
                              base_url=s.base_url) as plane:  # fmt: skip
            project = await anext(plane.projects.list())
            new = await plane.issues.create(project.id, name="made during the day")
        code, out, err = await run_python([SCRIPT, str(folder), *FAST], env)
        assert code == 0, err
        assert "work items: 1 new, 0 updated, 0 deleted" in out
    assert str(new.id) in {r["id"] for r in rows(folder / "work-items.jsonl")}
