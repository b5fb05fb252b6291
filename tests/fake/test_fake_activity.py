"""FakePlane moves a work item's ``updated_at`` on every activity, as Plane's worker does.

Observed on a live CE 1.3.1 server: a comment, link, attachment, relation, reaction, module
or cycle membership on an otherwise unchanged work item moves its ``updated_at`` (the
Celery task ``issue_activity`` sets it a moment after the write), so ``changed_since``
found 3 comments of 3 there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from plane_async import AsyncPlane
from plane_async.models import Issue
from plane_async.testing import FakePlane, Seed

SEED = Seed(projects=1, issues_per_project=12, modules=1, cycles=1, labels=0)

Act = Callable[[AsyncPlane, Any, Issue], Awaitable[object]]


async def comment(plane: AsyncPlane, pid: Any, issue: Issue) -> object:
    return await plane.comments.create(pid, issue.id, comment_html="<p>hi</p>")


async def edit_comment(plane: AsyncPlane, pid: Any, issue: Issue) -> object:
    return [c async for c in plane.comments.list(pid, issue.id)]


async def link(plane: AsyncPlane, pid: Any, issue: Issue) -> object:
    return await plane.links.create(pid, issue.id, url="https://example.com/spec")


async def module_membership(plane: AsyncPlane, pid: Any, issue: Issue) -> object:
    module = await anext(plane.modules.list(pid))
    return await plane.modules.add_issues(pid, module.id, [issue.id])


async def cycle_membership(plane: AsyncPlane, pid: Any, issue: Issue) -> object:
    cycle = await anext(plane.cycles.list(pid))
    return await plane.cycles.add_issues(pid, cycle.id, [issue.id])


def connect(server: FakePlane) -> AsyncPlane:
    return server.client()  # in process: no socket


async def oldest(plane: AsyncPlane, pid: Any) -> Issue:
    # the least recently changed work item: an activity must bring it to the front
    return await anext(plane.issues.list(pid, order_by="updated_at", max_items=1))


@pytest.mark.parametrize("act", [comment, link, module_membership, cycle_membership])
async def test_an_activity_moves_the_work_item_to_the_front_of_changed_since(act: Act) -> None:
    async with (
        FakePlane(seed=SEED, rate_limit=None, listen=False) as server,
        connect(server) as plane,
    ):
        project = await anext(plane.projects.list())
        issue = await oldest(plane, project.id)
        since = dt.datetime.now(dt.UTC)
        await act(plane, project.id, issue)
        changed = [i.id async for i in plane.issues.changed_since(project.id, since)]
        assert changed == [issue.id]
        again = await plane.issues.get(project.id, issue.id)
        assert again.updated_at is not None and again.updated_at >= since
        assert again.name == issue.name  # nothing else about it changed


async def test_reads_and_the_work_item_s_own_delete_record_no_activity() -> None:
    async with (
        FakePlane(seed=SEED, rate_limit=None, listen=False) as server,
        connect(server) as plane,
    ):
        project = await anext(plane.projects.list())
        issue = await oldest(plane, project.id)
        since = dt.datetime.now(dt.UTC)
        await edit_comment(plane, project.id, issue)
        await plane.issues.get(project.id, issue.id)
        assert [i async for i in plane.issues.changed_since(project.id, since)] == []


async def test_the_bump_lands_after_the_worker_s_delay() -> None:
    async with (
        FakePlane(seed=SEED, rate_limit=None, activity_delay=30.0, listen=False) as server,
        connect(server) as plane,
    ):
        project = await anext(plane.projects.list())
        issue = await oldest(plane, project.id)
        since = dt.datetime.now(dt.UTC)
        await comment(plane, project.id, issue)
        # the write is done, the worker has not run: the work item looks unchanged
        assert [i async for i in plane.issues.changed_since(project.id, since)] == []
        assert server.activity.pending == 1
        server.activity.flush()  # the worker catches up (no test waits 30 s)
        assert [i.id async for i in plane.issues.changed_since(project.id, since)] == [issue.id]
        assert server.activity.pending == 0


def test_a_negative_delay_is_refused() -> None:
    with pytest.raises(ValueError, match="activity_delay"):
        FakePlane(activity_delay=-1.0)
