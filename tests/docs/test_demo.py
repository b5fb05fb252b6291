"""``plane-async demo`` (and ``python -m plane_async demo``) against the embedded fake server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from plane_async.cli import main
from tests.support.cli_helpers import cli_env

# runs `python -m plane_async demo` in its own process
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _no_plane_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PLANE_API_KEY", "PLANE_BASE_URL", "PLANE_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)


def test_demo_exports_the_embedded_server_to_plane_export_in_the_current_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["demo", "--issues", "40", "--per-page", "25", "--rate", "500/1", "--progress=none"]
    assert main(args) == 0
    out = tmp_path / "plane-export"
    rows = [json.loads(line) for line in (out / "work-items.jsonl").read_text().splitlines()]
    assert len(rows) == 3 * 40
    assert len({r["id"] for r in rows}) == len(rows)
    printed = capsys.readouterr().out
    assert "500 requests per 1 s" in printed  # --rate reaches the embedded server too
    assert "work-items               120" in printed
    assert "0 answered 429" in printed
    match = re.search(r"requests (\d+) \(", printed)
    assert match is not None
    requests = match.group(1)
    assert f"the server saw {requests} requests" in printed
    # a second run exports again into the same folder (no new temporary folder)
    assert main(args) == 0
    assert len((out / "work-items.jsonl").read_text().splitlines()) == 120
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plane-export"]


def test_python_dash_m_runs_the_demo(tmp_path: Path) -> None:
    out = tmp_path / "export"
    done = subprocess.run(
        [sys.executable, "-m", "plane_async", "demo", "--issues", "5", "--out", str(out)],
        capture_output=True, text=True, env=cli_env(None), timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "work-items                15" in done.stdout
    assert len((out / "work-items.jsonl").read_text().splitlines()) == 15
    assert "work-items: 15/15 items done" in done.stderr  # not a terminal: plain lines


def test_a_bad_demo_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--rate", "fast"]) == 2
    assert "--rate must be REQUESTS/SECONDS" in capsys.readouterr().err


def test_flags_for_a_real_server_are_not_silently_ignored(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--workspace", "acme", "--redis-url", "redis://127.0.0.1:9/0"]) == 2
    err = capsys.readouterr().err
    assert "--workspace, --redis-url: for a real server; add --base-url" in err
