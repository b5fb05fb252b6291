"""The command line at its edges: planted files, a folder someone hands you, hostile server
text, a key typed in the wrong place, odd import rows and the plan of a busy key.

The commands run in this process (``main`` in a worker thread, with its own event loop)
against FakePlane in the test's loop, so these tests cost no interpreter start-up.
"""

from __future__ import annotations

import asyncio
import csv
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from plane_async import AsyncPlane
from plane_async.cli import main
from plane_async.cli._folder import CHECKPOINT, Folder, FolderError
from plane_async.cli._import_rows import Names, to_wanted
from plane_async.cli._plan import minimum_seconds, plan_export
from plane_async.testing import FakePlane, Seed
from plane_async.types import Quota

KEY = "plane_api_" + "0123456789abcdef" * 2
FILES = ("projects.jsonl", "work-items.jsonl")
JOB = {"server": "http://127.0.0.1:1/api/v1/", "workspace": "acme", "per_page": 100}
SMALL = Seed(projects=1, issues_per_project=6, modules=1, cycles=1, labels=2, members=1)


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("PLANE_API_KEY", "PLANE_BASE_URL", "PLANE_WORKSPACE", "PLANE_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    yield


def use(server: FakePlane, monkeypatch: pytest.MonkeyPatch, *, key: str | None = None) -> None:
    monkeypatch.setenv("PLANE_API_KEY", key or server.api_key)
    monkeypatch.setenv("PLANE_WORKSPACE", server.workspace)
    monkeypatch.setenv("PLANE_BASE_URL", server.base_url)


async def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``plane-async ARGV`` in a worker thread; its exit code, stdout and stderr."""
    capsys.readouterr()
    code = await asyncio.to_thread(main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def victim(tmp_path: Path, lines: int = 100) -> Path:
    """A file outside the export folder that a planted symlink points at."""
    path = tmp_path / "elsewhere" / "precious.jsonl"
    path.parent.mkdir()
    path.write_bytes(b"".join(b'{"n": %d}\n' % n for n in range(lines)))
    return path


# -- item 5: nothing in the folder is followed out of it ---------------------------------------


def test_a_planted_temporary_checkpoint_symlink_is_not_followed(tmp_path: Path) -> None:
    target = victim(tmp_path)
    before = target.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{CHECKPOINT}.tmp").symlink_to(target)
    folder = Folder.open(out, JOB, FILES)
    folder.commit("projects", "projects.jsonl", [{"id": "p"}], done=True)
    folder.close()
    assert target.read_bytes() == before
    assert not (out / CHECKPOINT).is_symlink()
    assert orjson.loads((out / CHECKPOINT).read_bytes())["files"]["projects.jsonl"] > 0


def test_a_planted_checkpoint_and_data_symlink_truncate_nothing_on_resume(
    tmp_path: Path,
) -> None:
    target = victim(tmp_path)
    before = target.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    planted = {"version": 1, "job": JOB, "complete": False, "started_at": "2026-01-01T00:00:00",
               "files": dict.fromkeys(FILES, 0), "streams": {}, "extra": {}}  # fmt: skip
    (out / CHECKPOINT).write_bytes(orjson.dumps(planted))
    (out / "work-items.jsonl").symlink_to(target)
    with pytest.raises(FolderError, match="symbolic link"):
        Folder.open(out, JOB, FILES)
    assert target.read_bytes() == before  # before: truncated to 0 of its 100 lines


def test_a_sync_rewrite_follows_no_planted_temporary_file(tmp_path: Path) -> None:
    target = victim(tmp_path)
    before = target.read_bytes()
    out = tmp_path / "out"
    folder = Folder.open(out, JOB, FILES)
    folder.finish()
    (out / "work-items.jsonl.tmp").symlink_to(target)
    assert folder.rewrite("work-items.jsonl", [{"id": "a"}]) == 1
    folder.close()
    assert target.read_bytes() == before
    assert list(folder.rows("work-items.jsonl")) == [{"id": "a"}]


def test_a_fifo_in_place_of_a_file_is_refused_not_waited_on(tmp_path: Path) -> None:
    out = tmp_path / "out"
    Folder.open(out, JOB, FILES).close()
    (out / "work-items.jsonl").unlink()
    fifo = out / "work-items.jsonl"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def resume() -> None:
        try:
            Folder.open(out, JOB, FILES).close()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=resume)
    worker.start()
    worker.join(5)
    if worker.is_alive():  # blocked opening the pipe: release it, then fail
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        worker.join()
        pytest.fail("opening the export folder waited on a named pipe")
    assert isinstance(outcome[0], FolderError) and "not a regular file" in str(outcome[0])


# -- item 16: the folder and its files are private ---------------------------------------------


def test_the_export_folder_and_its_files_are_private_to_the_user(tmp_path: Path) -> None:
    out = tmp_path / "out"
    folder = Folder.open(out, JOB, FILES)
    folder.commit("projects", "projects.jsonl", [{"id": "p"}], done=True)
    folder.rewrite("work-items.jsonl", [{"id": "a"}])
    folder.finish()
    folder.close()
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


# -- item 7: a kill while the first checkpoint is written --------------------------------------


@pytest.mark.parametrize("dies_at", ["checkpoint replaced", "checkpoint written"])
def test_a_run_killed_while_writing_its_first_checkpoint_starts_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dies_at: str
) -> None:
    import plane_async.cli._folder as folder_module

    class Killed(BaseException):
        pass

    def die(*args: object) -> None:
        raise Killed  # nothing after this instant runs, as under SIGKILL

    if dies_at == "checkpoint replaced":
        monkeypatch.setattr(folder_module.os, "replace", die)
    else:
        monkeypatch.setattr(folder_module.os, "fsync", die)
    out = tmp_path / "out"
    with pytest.raises(Killed):
        Folder.open(out, JOB, FILES)
    monkeypatch.undo()
    folder = Folder.open(out, JOB, FILES)  # before: "not a resumable export ... --restart"
    assert not folder.resumed
    folder.close()


# -- item 6: a folder cannot redirect the key --------------------------------------------------


async def test_sync_never_sends_the_key_to_the_server_a_folder_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakePlane(seed=SMALL, rate_limit=None) as elsewhere:
        out = tmp_path / "handed-over"
        job = {**JOB, "server": elsewhere.base_url.rstrip("/") + "/api/v1/",
               "workspace": elsewhere.workspace, "include": []}  # fmt: skip
        folder = Folder.open(out, job, ())
        folder.finish(synced_at="2026-01-01T00:00:00+00:00")
        folder.close()
        monkeypatch.setenv("PLANE_API_KEY", KEY)  # no --base-url, no PLANE_BASE_URL
        code, _, err = await cli(capsys, "sync", "--out", str(out))
    assert elsewhere.requests == []  # before: the key went to the folder's server
    assert code == 2
    assert "--base-url" in err and elsewhere.base_url in err
    assert KEY not in err


# -- item 8: a sync stopped between two files --------------------------------------------------


async def test_a_sync_stopped_between_files_leaves_no_comment_of_a_deleted_work_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "backup"
    async with FakePlane(seed=SMALL, rate_limit=None) as server:
        use(server, monkeypatch)
        async with AsyncPlane(api_key=server.api_key, workspace=server.workspace,
                              base_url=server.base_url) as plane:  # fmt: skip
            pid = (await anext(plane.projects.list())).id
            doomed = (await anext(plane.issues.list(pid))).id
            await plane.comments.create(pid, doomed, comment_html="<p>going away</p>")
            code, _, err = await cli(capsys, "export", "--out", str(out), "--include", "comments")
            assert code == 0, err
            assert any(r["issue"] == str(doomed) for r in _rows(out / "comments.jsonl"))
            await plane.issues.delete(pid, doomed)
        real = Folder.rewrite

        def disk_full(self: Folder, name: str, rows: object) -> int:
            if name == "comments.jsonl":
                raise OSError(28, "No space left on device")
            return real(self, name, rows)  # type: ignore[arg-type]

        with monkeypatch.context() as m:
            m.setattr(Folder, "rewrite", disk_full)
            code, _, err = await cli(capsys, "sync", "--out", str(out))
        assert code == 1, err
        code, _, err = await cli(capsys, "sync", "--out", str(out))
        assert code == 0, err
    assert str(doomed) not in {r["id"] for r in _rows(out / "work-items.jsonl")}
    assert not [r for r in _rows(out / "comments.jsonl") if r["issue"] == str(doomed)]


def _rows(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


# -- item 21: "the checkpoint is saved" only when it is ----------------------------------------


async def test_no_resume_hint_when_nothing_was_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    async with FakePlane(seed=SMALL, rate_limit=None) as server:
        use(server, monkeypatch)
        # a folder that cannot be written: a usage error, and no promise of a checkpoint
        code, _, err = await cli(capsys, "export", "--out", str(blocker / "out"))
        assert code == 2, err
        assert "cannot" in err and "checkpoint is saved" not in err
        assert server.requests == []
        # a wrong key fails the discovery: nothing is saved, and running again would not help
        use(server, monkeypatch, key=KEY)
        code, _, err = await cli(capsys, "export", "--out", str(tmp_path / "out"))
        assert code == 1
        assert "InvalidAPIKeyError" in err
        assert "checkpoint is saved" not in err and "same command again" not in err
        assert not (tmp_path / "out").exists()


# -- item 14: server text cannot drive the terminal --------------------------------------------


async def test_server_text_reaches_the_terminal_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakePlane(seed=SMALL, rate_limit=None) as server:
        project = next(iter(server.store.projects.values()))
        project.identifier = "WEB\x1b]0;owned\x07\x1b[2K\u202e"
        use(server, monkeypatch)
        items = tmp_path / "items.jsonl"
        items.write_bytes(b'{"external_id": "1", "name": "one"}\n')
        code, out, err = await cli(capsys, "import", str(items), "--project", "NOPE")
        assert code == 2
        code2, out2, err2 = await cli(capsys, "import", str(items), "--project", project.id)
        assert code2 == 0, err2
    for text in (out, err, out2, err2):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert r"WEB\x1b]0;owned\x07\x1b[2K\u202e" in err
    assert r"WEB\x1b]0;owned" in out2


# -- item 15: a key given to the wrong option is never echoed ----------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--api-key-file", KEY],
        ["--api-key-", KEY],
        ["--api-key-f", KEY],
        [f"--api-key-={KEY}"],
        [f"--api-key={KEY}"],
        ["--api", KEY],
    ],
)
def test_a_key_given_to_a_key_option_is_never_echoed(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    try:
        code = main(["export", "--out", str(tmp_path / "x"), *argv])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    assert code == 2
    err = capsys.readouterr().err
    assert KEY not in err and KEY[:16] not in err
    assert "Traceback" not in err


# -- items 9, 10, 20: an import checks its rows before any write -------------------------------


async def test_an_oversized_csv_field_or_a_bad_file_beside_it_is_a_usage_error_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    big = write_csv(tmp_path / "big" / "tasks.csv", [["Key", "Summary", "description_html"],
                    ["1", "fine", "<p>short</p>"], ["2", "huge", "x" * 140_000]])  # fmt: skip
    beside = tmp_path / "beside" / "items.jsonl"
    beside.parent.mkdir()
    beside.write_bytes(b'{"external_id": "1", "name": "one", "state": "Todo"}\n')
    (beside.parent / "states.jsonl").write_bytes(b'{"id": "s1", "name": "Todo"}\n{"id": broken\n')
    async with FakePlane(seed=SMALL, rate_limit=None) as server:
        use(server, monkeypatch)
        project = next(iter(server.store.projects.values())).identifier
        code, _, err = await cli(capsys, "import", str(big), "--project", project,
                                 "--map", "Key=external_id,Summary=name")  # fmt: skip
        assert code == 2, err
        assert "line 3" in err and "Traceback" not in err
        code, _, err = await cli(capsys, "import", str(beside), "--project", project)
        assert code == 2, err
        assert "states.jsonl line 2" in err and "Traceback" not in err
        assert all(r.method == "GET" for r in server.requests)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir()
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


NAMES = Names.of([{"id": "s", "name": "Todo"}], [{"id": "l", "name": "bug"}], [])


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"start_date": "2024-01-0199"}, "start_date '2024-01-0199' is not a date"),
        ({"target_date": "2024-12-31 garbage"}, "target_date '2024-12-31 garbage' is not a date"),
        ({"start_date": "2024-13-01"}, "is not a date"),
        ({"labels": {"a": 1}}, "labels must be"),
        ({"labels": [1.5]}, "labels must be"),
        ({"assignees": {"a": 1}}, "assignees must be"),
        ({"labels": ["x" * 256]}, "label name of 256 characters"),
        ({"name": "n" * 256}, "name of 256 characters"),
        ({"priority": ["high"]}, "priority"),
    ],
)
def test_rows_the_server_would_refuse_or_misread_are_refused_before_any_write(
    row: dict[str, object], problem: str
) -> None:
    wanted, problems = to_wanted(7, {"name": "ok", "external_id": "1", **row}, NAMES,
                                 source="s")  # fmt: skip
    assert wanted is None
    assert any(p.startswith("line 7: ") and problem in p for p in problems), problems


def test_good_dates_and_label_names_still_import() -> None:
    row = {"name": "ok", "external_id": "1", "start_date": "2024-01-05",
           "target_date": "2024-02-01T10:00:00+00:00", "labels": "bug, new one"}  # fmt: skip
    wanted, problems = to_wanted(2, row, NAMES, source="s")
    assert problems == [] and wanted is not None
    assert wanted.fields["start_date"] == "2024-01-05"
    assert wanted.fields["target_date"] == "2024-02-01"
    assert wanted.fields["labels"] == ["l"] and wanted.new_labels == ("new one",)


# -- item 11: odd summary counts ---------------------------------------------------------------


def test_a_summary_count_that_is_a_string_or_null_does_not_crash_the_plan() -> None:
    plan = plan_export(
        [{"issues": "250", "states": None, "labels": "many", "modules": -3, "cycles": True},
         {"issues": 50, "states": 5}],
        per_page=100, include=(),
    )  # fmt: skip
    rows = {name: (n, what) for name, n, what in plan.rows}
    assert rows["work-items"] == (4, "300 work items")
    assert rows["states"] == (2, "5 states")  # unknown counts: one request each
    assert rows["modules"][0] == 2 and rows["cycles"][0] == 2


# -- item 23: the plan counts the requests already in the key's window -------------------------


def test_the_minimum_counts_the_requests_already_in_the_window() -> None:
    busy = Quota(limit=60, period=60.0, remaining=2, next_slot_in=55.0, paused_for=0.0)
    assert minimum_seconds(49, busy) == 55.0  # before: 0 s
    assert minimum_seconds(2, busy) == 0.0
    assert minimum_seconds(62, busy) == 60.0  # the two sent now are free again after 60 s
    fresh = Quota(limit=60, period=60.0, remaining=60, next_slot_in=0.0, paused_for=0.0)
    assert minimum_seconds(60, fresh) == 0.0 and minimum_seconds(61, fresh) == 60.0
    paused = Quota(limit=60, period=60.0, remaining=0, next_slot_in=10.0, paused_for=30.0)
    assert minimum_seconds(1, paused) == 30.0


@pytest.mark.slow  # waits for the server's (scaled-down) window in real time
async def test_a_sync_right_after_another_run_reports_the_time_the_window_imposes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "backup"
    # a period Plane's throttle (DRF) has: the client learns only those
    async with FakePlane(seed=SMALL, rate_limit=(30, 1.0)) as server:
        use(server, monkeypatch)
        code, _, err = await cli(capsys, "export", "--out", str(out))
        assert code == 0, err
        # another process of the key used most of the window just now
        async with AsyncPlane(api_key=server.api_key, workspace=server.workspace,
                              base_url=server.base_url) as other:  # fmt: skip
            await asyncio.gather(*(other.users.me() for _ in range(29)))
        code, sync_out, err = await cli(capsys, "sync", "--out", str(out))
        assert code == 0, err
    line = next(x for x in sync_out.splitlines() if "theoretical minimum" in x)
    assert not line.endswith(": 0 s"), line
