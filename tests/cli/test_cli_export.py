"""``plane-async export`` end to end: a subprocess against FakePlane on 127.0.0.1."""

from __future__ import annotations

import asyncio
import random
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from plane_async.testing import FakePlane, Seed
from tests.support.cli_helpers import FAST, Done, RequestTrip, Writer, cli_env, rows, run_cli

# runs the command line, in its own process for the resume tests
pytestmark = pytest.mark.slow

SEED = Seed(projects=2, issues_per_project=230, modules=3, cycles=2, labels=3, members=2)


def live_issue_ids(server: FakePlane) -> set[str]:
    store = server.store
    return {i.id for i in store.issues.values() if store.visible(i)}


def lines_of(folder: Path, name: str) -> list[bytes]:
    return (folder / f"{name}.jsonl").read_bytes().splitlines()


async def test_export_writes_one_file_per_resource_and_the_summary_agrees_with_the_bars(
    tmp_path: Path,
) -> None:
    out = tmp_path / "backup"
    async with FakePlane(seed=SEED, rate_limit=None) as server:
        done = await run_cli("export", "--out", str(out), *FAST, env=cli_env(server))
    assert done.code == 0, done.err
    items = rows(out / "work-items.jsonl")
    assert {r["id"] for r in items} == live_issue_ids(server)
    assert len(items) == 460
    assert len(rows(out / "projects.jsonl")) == 2
    assert len(rows(out / "states.jsonl")) == 10
    members = rows(out / "members.jsonl")
    assert all(m["project"] for m in members)
    module_links = rows(out / "module-work-items.jsonl")
    assert module_links and set(module_links[0]) == {"module", "project", "work_item"}
    assert not (out / "comments.jsonl").exists()
    # the plan came first, then plain progress lines (not a terminal), then the summary
    assert "work-items" in done.out and "requests" in done.out.splitlines()[2]
    assert "work-items: 460 items to fetch" in done.err
    assert "work-items: 460/460 items done in" in done.err
    summary = done.out[done.out.index("Exported to") :]
    assert " work-items " in summary and "460" in summary
    assert f"module-work-items  {len(module_links):>9,}" in summary
    assert (
        f"module-work-items: {len(module_links)}/{len(module_links)} memberships done" in done.err
    )
    requests = len(server.requests)
    assert f"requests {requests} (0 retries, 0 answered 429)" in summary
    checkpoint = orjson.loads((out / "checkpoint.json").read_bytes())
    assert checkpoint["complete"] is True
    # the key is in no file and no output
    for path in out.iterdir():
        assert server.api_key not in path.read_text()
    assert server.api_key not in done.out + done.err


async def kill_then_resume(
    out: Path, trip: RequestTrip, env: dict[str, str], every: str = "0"
) -> Done:
    """Export to ``out``, SIGKILL it when ``trip`` fires, then run the same command again.
    ``every``: the seconds between checkpoints (0: after every page, so the kill lands
    mid-stream; 3600: none after the first until the run ends, so it lands before one)."""
    args = ("export", "--out", str(out), "--per-page", "20", "--checkpoint-every", every, *FAST)
    killed = await run_cli(*args, env=env, stop_when=trip.wait)
    assert killed.code == -signal.SIGKILL
    done = await run_cli(*args, env=env)
    assert done.code == 0, done.err
    return done


@pytest.mark.parametrize("every", ["0", "3600"])
@pytest.mark.parametrize("kill_at", random.Random(16).sample(range(3, 40), 4))
async def test_an_export_killed_at_any_point_resumes_with_no_duplicate_and_no_missing_line(
    tmp_path: Path, kill_at: int, every: str
) -> None:
    out = tmp_path / "backup"
    server = FakePlane(seed=SEED, rate_limit=None)
    trip = RequestTrip(server, kill_at)
    async with server:
        env = cli_env(server)
        done = await kill_then_resume(out, trip, env, every)
        assert "resuming the export" in done.out
        fresh = tmp_path / "fresh"
        again = await run_cli("export", "--out", str(fresh), "--per-page", "20", *FAST, env=env)
        assert again.code == 0
    for name in ("work-items", "module-work-items", "cycle-work-items", "states", "members"):
        resumed = lines_of(out, name)
        assert Counter(resumed) == Counter(lines_of(fresh, name)), name
        assert len(set(resumed)) == len(resumed), name
    assert len(lines_of(out, "work-items")) == 460


@pytest.mark.parametrize(("stop", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
async def test_ctrl_c_and_sigterm_save_the_checkpoint_and_exit_130_or_143(
    tmp_path: Path, stop: signal.Signals, code: int
) -> None:
    out = tmp_path / "backup"
    server = FakePlane(seed=SEED, rate_limit=None, latency=0.002)
    trip = RequestTrip(server, 12)
    async with server:
        env = cli_env(server)
        args = ("export", "--out", str(out), "--per-page", "10", *FAST)
        stopped = await run_cli(*args, env=env, stop_when=trip.wait, stop_with=stop)
        assert stopped.code == code, stopped.err
        assert "run the same command again to continue" in stopped.err
        assert "Traceback" not in stopped.err
        saved = orjson.loads((out / "checkpoint.json").read_bytes())
        assert saved["complete"] is False
        done = await run_cli(*args, env=env)
    assert done.code == 0
    ids = [r["id"] for r in rows(out / "work-items.jsonl")]
    assert sorted(ids) == sorted(live_issue_ids(server))


async def test_a_stopped_export_saves_every_line_it_wrote_in_its_checkpoint(
    tmp_path: Path,
) -> None:
    out = tmp_path / "backup"
    server = FakePlane(seed=SEED, rate_limit=None, latency=0.002)
    trip = RequestTrip(server, 20)  # some work-item pages are in
    async with server:
        args = ("export", "--out", str(out), "--per-page", "10", "--checkpoint-every", "3600")
        stopped = await run_cli(*args, *FAST, env=cli_env(server), stop_when=trip.wait,
                                stop_with=signal.SIGINT)  # fmt: skip
    assert stopped.code == 130, stopped.err
    saved = orjson.loads((out / "checkpoint.json").read_bytes())
    assert saved["files"] == {p.name: p.stat().st_size for p in out.glob("*.jsonl")}
    assert saved["files"]["work-items.jsonl"] > 0  # pages written since the first checkpoint
    written = sum(s["count"] for k, s in saved["streams"].items() if k.startswith("work-items/"))
    assert written == len(rows(out / "work-items.jsonl"))


async def test_include_exports_the_per_work_item_resources(tmp_path: Path) -> None:
    out = tmp_path / "backup"
    seed = Seed(projects=1, issues_per_project=30, modules=1, cycles=1)
    async with FakePlane(seed=seed, rate_limit=None) as server:
        store = server.store
        items = sorted(store.issues)
        # a few comments and links on some items (the seed has none)
        from plane_async import AsyncPlane

        async with AsyncPlane(api_key=server.api_key, workspace=server.workspace,
                              base_url=server.base_url) as plane:  # fmt: skip
            project = next(iter(store.projects))
            for n, item in enumerate(items[:5]):
                await plane.comments.create(project, item, comment_html=f"<p>c{n}</p>")
                await plane.links.create(project, item, url=f"https://example.com/{n}")
        done = await run_cli("export", "--out", str(out), "--include", "comments,links",
                             *FAST, env=cli_env(server))  # fmt: skip
    assert done.code == 0, done.err
    assert len(rows(out / "comments.jsonl")) == 5
    assert len(rows(out / "links.jsonl")) == 5
    assert "comments: 30/30 work items done" in done.err
    assert "comments" in done.out and "at least one per work item" in done.out


async def test_plan_prints_the_requests_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "backup"
    seed = Seed(projects=1, issues_per_project=500)
    async with FakePlane(seed=seed, rate_limit=None) as server:
        done = await run_cli("export", "--out", str(out), "--plan", "--include", "comments",
                             env=cli_env(server))  # fmt: skip
        paths = {r.path.rsplit("/", 2)[-2] for r in server.requests}
    assert done.code == 0, done.err
    assert not out.exists()
    assert paths == {"projects", "summary"}
    assert "work-items                 5 requests  500 work items" in done.out
    assert "comments                 500 requests" in done.out
    # 1 list + 1 summary + 1+1+1+5+1+1+3+2 + 500 = 517 requests under 60 per 60 s
    assert "517 requests, at least 8 min 00 s under the rate limit (60 requests per 60 s)" in (
        done.out
    )


async def test_a_finished_export_is_not_fetched_again(tmp_path: Path) -> None:
    out = tmp_path / "backup"
    async with FakePlane(seed=Seed(issues_per_project=20), rate_limit=None) as server:
        env = cli_env(server)
        assert (await run_cli("export", "--out", str(out), *FAST, env=env)).code == 0
        before = len(server.requests)
        again = await run_cli("export", "--out", str(out), *FAST, env=env)
        assert len(server.requests) == before
    assert again.code == 0
    assert "already holds a complete export" in again.out and "--restart" in again.out


async def export_killed_while_writing(
    out: Path, kill_at: int, *, deletes: bool
) -> tuple[list[str], Writer]:
    """Export with another client writing, SIGKILL it after ``kill_at`` requests, resume;
    the ids written, and the writer (what it created and deleted)."""
    server = FakePlane(seed=SEED, rate_limit=None)
    writer = Writer(server, every=2, seed=kill_at, deletes=deletes)
    trip = RequestTrip(server, kill_at)
    async with server, writer:
        await kill_then_resume(out, trip, cli_env(server))
    ids = [r["id"] for r in rows(out / "work-items.jsonl")]
    assert writer.created and bool(writer.deleted) == deletes
    assert len(ids) == len(set(ids)), "a work item was written twice"
    assert set(ids) <= writer.initial | writer.created
    return ids, writer


@pytest.mark.parametrize("kill_at", [9, 23])
async def test_killed_and_resumed_while_another_client_creates_work_items(
    tmp_path: Path, kill_at: int
) -> None:
    """Work items are read oldest first, so items created meanwhile come after every page
    already read: none is written twice and none is missed (newest first, the default
    order, wrote 6 lines twice here)."""
    ids, writer = await export_killed_while_writing(tmp_path / "out", kill_at, deletes=False)
    assert writer.initial <= set(ids)


@pytest.mark.parametrize("kill_at", [9, 23])
async def test_killed_and_resumed_while_another_client_creates_and_deletes(
    tmp_path: Path, kill_at: int
) -> None:
    ids, writer = await export_killed_while_writing(tmp_path / "out", kill_at, deletes=True)
    survivors = writer.initial - writer.deleted
    assert not survivors - set(ids), f"{len(survivors - set(ids))} survivors are missing"


async def test_a_failure_mid_export_exits_1_and_the_same_command_continues(
    tmp_path: Path,
) -> None:
    out = tmp_path / "backup"
    server = FakePlane(seed=SEED, rate_limit=None)
    trip = RequestTrip(server, 15)
    async with server:
        args = ("export", "--out", str(out), "--per-page", "20", *FAST)

        async def revoke() -> None:
            await trip.wait()
            server.revoke_api_key(server.api_key)  # the key expires mid-export

        revoking = asyncio.ensure_future(revoke())
        failed = await run_cli(*args, env=cli_env(server))
        await revoking
        assert failed.code == 1
        assert "InvalidAPIKeyError" in failed.err and "Traceback" not in failed.err
        assert "the checkpoint is saved; run the same command again to continue" in failed.err
        new_key = server.new_api_key()
        done = await run_cli(*args, env=cli_env(server, PLANE_API_KEY=new_key))
        assert done.code == 0, done.err
    ids = [r["id"] for r in rows(out / "work-items.jsonl")]
    assert sorted(ids) == sorted(live_issue_ids(server))


async def test_an_unknown_project_is_a_usage_error_that_leaves_no_folder(tmp_path: Path) -> None:
    out = tmp_path / "backup"
    async with FakePlane(seed=SEED, rate_limit=None) as server:
        env = cli_env(server)
        typo = await run_cli("export", "--out", str(out), "--project", "WEBB", *FAST, env=env)
        assert typo.code == 2
        assert "no project WEBB in workspace acme (its projects: MOB, WEB)" in typo.err
        assert not out.exists()
        fixed = await run_cli("export", "--out", str(out), "--project", "web", *FAST, env=env)
        assert fixed.code == 0, fixed.err
    assert {r["identifier"] for r in rows(out / "projects.jsonl")} == {"WEB"}
    assert len(rows(out / "work-items.jsonl")) == 230


async def test_two_exports_share_the_rate_limit_through_redis(
    tmp_path: Path, redis_server: Any
) -> None:
    import redis.asyncio as aioredis

    seed = Seed(projects=1, issues_per_project=300, modules=1, cycles=1)
    async with FakePlane(seed=seed, rate_limit=(20, 1.0)) as server:
        env = cli_env(server, PLANE_REDIS_URL=redis_server.url)

        def export(name: str) -> Any:
            return run_cli("export", "--out", str(tmp_path / name), "--per-page", "20", env=env)

        first, second = await asyncio.gather(export("a"), export("b"))
        assert first.code == 0 and second.code == 0, first.err + second.err
        statuses = [r.status for r in server.requests]
        assert statuses.count(429) == 0
        assert server.max_in_window <= 20
        assert len(statuses) > 40  # enough to need the shared window
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        assert await client.keys("plane_async:*")  # the window lived in Redis
    finally:
        await client.aclose()
    assert server.api_key not in (first.out + first.err + second.out + second.err)
