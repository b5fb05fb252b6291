"""The export's checkpoint cadence and the bytes it writes.

Pages are appended as they come; the checkpoint (the files synced first) follows at most
every ``--checkpoint-every`` seconds and when the run stops. A run killed between two
checkpoints resumes from the last one. The lines are the bytes ``orjson.dumps`` gives each
row as the server sent it (the encoding the export always had), however they are built.
"""

from __future__ import annotations

import gc
import io
import os
from pathlib import Path
from typing import Any

import orjson
import pytest

from plane_async._models import Issue, structure
from plane_async.cli._common import GC_THRESHOLD
from plane_async.cli._export_options import ExportOptions
from plane_async.cli._folder import CHECKPOINT, Folder, jsonl
from plane_async.cli.export import Exporter, _membership_lines, _raw_lines
from plane_async.testing import FakePlane, Seed

JOB = {"server": "http://127.0.0.1:1/api/v1/", "workspace": "acme", "per_page": 2}
FILES = ("a.jsonl", "b.jsonl")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def saved(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads((folder / CHECKPOINT).read_bytes())
    return data


def page(n: int) -> list[dict[str, Any]]:
    return [{"id": f"{n}-{i}", "n": n} for i in range(2)]


# -- the cadence ------------------------------------------------------------------------------


def test_pages_are_checkpointed_at_most_once_a_second_and_all_of_them_on_close(
    tmp_path: Path,
) -> None:
    clock = Clock()
    folder = Folder.open(tmp_path, JOB, FILES, every=1.0, clock=clock)
    clock.now += 0.4
    folder.commit("a", "a.jsonl", page(1), cursor="2:1:0")
    assert "a" not in saved(tmp_path)["streams"]  # the checkpoint open wrote is 0.4 s old
    clock.now += 0.7
    folder.commit("a", "a.jsonl", page(2), cursor="2:2:0")
    first = saved(tmp_path)
    assert first["streams"]["a"] == {"cursor": "2:2:0", "done": False, "count": 4}
    assert first["files"]["a.jsonl"] == (tmp_path / "a.jsonl").stat().st_size
    clock.now += 0.5
    folder.commit("a", "a.jsonl", page(3), done=True)
    assert saved(tmp_path) == first
    folder.close()  # a run that stops (Ctrl-C, SIGTERM, an error) keeps every page it wrote
    last = saved(tmp_path)
    assert last["streams"]["a"] == {"cursor": None, "done": True, "count": 6}
    assert last["files"]["a.jsonl"] == (tmp_path / "a.jsonl").stat().st_size


def test_every_0_checkpoints_every_page(tmp_path: Path) -> None:
    clock = Clock()
    folder = Folder.open(tmp_path, JOB, FILES, every=0.0, clock=clock)
    for n in range(1, 4):
        folder.commit("a", "a.jsonl", page(n), cursor=f"2:{n}:0")
        assert saved(tmp_path)["streams"]["a"]["cursor"] == f"2:{n}:0"
    folder.close()


def test_a_run_killed_between_checkpoints_resumes_from_the_last_one(tmp_path: Path) -> None:
    clock = Clock()
    folder = Folder.open(tmp_path, JOB, FILES, every=1.0, clock=clock)
    clock.now += 1.5
    folder.commit("a", "a.jsonl", page(1), cursor="2:1:0")  # checkpointed
    clock.now += 0.2
    folder.commit("a", "a.jsonl", page(2), cursor="2:2:0")  # not yet
    folder.commit("b", "b.jsonl", page(9), done=True)  # not yet
    # killed here: the folder is never closed, nothing else runs
    again = Folder.open(tmp_path, JOB, FILES, every=1.0, clock=clock)
    assert again.resumed
    assert list(again.rows("a.jsonl")) == page(1)
    assert list(again.rows("b.jsonl")) == []
    assert again.stream("a").cursor == "2:1:0" and not again.stream("b").done
    # the same command goes on from the cursor: nothing written twice, nothing missing
    again.commit("a", "a.jsonl", page(2), done=True)
    again.commit("b", "b.jsonl", page(9), done=True)
    again.close()
    assert (tmp_path / "a.jsonl").read_bytes() == jsonl([*page(1), *page(2)])
    assert (tmp_path / "b.jsonl").read_bytes() == jsonl(page(9))
    folder.close()  # (the first run's files; a real kill closes them with the process)


def test_the_files_are_synced_before_the_checkpoint_that_counts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    folder = Folder.open(tmp_path, JOB, FILES, every=1.0, clock=clock)
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync " + Path(os.readlink(f"/proc/self/fd/{fd}")).name)
        real_fsync(fd)

    def replace(src: Any, dst: Any) -> None:
        events.append("replace " + Path(dst).name)
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    folder.commit("a", "a.jsonl", page(1), cursor="2:1:0")
    folder.commit("b", "b.jsonl", page(2), cursor="2:1:0")
    assert events == []  # appended and flushed, no disk sync per page
    clock.now += 1.0
    folder.commit("a", "a.jsonl", page(3), cursor="2:2:0")
    assert events == [
        "fsync a.jsonl",
        "fsync b.jsonl",
        f"fsync {CHECKPOINT}.tmp",
        f"replace {CHECKPOINT}",
    ]
    events.clear()
    folder.close()  # nothing new since: no checkpoint to write
    assert events == []


# -- the bytes --------------------------------------------------------------------------------

ROWS: list[dict[str, Any]] = [
    {"id": "a", "name": "plain"},
    {"id": "b", "name": 'quote " and backslash \\ and\nnewline', "n": 1.5, "ok": None},
    {"id": "c", "name": "unicode é 漢字 \u2028 🙂", "labels": [{"x": [1, 2, {}]}], "e": []},
    {},
]


def old_lines(rows: list[Any]) -> bytes:
    """The encoding the export always had: one ``orjson.dumps`` and a newline per row."""
    return b"".join(orjson.dumps(row) + b"\n" for row in rows)


def test_jsonl_is_the_old_encoding_byte_for_byte() -> None:
    assert jsonl(ROWS) == old_lines(ROWS)
    assert jsonl(iter(ROWS[:1])) == old_lines(ROWS[:1])
    assert jsonl([]) == b""


def test_page_lines_from_models_are_the_server_s_dicts_encoded() -> None:
    items = [structure(Issue, {"id": "x", "name": 'é \\ "'}), Issue(name="built by hand")]
    assert _raw_lines(items) == old_lines([dict(i.raw) for i in items])


@pytest.mark.parametrize("kind", ["module", "cycle"])
def test_membership_lines_are_the_bytes_of_the_membership_dict(kind: str) -> None:
    ids = ["6f1c", 'a"b', "back\\slash", "é漢🙂", "\u2028", 17]
    items = [structure(Issue, {"id": i}) for i in ids]
    lines = _membership_lines(kind, "proj-é", 'parent"1')
    expected = [{kind: 'parent"1', "project": "proj-é", "work_item": i} for i in ids]
    assert lines(items) == old_lines(expected)
    with pytest.raises(KeyError):
        lines([structure(Issue, {"name": "no id"})])


SEED = Seed(projects=2, issues_per_project=45, modules=2, cycles=2, labels=2, members=2)


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


async def read_back(plane: Any, out: Path) -> dict[tuple[str, str], list[Any]]:
    """What each stream of the export wrote (by file and project, module or cycle), read
    again through the client's typed lists and encoded as the export always did: the
    server's dict of each item."""
    rows: dict[tuple[str, str], list[Any]] = {}
    for project in lines_of(out / "projects.jsonl"):
        pid = project["id"]
        items = [dict(i.raw) async for i in plane.issues.list(pid, per_page=20)]
        rows["work-items", pid] = items
        rows["members", pid] = [{**u.raw, "project": pid} async for u in plane.members.list(pid)]
    for kind, group in (("module", plane.modules), ("cycle", plane.cycles)):
        for row in lines_of(out / f"{kind}s.jsonl"):
            rows[f"{kind}-work-items", row["id"]] = [
                {kind: row["id"], "project": row["project"], "work_item": i.raw["id"]}
                async for i in group.issues(row["project"], row["id"], per_page=20, fields=["id"])
            ]
    return rows


def written(out: Path, name: str, key: str) -> dict[str, bytes]:
    """The lines of a file, by the stream that wrote them (streams run concurrently, so
    their pages interleave), each line as its bytes."""
    streams: dict[str, bytes] = {}
    for line in (out / f"{name}.jsonl").read_bytes().splitlines(keepends=True):
        owner = orjson.loads(line)[key]
        streams[owner] = streams.get(owner, b"") + line
    return streams


async def test_an_export_writes_what_the_server_sent_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "out"
    options = ExportOptions(out=out, projects=None, include=(), query=None, per_page=20,
                            progress="none")  # fmt: skip
    server = FakePlane(seed=SEED, rate_limit=None, listen=False)
    async with server, server.client(max_per_page=1000) as plane:
        exporter = Exporter(plane, options, server=plane.base_url, out=io.StringIO())
        assert await exporter.run() == 0
        expected = await read_back(plane, out)
    assert sum(len(rows) for (name, _), rows in expected.items() if name == "work-items") == 90
    keys = {"work-items": "project", "members": "project", "module-work-items": "module",
            "cycle-work-items": "cycle"}  # fmt: skip
    for name, key in keys.items():
        mine = {owner: old_lines(rows) for (n, owner), rows in expected.items() if n == name}
        assert mine and all(mine.values()), name
        assert written(out, name, key) == mine, name
    final = saved(out)
    assert final["complete"] is True
    assert final["files"] == {p.name: p.stat().st_size for p in out.glob("*.jsonl")}


async def test_the_collector_runs_less_often_during_an_export_and_as_before_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = ExportOptions(out=tmp_path / "out", projects=None, include=(), query=None,
                            per_page=20, progress="none")  # fmt: skip
    before = gc.get_threshold()
    during: list[tuple[int, ...]] = []
    server = FakePlane(seed=SEED, rate_limit=None, listen=False)
    async with server, server.client(max_per_page=1000) as plane:
        exporter = Exporter(plane, options, server=plane.base_url, out=io.StringIO())
        commit = Folder.commit_lines

        def spy(folder: Folder, key: str | None, *args: Any, **kwargs: Any) -> int:
            if key != "projects":  # (the list of projects comes before the pages)
                during.append(gc.get_threshold())
            if len(during) == 3:
                raise OSError("disk full")
            return commit(folder, key, *args, **kwargs)

        monkeypatch.setattr(Folder, "commit_lines", spy)
        with pytest.raises(OSError, match="disk full"):
            await exporter.run()
    assert during and all(t[0] >= GC_THRESHOLD and t[1:] == before[1:] for t in during)
    assert gc.get_threshold() == before  # restored when the run fails too
