"""Every namespace of the real client against FakePlane: each call the client makes is
served with the status and shape the client structures (through the pytest plugin)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from plane_async import AsyncPlane, BadRequestError, NotFoundError
from plane_async.models import IntakeStatus
from plane_async.testing import FakePlane, Seed
from plane_async.testing._store import User

# in process (no socket): the loopback path is covered by the first test and tests/fake/
pytestmark = pytest.mark.plane_server(seed=Seed(issues_per_project=30), listen=False)


async def first_project(plane: AsyncPlane) -> uuid.UUID:
    projects = [p async for p in plane.projects.list()]
    return projects[0].id


@pytest.mark.plane_server(seed=Seed(issues_per_project=30))  # over 127.0.0.1, as in the README
async def test_readme_example_runs_through_the_plugin(plane: AsyncPlane) -> None:
    projects = [p async for p in plane.projects.list()]
    project = projects[0]
    names = [i.name async for i in plane.issues.list(project.id, per_page=10)]
    assert len(names) == 30


async def test_project_summary_counts(plane: AsyncPlane, plane_server: FakePlane) -> None:
    pid = await first_project(plane)
    summary = await plane.projects.summary(pid)
    assert summary.id == pid and summary.identifier == "WEB"
    assert summary.counts == {
        "members": 2,
        "states": 5,
        "labels": 4,
        "cycles": 2,
        "modules": 3,
        "issues": 30,
        "intakes": 0,
        "pages": 0,
    }
    picked = await plane.projects.summary(pid, fields=["issues", "states"])
    assert picked.counts == {"states": 5, "issues": 30}  # the server's order, not the caller's
    raw = await plane.request(
        "GET", f"workspaces/acme/projects/{pid}/summary/", params={"fields": "nope"}
    )
    assert set(raw["counts"]) == {"members", "states", "labels", "cycles", "modules", "issues",
                                  "intakes", "pages"}  # fmt: skip
    assert plane_server.requests[-1].status == 200


async def test_projects_states_labels_and_users(plane: AsyncPlane) -> None:
    me = await plane.users.me()
    assert me.display_name == "alice"
    workspace = [m async for m in plane.members.list_workspace()]
    assert {m.role for m in workspace} == {20, 15}
    project = await plane.projects.create(name="Ops", identifier="ops", cycle_view=True)
    assert project.identifier == "OPS"
    assert (await plane.projects.update(project.id, description="d")).description == "d"
    await plane.projects.archive(project.id)
    await plane.projects.unarchive(project.id)
    assert (await plane.projects.get(project.id)).name == "Ops"
    state = await plane.states.create(project.id, name="Review", color="#123456")
    assert (await plane.states.get(project.id, state.id)).name == "Review"
    await plane.states.update(project.id, state.id, color="#654321")
    upserted = await plane.states.upsert(
        project.id, external_source="x", external_id="1", name="Imported", color="#000000"
    )
    again = await plane.states.upsert(
        project.id, external_source="x", external_id="1", name="Imported", color="#ffffff"
    )
    assert again.id == upserted.id and again.color == "#ffffff"
    await plane.states.delete(project.id, state.id)
    assert len([s async for s in plane.states.list(project.id)]) == 6
    label = await plane.labels.create(project.id, name="infra")
    await plane.labels.update(project.id, label.id, color="#ff0000")
    assert (await plane.labels.get(project.id, label.id)).color == "#ff0000"
    await plane.labels.delete(project.id, label.id)
    assert [x async for x in plane.labels.list(project.id)] == []
    await plane.projects.delete(project.id)


async def test_work_items_and_their_children(plane: AsyncPlane) -> None:
    pid = await first_project(plane)
    item = await plane.issues.create(pid, name="Export bug", external_source="gh",
                                     external_id="7")  # fmt: skip
    assert (await plane.issues.get(pid, item.id)).name == "Export bug"
    assert (await plane.issues.get_by_identifier(f"WEB-{item.sequence_id}")).id == item.id
    assert (await plane.issues.get_by_external_id(pid, "gh", "7")).id == item.id  # type: ignore[union-attr]
    assert await plane.issues.get_by_external_id(pid, "gh", "8") is None
    hits = await plane.issues.search("Export", project_id=pid)
    assert [h.id for h in hits] == [item.id]
    assert (await plane.issues.update(pid, item.id, priority="high")).priority == "high"
    same = await plane.issues.upsert(pid, external_source="gh", external_id="7", name="Renamed")
    assert same.id == item.id and same.name == "Renamed"

    comment = await plane.comments.create(pid, item.id, comment_html="<p>hi</p>")
    await plane.comments.update(pid, item.id, comment.id, comment_html="<p>yo</p>")
    assert (await plane.comments.get(pid, item.id, comment.id)).comment_html == "<p>yo</p>"
    assert [c.id async for c in plane.comments.list(pid, item.id)] == [comment.id]
    await plane.comments.delete(pid, item.id, comment.id)

    link = await plane.links.create(pid, item.id, url="https://example.com/a")
    await plane.links.update(pid, item.id, link.id, title="A")
    assert (await plane.links.get(pid, item.id, link.id)).title == "A"
    assert [x.id async for x in plane.links.list(pid, item.id)] == [link.id]
    await plane.links.delete(pid, item.id, link.id)

    activities = [a async for a in plane.activities.list(pid, item.id)]
    assert activities[0].verb == "created"
    assert (await plane.activities.get(pid, item.id, activities[-1].id)).field is not None
    await plane.issues.delete(pid, item.id)
    with pytest.raises(NotFoundError):
        await plane.issues.get(pid, item.id)


async def test_cycles_with_items_transfer_and_archive(plane: AsyncPlane) -> None:
    pid = await first_project(plane)
    now = dt.datetime.now(dt.UTC)
    running = await plane.cycles.create(
        pid, name="Now", start_date=now - dt.timedelta(days=1), end_date=now + dt.timedelta(days=6)
    )
    draft = await plane.cycles.create(pid, name="Later")
    assert running.id in {c.id for c in await plane.cycles.current(pid)}
    assert draft.id in {c.id async for c in plane.cycles.list(pid, view="draft")}
    await plane.cycles.update(pid, draft.id, description="next")
    assert (await plane.cycles.get(pid, draft.id)).description == "next"
    items = [i.id async for i in plane.issues.list(pid, max_items=3)]
    rows = await plane.cycles.add_issues(pid, running.id, items)
    assert {r.issue for r in rows} == set(items)
    row = await plane.cycles.get_issue_row(pid, running.id, items[0])
    assert row.cycle == running.id
    assert {i.id async for i in plane.cycles.issues(pid, running.id)} == set(items)
    await plane.cycles.remove_issue(pid, running.id, items[0])
    await plane.cycles.transfer_issues(pid, running.id, draft.id)
    ended = await plane.cycles.create(pid, name="Old", start_date="2020-01-01",
                                      end_date="2020-01-14")  # fmt: skip
    await plane.cycles.archive(pid, ended.id)
    assert [c.id async for c in plane.cycles.list_archived(pid)] == [ended.id]
    await plane.cycles.unarchive(pid, ended.id)
    upserted = await plane.cycles.upsert(pid, external_source="j", external_id="s1", name="S1")
    again = await plane.cycles.upsert(pid, external_source="j", external_id="s1", name="S1b")
    assert again.id == upserted.id and again.name == "S1b"
    await plane.cycles.delete(pid, draft.id)


async def test_modules_with_items_and_archive(plane: AsyncPlane) -> None:
    pid = await first_project(plane)
    module = await plane.modules.create(pid, name="Payments v2")
    items = [i.id async for i in plane.issues.list(pid, max_items=2)]
    rows = await plane.modules.add_issues(pid, module.id, items)
    assert {r.issue for r in rows} == set(items)
    assert {i.id async for i in plane.modules.issues(pid, module.id)} == set(items)
    await plane.modules.remove_issue(pid, module.id, items[0])
    await plane.modules.update(pid, module.id, status="completed")
    await plane.modules.archive(pid, module.id)
    assert [m.id async for m in plane.modules.list_archived(pid)] == [module.id]
    await plane.modules.unarchive(pid, module.id)
    assert (await plane.modules.get(pid, module.id)).status == "completed"
    upserted = await plane.modules.upsert(pid, external_source="j", external_id="m", name="M")
    again = await plane.modules.upsert(pid, external_source="j", external_id="m", name="M")
    assert again.id == upserted.id
    await plane.modules.delete(pid, module.id)


async def test_project_members_stay_listed_after_removal(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    pid = await first_project(plane)
    user = User(id=str(uuid.uuid4()), first_name="C", last_name="D", email="c@x.io",
                display_name="carol")  # fmt: skip
    plane_server.store.users[user.id] = user
    member = await plane.members.add(pid, member=user.id, role=15)
    assert str(member.member) == user.id and member.role == 15
    assert (await plane.members.update(pid, member.id, role=20)).role == 20
    assert (await plane.members.get(pid, member.id)).display_name == "carol"
    await plane.members.remove(pid, member.id)
    # Plane only sets is_active=false: the member is still listed and readable.
    assert user.id in {str(u.id) async for u in plane.members.list(pid)}
    assert (await plane.members.get(pid, member.id)).display_name == "carol"
    raw = await plane.request("GET", f"workspaces/acme/projects/{pid}/project-members/")
    assert user.id in {u["id"] for u in raw}


async def test_intake_triage_with_snooze(plane: AsyncPlane) -> None:
    pid = await first_project(plane)
    await plane.projects.update(pid, intake_view=True)
    row = await plane.intake.create(pid, name="From email", priority="low")
    iid = row.issue
    assert isinstance(iid, uuid.UUID)  # not expanded
    until = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    snoozed = await plane.intake.update(pid, iid, status=IntakeStatus.SNOOZED, snoozed_till=until)
    assert snoozed.status == IntakeStatus.SNOOZED and snoozed.snoozed_till == until
    got = await plane.intake.get(pid, iid)
    assert got.snoozed_till == until
    assert [x.id async for x in plane.intake.list(pid)] == [row.id]
    accepted = await plane.intake.update(pid, iid, status=IntakeStatus.ACCEPTED)
    assert accepted.status == IntakeStatus.ACCEPTED
    assert (await plane.issues.get(pid, iid)).name == "From email"
    await plane.projects.update(pid, intake_view=False)
    assert [x async for x in plane.intake.list(pid)] == []  # disabled intake lists nothing
    await plane.projects.update(pid, intake_view=True)
    await plane.intake.delete(pid, iid)


async def test_intake_refuses_a_malformed_snooze(plane: AsyncPlane) -> None:
    pid = await first_project(plane)
    await plane.projects.update(pid, intake_view=True)
    row = await plane.intake.create(pid, name="x")
    path = f"workspaces/acme/projects/{pid}/intake-issues/{row.issue}/"
    with pytest.raises(BadRequestError) as info:
        await plane.request("PATCH", path, json={"snoozed_till": "soon"})
    assert "snoozed_till" in info.value.body
