"""``python -m plane_async demo`` against the embedded fake server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plane_async._demo import main


def test_demo_exports_every_work_item_with_state_expanded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PLANE_API_KEY", "PLANE_BASE_URL", "PLANE_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)
    out = tmp_path / "items.jsonl"
    assert main(["demo", "--issues", "40", "--per-page", "25", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 3 * 40
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(r["state"] and r["state_group"] for r in rows)
    printed = capsys.readouterr().out
    assert "Exported 120 work items from 3 projects" in printed
    assert "0 answered 429" in printed


def test_python_dash_m_runs_the_demo(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANE_")}
    out = tmp_path / "items.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "plane_async", "demo", "--issues", "5", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Exported 15 work items from 3 projects" in done.stdout
    assert len(out.read_text().splitlines()) == 15


def test_a_real_server_error_is_reported_without_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLANE_API_KEY", raising=False)
    # plain http to a remote host is refused before any request
    code = main(["demo", "--base-url", "http://plane.example.com", "--api-key", "plane_api_x"])
    assert code == 1
    err = capsys.readouterr().err
    assert "PlaneValueError" in err and "plane_api_x" not in err
