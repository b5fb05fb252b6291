"""``plane-async import`` end to end: a subprocess against FakePlane on 127.0.0.1."""

from __future__ import annotations

import csv
from pathlib import Path

import orjson
import pytest

from plane_async.testing import FakePlane, Seed
from tests.support.cli_helpers import FAST, cli_env, rows, run_cli

# runs the command line against FakePlane, whole imports
pytestmark = pytest.mark.slow

MAP = "Key=external_id,Summary=name,Status=state,Prio=priority,Labels=labels,Due=target_date"


def write_csv(path: Path, items: list[tuple[str, str, str, str, str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Key", "Summary", "Status", "Prio", "Labels", "Due"])
        out.writerows(items)
    return path


def sample(n: int) -> list[tuple[str, str, str, str, str, str]]:
    return [(f"J-{i}", f"Task {i}", "Todo" if i % 2 else "in progress", "High",
             "bug; triage", f"2026-12-{i % 28 + 1:02d}") for i in range(n)]  # fmt: skip


def imported(server: FakePlane, source: str = "plane-async") -> dict[str, object]:
    return {
        i.external_id: i
        for i in server.store.issues.values()
        if i.external_source == source and server.store.visible(i)
    }


def writes(server: FakePlane) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.requests if r.method != "GET"]


async def test_a_csv_imported_twice_creates_nothing_twice(tmp_path: Path) -> None:
    file = write_csv(tmp_path / "jira.csv", sample(25))
    args = ("import", str(file), "--project", "WEB", "--map", MAP, *FAST)
    async with FakePlane(seed=Seed(issues_per_project=3), rate_limit=None) as server:
        first = await run_cli(*args, env=cli_env(server))
        assert first.code == 0, first.err
        assert "create 25, update 0, leave 0 unchanged; create labels: triage" in first.out
        made = imported(server)
        assert sorted(made) == sorted(f"J-{i}" for i in range(25))
        before = len(writes(server))
        again = await run_cli(*args, env=cli_env(server))
        assert again.code == 0, again.err
        assert "create 0, update 0, leave 25 unchanged" in again.out
        assert len(writes(server)) == before  # not one write
        assert imported(server).keys() == made.keys()
    item = made["J-1"]
    store = server.store
    assert store.states[item.state].name == "Todo"  # type: ignore[attr-defined]
    assert item.priority == "high"  # type: ignore[attr-defined]
    assert sorted(store.labels[x].name for x in item.labels) == ["bug", "triage"]  # type: ignore[attr-defined]
    assert item.target_date == "2026-12-02"  # type: ignore[attr-defined]


async def test_dry_run_shows_the_changes_and_writes_nothing(tmp_path: Path) -> None:
    file = write_csv(tmp_path / "jira.csv", sample(4))
    args = ("import", str(file), "--project", "WEB", "--map", MAP, *FAST)
    async with FakePlane(seed=Seed(issues_per_project=3), rate_limit=None) as server:
        assert (await run_cli(*args, env=cli_env(server))).code == 0
        changed = sample(4)
        changed[2] = ("J-2", "Task 2 renamed", "Done", "low", "bug; triage", "2026-12-03")
        changed.append(("J-9", "New one", "Todo", "none", "", ""))
        write_csv(file, changed)
        before = (len(writes(server)), len(server.store.issues))
        dry = await run_cli(*args, "--dry-run", env=cli_env(server))
        assert (len(writes(server)), len(server.store.issues)) == before
        assert dry.code == 0, dry.err
        assert "would create 1, would update 1, leave 3 unchanged" in dry.out
        assert "create  line 6: 'New one' (J-9)" in dry.out
        assert "update  line 4: 'Task 2': name 'Task 2' -> 'Task 2 renamed'" in dry.out
        assert "priority 'high' -> 'low'" in dry.out
        real = await run_cli(*args, env=cli_env(server))
        assert real.code == 0, real.err
        patches = [w for w in writes(server)[before[0] :] if w.startswith("PATCH")]
        assert len(patches) == 1
    assert imported(server)["J-2"].name == "Task 2 renamed"  # type: ignore[attr-defined]


async def test_bad_rows_are_reported_by_line_and_nothing_is_written(tmp_path: Path) -> None:
    file = write_csv(tmp_path / "jira.csv", [
        ("J-1", "ok", "Todo", "high", "", ""),
        ("", "no key", "Todo", "high", "", ""),
        ("J-3", "bad state", "Doing", "high", "", ""),
        ("J-4", "bad priority", "Todo", "asap", "", "31/12/2026"),
        ("J-1", "again", "Todo", "high", "", ""),
    ])  # fmt: skip
    async with FakePlane(seed=Seed(issues_per_project=3), rate_limit=None) as server:
        done = await run_cli("import", str(file), "--project", "WEB", "--map", MAP, *FAST,
                             env=cli_env(server))  # fmt: skip
        assert writes(server) == []
    assert done.code == 2
    assert "nothing was written" in done.err
    assert "line 3: no external_id" in done.err
    assert "line 4: state 'Doing' is not a state of the project (its states: backlog" in done.err
    assert "line 5: priority 'asap' is not one of urgent, high" in done.err
    assert "line 5: target_date '31/12/2026' is not a date" in done.err
    assert "line 6: external_id 'J-1' was already on line 2" in done.err


async def test_an_export_migrates_into_another_project_by_names(tmp_path: Path) -> None:
    """The README's migration recipe: export one project, import it into another."""
    out = tmp_path / "web"
    seed = Seed(projects=2, issues_per_project=40, labels=3)
    async with FakePlane(seed=seed, rate_limit=None) as server:
        env = cli_env(server)
        done = await run_cli("export", "--project", "WEB", "--out", str(out), *FAST, env=env)
        assert done.code == 0, done.err
        target = "MOB"
        args = ("import", str(out / "work-items.jsonl"), "--project", target,
                "--source", "plane:acme", *FAST)  # fmt: skip
        first = await run_cli(*args, env=env)
        assert first.code == 0, first.err
        assert "create 40, update 0, leave 0 unchanged" in first.out
        again = await run_cli(*args, env=env)
        assert "create 0, update 0, leave 40 unchanged" in again.out
        store = server.store
        moved = imported(server, "plane:acme")
    source = {r["id"]: r for r in rows(out / "work-items.jsonl")}
    states = {r["id"]: r["name"] for r in rows(out / "states.jsonl")}
    assert moved.keys() == source.keys()
    mob = next(p for p in store.projects.values() if p.identifier == target)
    for ext_id, item in moved.items():
        assert item.project_id == mob.id  # type: ignore[attr-defined]
        assert store.states[item.state].name == states[source[ext_id]["state"]]  # type: ignore[attr-defined]
        assert item.name == source[ext_id]["name"]  # type: ignore[attr-defined]


async def test_jsonl_lines_with_their_own_external_ids(tmp_path: Path) -> None:
    file = tmp_path / "items.jsonl"
    lines = [{"external_source": "github", "external_id": f"#{i}", "name": f"Issue {i}",
              "labels": ["bug"], "priority": "urgent"} for i in range(3)]  # fmt: skip
    file.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in lines))
    async with FakePlane(seed=Seed(issues_per_project=1), rate_limit=None) as server:
        done = await run_cli("import", str(file), "--project", "web", *FAST,
                             env=cli_env(server))  # fmt: skip
        assert done.code == 0, done.err
        assert sorted(imported(server, "github")) == ["#0", "#1", "#2"]
