"""The pytest plugin's ``plane_server`` and ``plane`` fixtures."""

from __future__ import annotations

import pytest

from plane_async.testing import FakePlane, Seed


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
