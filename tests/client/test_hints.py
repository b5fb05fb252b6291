"""Hints that fit the situation: what a message suggests exists where the user is."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from plane_async import AsyncPlane, PermissionDeniedError, PlaneError
from plane_async.cli import _common as common
from plane_async.cli import demo, main
from plane_async.cli._plan import plan_export
from plane_async.cli._words import count
from plane_async.testing import FakePlane, Seed
from plane_async.types import Quota


async def test_a_403_on_get_by_identifier_points_at_the_project_identifier() -> None:
    async with FakePlane(seed=Seed(issues_per_project=1)) as server:
        plane = AsyncPlane(
            api_key=server.api_key, workspace=server.workspace, base_url=server.base_url
        )
        async with plane:
            with pytest.raises(PermissionDeniedError) as caught:
                await plane.issues.get_by_identifier("NOPE-1")
            found = await plane.issues.get_by_identifier("WEB-1")  # the seeded project's
    message = str(caught.value)
    assert "work item NOPE-1" in message
    assert "no project of the workspace has the identifier 'NOPE'" in message
    assert "plane.projects.list()" in message
    assert found.sequence_id == 1


# ------------------------------------------------------------------ the command line


@pytest.fixture
def key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANE_API_KEY", "plane_api_" + "4" * 32)
    monkeypatch.setenv("PLANE_WORKSPACE", "acme")
    monkeypatch.delenv("PLANE_BASE_URL", raising=False)


def test_plain_http_to_another_host_names_the_commands_flag(
    key_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["export", "--out", str(tmp_path / "out"), "--base-url", "http://plane.example.com"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "allow_insecure_http" not in err
    assert "Use https:// in --base-url" in err
    assert err.startswith("plane-async: error:")  # no blank first line


def test_credentials_in_the_url_name_the_commands_ways_to_give_a_key(
    key_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["export", "--out", str(tmp_path / "out"), "--base-url", "https://u:p@plane.example"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "api_key=" not in err and "--api-key-file" in err


def test_an_unknown_field_flag_does_not_suggest_a_keyword_argument(
    key_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["export", "--out", str(tmp_path / "out"), "--fields", "nmae"])
    err = capsys.readouterr().err
    assert code == 2
    assert "unchecked=True" not in err
    assert "did you mean 'name'?" in err


def test_a_server_error_is_printed_without_a_blank_first_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def fails() -> int:
        raise PlaneError("the server went away")

    assert common.run(fails, resume="how to go on") == common.EXIT_ERROR
    err = capsys.readouterr().err
    assert err == "plane-async: error: PlaneError: the server went away\nhow to go on\n"


def test_after_ctrl_c_the_message_starts_on_its_own_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def interrupted() -> int:
        raise KeyboardInterrupt

    assert common.run(interrupted) == common.EXIT_INTERRUPTED
    assert capsys.readouterr().err == "\ninterrupted\n"  # the terminal printed ^C


def test_counts_agree_with_their_nouns() -> None:
    assert count(1, "project") == "1 project"
    assert count(2, "project") == "2 projects"
    assert count(1200, "work item") == "1,200 work items"
    assert count(1, "retry", "retries") == "1 retry"
    plan = plan_export([{"states": 1, "labels": 1, "issues": 1, "modules": 1, "cycles": 1}],
                       per_page=100, include=(), discovery=2)  # fmt: skip
    text = "\n".join(plan.lines(Quota(60, 60.0, 60, 0.0, 0.0)))
    assert "1 project and their counts" in text and "the members of 1 project" in text
    assert "1 work item" in text and "1 projects" not in text and "1 states" not in text


def test_the_demo_tells_how_to_continue_without_make() -> None:
    source = inspect.getsource(demo)
    assert "make demo" not in source  # pip users have no Makefile
