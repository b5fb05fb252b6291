"""The pytest plugin's ``plane_server`` and ``plane`` fixtures, and that a project opts in."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from plane_async.testing import FakePlane, Seed
from tests.support.subprocess_helpers import clean_env


async def test_plane_server_is_started_with_small_defaults(plane_server: FakePlane) -> None:
    assert plane_server.base_url.startswith("http://127.0.0.1:")
    assert len(plane_server.store.issues) == 25


@pytest.mark.plane_server(seed=Seed(projects=2, issues_per_project=3), max_per_page=100)
async def test_marker_changes_the_server(plane_server: FakePlane) -> None:
    assert len(plane_server.store.projects) == 2 and plane_server.max_per_page == 100


async def test_plane_client_talks_to_the_server(plane: object, plane_server: FakePlane) -> None:
    me = await plane.request("GET", "users/me/")  # type: ignore[attr-defined]
    assert me["display_name"] == "alice"
    assert plane_server.requests[-1].path == "/api/v1/users/me/"


def test_installing_the_package_registers_no_pytest_plugin() -> None:
    # Every project that installs plane_async would otherwise get fixtures named `plane`
    # and `plane_server` in each of its pytest sessions.
    plugins = importlib.metadata.entry_points(group="pytest11")
    assert not [e for e in plugins if e.value.startswith("plane_async")]


_USES_THE_FIXTURE = """
async def test_me(plane):
    assert (await plane.users.me()).display_name == "alice"
"""


@pytest.mark.slow
@pytest.mark.parametrize("opted_in", [False, True])
def test_a_project_gets_the_fixtures_only_when_it_opts_in(tmp_path: Path, opted_in: bool) -> None:
    (tmp_path / "test_uses_plane.py").write_text(_USES_THE_FIXTURE)
    if opted_in:
        (tmp_path / "conftest.py").write_text(
            'pytest_plugins = ["plane_async.testing.pytest_plugin"]\n'
        )
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error",
            "-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function",
            "--rootdir", str(tmp_path), str(tmp_path)]  # fmt: skip
    result = subprocess.run(
        args, cwd=tmp_path, env=clean_env(), capture_output=True, text=True, check=False
    )
    if opted_in:
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        assert result.returncode == 1 and "fixture 'plane' not found" in result.stdout
