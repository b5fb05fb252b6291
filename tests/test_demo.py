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
