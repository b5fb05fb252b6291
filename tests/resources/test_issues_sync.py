"""Incremental sync: ``issues.changed_since`` and ``issues.ids`` against FakePlane."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from plane_async import AsyncPlane, PlaneValueError
from plane_async.testing import ConcurrentWriter, FakePlane, Seed

UTC = dt.UTC


def pid_of(server: FakePlane) -> str:
    return next(iter(server.store.projects))


def list_requests(server: FakePlane) -> list[dict[str, str]]:
    return [r.query for r in server.requests if r.path.endswith("/work-items/")]


def moment(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, UTC)


@pytest.mark.plane_server(seed=Seed(issues_per_project=2_000, modules=0, cycles=0, labels=0))
async def test_a_few_changes_in_a_large_project_cost_one_request(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    writer = ConcurrentWriter(plane_server, seed=1)
    since = moment(plane_server.store.now() - 0.001)
    for _ in range(30):
        writer.update()
    for _ in range(20):
        writer.create()
    got = [i async for i in plane.issues.changed_since(pid_of(plane_server), since)]
    assert {str(i.id) for i in got} == set(writer.updated) | set(writer.created)
    stamps = [i.updated_at for i in got]
    assert stamps == sorted(stamps, reverse=True)  # newest change first
    assert len(list_requests(plane_server)) == 1
    assert list_requests(plane_server)[0]["order_by"] == "-updated_at"


async def test_items_changed_exactly_at_since_are_included(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    project = plane_server.store.projects[pid_of(plane_server)]
    stamp = 2_000_000_000.0
    tied = project.issues[3:6]
    for issue in tied:
        issue.updated_at = stamp
    project.issues[7].updated_at = stamp - 0.000001  # just before: left out
    plane_server.store.touch(project.id)
    got = [i async for i in plane.issues.changed_since(project.id, moment(stamp), per_page=2)]
    assert {str(i.id) for i in got} == {i.id for i in tied}


async def test_an_item_updated_twice_during_the_sync_comes_out_once(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    pid = pid_of(plane_server)
    writer = ConcurrentWriter(plane_server, seed=5)
    since = moment(plane_server.store.now() - 0.001)
    changed = [writer.update().id for _ in range(12)]
    seen: list[str] = []
    async for issue in plane.issues.changed_since(pid, since, per_page=3):
        seen.append(str(issue.id))
        if len(seen) == 4:
            writer.update(changed[-1])  # already yielded: moves to the front again
            writer.update(changed[0])  # not yielded yet: moves ahead of the read
            writer.update(changed[0])
    assert len(seen) == len(set(seen))
    # everything changed before the sync and not touched during it is there
    assert set(changed[1:]) <= set(seen)


async def test_changed_since_refuses_a_naive_datetime_before_any_request(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    with pytest.raises(PlaneValueError, match="timezone-aware"):
        plane.issues.changed_since(pid_of(plane_server), dt.datetime(2026, 1, 1))
    with pytest.raises(PlaneValueError, match="timezone-aware"):
        plane.issues.changed_since(pid_of(plane_server), "2026-01-01")  # type: ignore[arg-type]
    assert list_requests(plane_server) == []


async def test_changed_since_keeps_updated_at_in_restricted_fields(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    since = moment(0)
    got = [
        i async for i in plane.issues.changed_since(pid_of(plane_server), since, fields=["name"])
    ]
    assert len(got) == 25
    assert list_requests(plane_server)[0]["fields"] == "id,name,updated_at"


async def test_deleted_items_do_not_show_and_ids_finds_them(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    pid = pid_of(plane_server)
    held = {i async for i in plane.issues.ids(pid)}
    assert len(held) == 25 and all(isinstance(i, uuid.UUID) for i in held)
    writer = ConcurrentWriter(plane_server, seed=2)
    since = moment(plane_server.store.now() - 0.001)
    gone = writer.delete()
    assert [i async for i in plane.issues.changed_since(pid, since)] == []
    now = {i async for i in plane.issues.ids(pid)}
    assert held - now == {uuid.UUID(gone.id)}
    query = list_requests(plane_server)[0]
    assert query["fields"] == "id,created_at" and query["per_page"] == "1000"


@pytest.mark.plane_server(seed=Seed(issues_per_project=300, modules=0, cycles=0, labels=0))
async def test_ids_is_exact_while_items_are_created_and_deleted(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    pid = pid_of(plane_server)
    before = {i.id for i in plane_server.store.projects[pid].issues}
    with ConcurrentWriter(plane_server, every=1, seed=9) as writer:
        got = [str(i) async for i in plane.issues.ids(pid, per_page=7)]
    assert len(got) == len(set(got))
    assert before - set(writer.deleted) <= set(got)
