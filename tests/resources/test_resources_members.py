"""plane.members: project and workspace members, add/update/remove by membership id."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane
from plane_async._errors import PlaneValueError
from plane_async._models import ProjectMember, Role, User, WorkspaceMember
from plane_async._models.converter import strict_converter
from tests.support.resource_helpers import (
    PID,
    PROJECT,
    collect,
    fixture_body,
    run,
    sent,
    url,
)

BOB = "27872e28-3e1f-4664-bb43-3b06d84b93d4"
PMID = "5b0f3f5e-9d55-4c1f-8d2b-6a2d7a4c1e10"
MEMBERS = PROJECT + "members/"
ROW = {"id": PMID, "member": BOB, "role": 15}


def test_list_reads_the_plain_array_of_users(mocked: aioresponses) -> None:
    mocked.get(url(MEMBERS), payload=fixture_body("project-members.json"))
    users = run(lambda p: collect(p.members.list(PID)))
    assert sent(mocked) == [("GET", MEMBERS, {}, None)]  # no per_page: not paginated
    assert [u.display_name for u in users] == ["bob", "alice"]
    assert all(type(u) is User for u in users)


def test_pages_is_one_page(mocked: aioresponses) -> None:
    mocked.get(url(MEMBERS), payload=fixture_body("project-members.json"))
    (page,) = run(lambda p: collect(p.members.pages(PID)))
    assert len(page.results) == 2 and page.next_page_results is False


def test_paging_options_that_do_not_apply_are_refused(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="per_page"):
        run(lambda p: collect(p.members.list(PID, per_page=10)))
    assert sent(mocked) == []


def test_list_workspace_reads_roles(mocked: aioresponses) -> None:
    mocked.get(
        url("/api/v1/workspaces/acme/members/"), payload=fixture_body("workspace-members.json")
    )
    members = run(lambda p: collect(p.members.list_workspace()))
    assert sent(mocked)[0][:2] == ("GET", "/api/v1/workspaces/acme/members/")
    assert [(m.display_name, m.role) for m in members] == [
        ("bob", Role.MEMBER),
        ("alice", Role.ADMIN),
    ]
    assert all(isinstance(m, WorkspaceMember) for m in members)


def test_recorded_members_structure_strictly() -> None:
    for item in fixture_body("project-members.json"):
        assert isinstance(strict_converter().structure(item, User), User)
    for item in fixture_body("workspace-members.json"):
        assert isinstance(strict_converter().structure(item, WorkspaceMember), WorkspaceMember)
    row = strict_converter().structure(ROW, ProjectMember)
    assert (row.member, row.role) == (uuid.UUID(BOB), Role.MEMBER)


def test_add_get_update_remove_requests(mocked: aioresponses) -> None:
    mocked.post(url(MEMBERS), status=201, payload=ROW)
    mocked.get(url(f"{MEMBERS}{PMID}/"), payload=fixture_body("project-members.json")[0])
    mocked.patch(url(f"{MEMBERS}{PMID}/"), payload={**ROW, "role": 20})
    mocked.delete(url(f"{MEMBERS}{PMID}/"), status=204)

    async def calls(p: AsyncPlane) -> tuple[ProjectMember, User, ProjectMember]:
        added = await p.members.add(PID, member=uuid.UUID(BOB))
        user = await p.members.get(PID, added.id)
        changed = await p.members.update(PID, added.id, role=Role.ADMIN)
        await p.members.remove(PID, added.id)
        return added, user, changed

    added, user, changed = run(calls)
    assert sent(mocked) == [
        ("POST", MEMBERS, {}, {"member": BOB, "role": 15}),
        ("GET", f"{MEMBERS}{PMID}/", {}, None),
        ("PATCH", f"{MEMBERS}{PMID}/", {}, {"role": 20}),
        ("DELETE", f"{MEMBERS}{PMID}/", {}, None),
    ]
    assert added.id == uuid.UUID(PMID) and added.role is Role.MEMBER
    assert user.id == uuid.UUID(BOB)
    assert changed.role is Role.ADMIN


@pytest.mark.parametrize("role", [10, True, "admin", None])
def test_unknown_roles_are_refused(mocked: aioresponses, role: Any) -> None:
    with pytest.raises(PlaneValueError, match=r"Role\.ADMIN \(20\)"):
        run(lambda p: p.members.add(PID, member=BOB, role=role))
    with pytest.raises(PlaneValueError, match="role"):
        run(lambda p: p.members.update(PID, PMID, role=role))
    assert sent(mocked) == []


def test_ids_are_checked(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="member"):
        run(lambda p: p.members.add(PID, member="bob"))
    with pytest.raises(PlaneValueError, match="project_member_id"):
        run(lambda p: p.members.remove(PID, "bob"))
    assert sent(mocked) == []


async def test_members_flow_against_the_fake_server(plane: AsyncPlane) -> None:
    project = await plane.projects.create(name="Ops", identifier="OPS")
    me = await plane.users.me()
    assert [u.id async for u in plane.members.list(project.id)] == [me.id]  # the creator
    (outsider, *_) = [m async for m in plane.members.list_workspace() if m.id != me.id]

    row = await plane.members.add(project.id, member=outsider.id, role=Role.GUEST)
    assert row.member == outsider.id and row.role is Role.GUEST
    assert outsider.id in {u.id async for u in plane.members.list(project.id)}
    assert (await plane.members.get(project.id, row.id)).id == outsider.id
    assert (await plane.members.update(project.id, row.id, role=Role.MEMBER)).role is Role.MEMBER

    # Plane deactivates the membership: the user stays in the list, as Plane lists them.
    await plane.members.remove(project.id, row.id)
    assert outsider.id in {u.id async for u in plane.members.list(project.id)}
    (page,) = [p async for p in plane.members.pages(project.id)]
    assert page.next_page_results is False and page.cursor is None
    ws = [p async for p in plane.members.workspace_pages()]
    assert len(ws) == 1 and outsider.id in {m.id for m in ws[0].results}
