"""``plane-async sync`` end to end: a subprocess against FakePlane on 127.0.0.1."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from plane_async import AsyncPlane
from plane_async.testing import FakePlane, Seed
from tests.support.cli_helpers import FAST, Writer, cli_env, rows, run_cli

# runs the command line against FakePlane, whole exports and syncs
pytestmark = pytest.mark.slow

SEED = Seed(projects=2, issues_per_project=300, modules=2, cycles=2)


def lines(folder: Path, name: str) -> Counter[bytes]:
    return Counter((folder / f"{name}.jsonl").read_bytes().splitlines())


async def change_things(server: FakePlane) -> dict[str, str]:
    async with AsyncPlane(api_key=server.api_key, workspace=server.workspace,
                          base_url=server.base_url) as plane:  # fmt: skip
        projects = [p async for p in plane.projects.list()]
        web, mob = projects[0].id, projects[1].id
        items = [i async for i in plane.issues.list(web)]
        updated = await plane.issues.update(web, items[5].id, name="renamed", priority="urgent")
        await plane.issues.delete(web, items[7].id)
        first = await anext(plane.issues.list(mob))
        await plane.issues.delete(mob, first.id)
        new = await plane.issues.create(mob, name="brand new")
        await plane.comments.create(web, items[5].id, comment_html="<p>on the renamed one</p>")
        await plane.labels.create(web, name="added-label")
    return {"updated": str(updated.id), "deleted": str(items[7].id), "new": str(new.id)}


async def test_sync_brings_an_export_to_what_a_fresh_export_would_write(tmp_path: Path) -> None:
    out, fresh = tmp_path / "backup", tmp_path / "fresh"
    include = ("--include", "comments")
    async with FakePlane(seed=SEED, rate_limit=None) as server:
        env = cli_env(server)
        done = await run_cli("export", "--out", str(out), *include, *FAST, env=env)
        assert done.code == 0, done.err
        export_requests = len(server.requests)
        ids = await change_things(server)
        before = len(server.requests)
        synced = await run_cli("sync", "--out", str(out), *FAST, env=env)
        assert synced.code == 0, synced.err
        sync_requests = len(server.requests) - before
        again = await run_cli("export", "--out", str(fresh), *include, *FAST, env=env)
        assert again.code == 0
    assert "work items: 1 new, 1 updated, 2 deleted" in synced.out
    assert f"requests {sync_requests} " in synced.out
    for name in ("work-items", "states", "labels", "members", "modules", "cycles",
                 "module-work-items", "cycle-work-items", "comments"):  # fmt: skip
        assert lines(out, name) == lines(fresh, name), name
    items = {r["id"]: r for r in rows(out / "work-items.jsonl")}
    assert items[ids["updated"]]["name"] == "renamed"
    assert ids["new"] in items and ids["deleted"] not in items
    # 600 work items with comments: 600+ requests to export, a few dozen to sync
    assert export_requests > 600
    assert sync_requests < export_requests / 10
    checkpoint = orjson.loads((out / "checkpoint.json").read_bytes())
    assert checkpoint["complete"] and checkpoint["extra"]["synced_at"]


async def test_a_sync_run_twice_changes_nothing_more(tmp_path: Path) -> None:
    out = tmp_path / "backup"
    async with FakePlane(seed=SEED, rate_limit=None) as server:
        env = cli_env(server)
        assert (await run_cli("export", "--out", str(out), *FAST, env=env)).code == 0
        await change_things(server)
        assert (await run_cli("sync", "--out", str(out), *FAST, env=env)).code == 0
        first = {p.name: p.read_bytes() for p in out.glob("*.jsonl")}
        second = await run_cli("sync", "--out", str(out), *FAST, env=env)
        assert second.code == 0, second.err
    assert "work items: 0 new, " in second.out and ", 0 deleted" in second.out
    assert {p.name: p.read_bytes() for p in out.glob("*.jsonl")} == first


async def test_sync_needs_a_finished_export_of_the_same_server(tmp_path: Path) -> None:
    out = tmp_path / "backup"
    async with FakePlane(seed=Seed(issues_per_project=5), rate_limit=None) as server:
        env = cli_env(server)
        missing = await run_cli("sync", "--out", str(out), *FAST, env=env)
        assert missing.code == 2 and "run `plane-async export --out` first" in missing.err
        assert (await run_cli("export", "--out", str(out), *FAST, env=env)).code == 0
        async with FakePlane(seed=Seed(issues_per_project=5), rate_limit=None) as other:
            wrong = await run_cli("sync", "--out", str(out), *FAST, env=cli_env(other))
        assert wrong.code == 2
        assert f"was exported from {server.base_url}/api/v1/" in wrong.err
        # the folder never chooses where the key goes: the user names the server (the
        # workspace may come from the folder)
        bare = cli_env(None, PLANE_API_KEY=server.api_key)
        unnamed = await run_cli("sync", "--out", str(out), *FAST, env=bare)
        assert unnamed.code == 2 and f"pass --base-url {server.base_url}" in unnamed.err
        ok = await run_cli("sync", "--out", str(out), "--base-url", server.base_url, *FAST,
                           env=bare)  # fmt: skip
        assert ok.code == 0, ok.err


async def test_a_server_that_refuses_large_pages_is_asked_again_with_smaller_ones(
    tmp_path: Path,
) -> None:
    out = tmp_path / "backup"
    async with FakePlane(seed=SEED, rate_limit=None, max_per_page=100) as server:
        env = cli_env(server)
        assert (await run_cli("export", "--out", str(out), *FAST, env=env)).code == 0
        await change_things(server)
        synced = await run_cli("sync", "--out", str(out), *FAST, env=env)
        assert synced.code == 0, synced.err
        refused = [r for r in server.requests if r.status == 400]
        # (refused: the ids in pages of 1000, and once per read a page that overlaps the
        # last items handed out with more than 100)
        assert refused and all(int(r.query["per_page"]) > 100 for r in refused)
        assert "work items: 1 new, 1 updated, 2 deleted" in synced.out
        before = len(server.requests)
        again = await run_cli("sync", "--out", str(out), *FAST, env=env)
        assert again.code == 0
        # the checkpoint remembers the server's limit: no request refused the second time
        assert all(r.status != 400 for r in server.requests[before:])


async def test_a_server_that_cuts_large_pages_short_is_not_followed() -> None:
    """Following the cursors of a page cut to 100 items while 1000 were asked would skip
    900 ids per page, and sync would take those work items for deleted."""
    import pytest

    from plane_async import Cursor, Page, PaginationError
    from plane_async.cli.sync import _collect

    async def pages(cut: bool) -> Any:
        for n in range(3):
            size = 100 if cut else 1000
            yield Page(tuple(range(size)), size, 2500, 3, None, None, n < 2, n > 0, None,
                       Cursor(1000, n))  # fmt: skip

    assert len(await _collect(pages(cut=False), 1000)) == 3000
    with pytest.raises(PaginationError, match="sent 100 items on a page of 1000"):
        await _collect(pages(cut=True), 1000)


async def test_an_export_that_ran_during_deletes_misses_no_survivor_and_sync_matches_live(
    tmp_path: Path,
) -> None:
    """Deletes during the export shift Plane's offset pages; the read follows its last key,
    so no survivor is skipped, and the sync leaves exactly the live work items."""
    out = tmp_path / "backup"
    server = FakePlane(seed=SEED, rate_limit=None)
    writer = Writer(server, every=2, seed=5)
    async with server:
        env = cli_env(server)
        async with writer:
            args = ("--out", str(out), "--per-page", "20", *FAST)
            assert (await run_cli("export", *args, env=env)).code == 0
        exported = {r["id"] for r in rows(out / "work-items.jsonl")}
        survivors = writer.initial - writer.deleted
        skipped = survivors - exported
        synced = await run_cli("sync", "--out", str(out), *FAST, env=env)
        assert synced.code == 0, synced.err
    ids = [r["id"] for r in rows(out / "work-items.jsonl")]
    assert len(ids) == len(set(ids))
    assert survivors <= set(ids)
    assert set(ids) == live_ids(server)
    assert writer.deleted, "the writer deleted nothing: the test shows nothing"
    assert not skipped, f"the export skipped {len(skipped)} work items that existed throughout"


def live_ids(server: FakePlane) -> set[str]:
    store = server.store
    return {i.id for i in store.issues.values() if store.visible(i)}


async def comment_on_unchanged_items(server: FakePlane, count: int) -> set[str]:
    """One comment on each of ``count`` work items that do not otherwise change."""
    async with AsyncPlane(api_key=server.api_key, workspace=server.workspace,
                          base_url=server.base_url) as plane:  # fmt: skip
        project = await anext(plane.projects.list())
        items = [i async for i in plane.issues.list(project.id, max_items=count)]
        made = [
            await plane.comments.create(project.id, i.id, comment_html=f"<p>note {n}</p>")
            for n, i in enumerate(items)
        ]
    return {str(c.id) for c in made}


async def test_sync_finds_every_comment_on_work_items_that_did_not_otherwise_change(
    tmp_path: Path,
) -> None:
    # Reported: FakePlane left updated_at alone, and sync --include comments found 15 of
    # 30 new comments. Plane's worker moves updated_at a moment after the comment; the
    # fake does so after a delay, and a sync that reads before it lands still finds the
    # comments on its next run.
    out = tmp_path / "backup"
    async with FakePlane(seed=SEED, rate_limit=None, activity_delay=60.0) as server:
        env = cli_env(server)
        done = await run_cli("export", "--out", str(out), "--include", "comments", *FAST, env=env)
        assert done.code == 0, done.err
        made = await comment_on_unchanged_items(server, 30)
        early = await run_cli("sync", "--out", str(out), *FAST, env=env)
        assert early.code == 0, early.err
        assert "covered: changes from " in early.out
        assert "comments read again for the 0 changed work items" in early.out
        server.activity.flush()  # the worker catches up after that sync read
        synced = await run_cli("sync", "--out", str(out), *FAST, env=env)
        assert synced.code == 0, synced.err
    assert "comments read again for the 30 changed work items" in synced.out
    assert made <= {r["id"] for r in rows(out / "comments.jsonl")}
