"""The command line's parsing, messages and exit codes; the TTY output under a real pty."""

from __future__ import annotations

import ast
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

import plane_async.cli
from plane_async.cli import main
from plane_async.testing import FakePlane, Seed
from tests.support.cli_helpers import FAST, cli_env, run_cli

KEY = "plane_api_" + "0123456789abcdef" * 2


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PLANE_API_KEY", "PLANE_BASE_URL", "PLANE_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)


def test_the_cli_uses_only_the_public_api() -> None:
    for path in Path(plane_async.cli.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 2:
                assert node.module in (None, "models", "testing", "types"), (
                    f"{path.name}: from ..{node.module}"
                )
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                assert not node.module.startswith("plane_async._"), path.name


def test_the_console_script_is_declared() -> None:
    pyproject = Path(__file__).parents[2] / "pyproject.toml"
    assert 'plane-async = "plane_async.cli:main"' in pyproject.read_text()


def test_a_key_on_the_command_line_is_refused_without_echoing_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--out", "x", "--api-key", KEY])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "PLANE_API_KEY" in err and "--api-key-file" in err
    assert KEY not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--include", "comments,votes"], "--include takes comments, links, activities; "
         "unknown: votes"),
        (["--fields", "nmae"], "did you mean 'name'"),
        (["--expand", "sate"], "'sate'"),
        (["--per-page", "0"], "--per-page must be from 1 to 1000"),
        (["--rate", "60"], "--rate must be REQUESTS/SECONDS"),
        (["--checkpoint-every", "-1"], "--checkpoint-every takes seconds, 0 or more; got -1"),
        (["--checkpoint-every", "nan"], "--checkpoint-every takes seconds, 0 or more; got nan"),
    ],
)  # fmt: skip
def test_bad_flags_are_usage_errors_before_any_request(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:  # fmt: skip
    # an unreachable server: a request would fail with exit code 1, not 2
    monkeypatch.setenv("PLANE_API_KEY", KEY)
    monkeypatch.setenv("PLANE_WORKSPACE", "acme")
    monkeypatch.setenv("PLANE_BASE_URL", "http://127.0.0.1:9")
    assert main(["export", "--out", str(tmp_path / "x"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_missing_configuration_says_which_variable_to_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["export", "--out", str(tmp_path / "x")]) == 2
    assert "no API key: set PLANE_API_KEY" in capsys.readouterr().err


@pytest.mark.slow
def test_a_server_that_cannot_be_reached_is_an_error_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PLANE_API_KEY", KEY)
    code = main(["export", "--out", str(tmp_path / "x"), "--workspace", "acme",
                 "--base-url", "http://127.0.0.1:9"])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "TransportError" in err and KEY not in err


@pytest.mark.slow
def test_an_api_key_file_is_read_and_never_written(tmp_path: Path) -> None:
    import asyncio

    async def go() -> None:
        async with FakePlane(seed=Seed(issues_per_project=5), rate_limit=None) as server:
            keyfile = tmp_path / "key"
            keyfile.write_text(server.api_key + "\n")
            env = cli_env(None, PLANE_WORKSPACE=server.workspace)
            out = tmp_path / "out"
            done = await run_cli("export", "--out", str(out), "--base-url", server.base_url,
                                 "--api-key-file", str(keyfile), *FAST, env=env)  # fmt: skip
            assert done.code == 0, done.err
            for path in out.iterdir():
                assert server.api_key not in path.read_text()
            piped = await run_cli("export", "--out", str(tmp_path / "o2"), "--base-url",
                                  server.base_url, "--api-key-file", "-", *FAST, env=env,
                                  stdin=server.api_key.encode())  # fmt: skip
            assert piped.code == 0, piped.err

    asyncio.run(go())


@pytest.mark.slow
def test_a_folder_with_other_files_or_another_export_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    async def go() -> None:
        async with FakePlane(seed=Seed(issues_per_project=5), rate_limit=None) as server:
            env = cli_env(server)
            busy = tmp_path / "busy"
            busy.mkdir()
            (busy / "work-items.jsonl").write_text("mine\n")
            done = await run_cli("export", "--out", str(busy), *FAST, env=env)
            assert done.code == 2
            assert "not a resumable export" in done.err and "--restart" in done.err
            assert (busy / "work-items.jsonl").read_text() == "mine\n"
            ok = await run_cli("export", "--out", str(busy), "--restart", *FAST, env=env)
            assert ok.code == 0, ok.err
            other = await run_cli("export", "--out", str(busy), "--per-page", "50", *FAST,
                                  env=env)  # fmt: skip
            assert other.code == 2
            assert "other options (per_page=100)" in other.err

    asyncio.run(go())


def test_a_checkpoint_shorter_than_its_file_is_cut_back_and_a_longer_one_refused(
    tmp_path: Path,
) -> None:
    from plane_async.cli._folder import Folder, FolderError

    job = {"server": "s"}
    folder = Folder.open(tmp_path, job, ["a.jsonl"])
    folder.commit("a", "a.jsonl", [{"n": 1}], cursor="10:1:0")
    folder.close()
    with open(tmp_path / "a.jsonl", "ab") as f:  # a page written, its checkpoint not
        f.write(b'{"n": 2}\n{"n"')
    again = Folder.open(tmp_path, job, ["a.jsonl"])
    assert list(again.rows("a.jsonl")) == [{"n": 1}]
    assert again.stream("a").cursor == "10:1:0"
    again.close()
    (tmp_path / "a.jsonl").write_bytes(b"")
    with pytest.raises(FolderError, match="shorter than its checkpoint"):
        Folder.open(tmp_path, job, ["a.jsonl"])
    saved = orjson.loads((tmp_path / "checkpoint.json").read_bytes())
    assert saved["files"] == {"a.jsonl": 8}


@pytest.mark.slow
def test_progress_bars_under_a_real_terminal(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        # 45 requests under 20 per 2 s: two waits for the rate limit
        [sys.executable, "-m", "plane_async", "demo", "--issues", "120", "--rate", "20/2",
         "--out", str(tmp_path / "out")],
        stdin=slave, stdout=slave, stderr=slave, env=cli_env(None, TERM="xterm"), close_fds=True,
    )  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    screen = b"".join(chunks).decode(errors="replace")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
    assert "\x1b[" in screen  # drawn with terminal control codes, redrawn in place
    assert "━" in text
    bar = re.search(r"work-items\s+━+\s+360/360 .*done in", text)
    assert bar is not None, text[-2000:]
    assert "work-items: 360 items to fetch" not in text  # no plain lines on a terminal
    # a wait is shown, not a frozen bar (its length is what is left of the 2 s window when the
    # bar starts waiting: 1 s when starting the process took long)
    assert re.search(r"waiting for the rate limit \([12] s\)", text), text[-2000:]
