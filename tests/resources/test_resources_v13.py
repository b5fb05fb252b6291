"""plane.estimates, plane.relations, plane.stickies and plane.invitations: flows against
FakePlane, the requests sent, and the checks made before any request."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from aioresponses import aioresponses

from plane_async import (
    AsyncPlane,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PlaneValueError,
    RateLimit,
)
from plane_async.models import RelationType, Role
from plane_async.testing import FakePlane
from tests.support.resource_helpers import BASE, PID, PROJECT, WS, collect, first_project, run, sent

IID = "9ce1388a-70eb-428d-b3a5-7e4138c13b88"
OTHER = "86f3bc45-4af1-4464-aaa8-0a5bc9432e64"
EID = "0f7f2a36-6d55-4a63-9d64-46f3f4b7b4a3"


# -- estimates -------------------------------------------------------------------------------


async def test_estimate_flow(plane: AsyncPlane, plane_server: FakePlane) -> None:
    pid = first_project(plane_server)
    with pytest.raises(NotFoundError, match="Estimate not found"):
        await plane.estimates.get(pid)
    points = [{"key": 0, "value": "1"}, {"key": 1, "value": "2", "description": "small"}]
    est = await plane.estimates.create(pid, name="Points", type="points", points=points)
    assert (est.name, est.type, est.last_used) == ("Points", "points", False)
    with pytest.raises(ConflictError) as info:
        await plane.estimates.create(pid, name="Again")
    assert info.value.existing_id == est.id

    listed = await collect(plane.estimates.list_points(pid, est.id))
    assert [(p.key, p.value, p.description) for p in listed] == [
        (0, "1", ""), (1, "2", "small"),
    ]  # fmt: skip
    assert all(p.estimate == est.id for p in listed)
    more = await plane.estimates.add_points(pid, est.id, [{"key": 2, "value": "3"}])
    assert [p.value for p in more] == ["3"]
    changed = await plane.estimates.update_point(pid, est.id, more[0].id, value="XL")
    assert changed.value == "XL"
    await plane.estimates.delete_point(pid, est.id, listed[0].id)
    assert [p.value for p in await collect(plane.estimates.list_points(pid, est.id))] == [
        "2", "XL",
    ]  # fmt: skip

    renamed = await plane.estimates.update(pid, name="T-shirt", description="sizes")
    assert (renamed.name, renamed.description) == ("T-shirt", "sizes")
    assert (await plane.estimates.get(pid)).id == est.id
    await plane.estimates.delete(pid)
    with pytest.raises(NotFoundError):
        await plane.estimates.get(pid)


def test_estimate_requests(mocked: aioresponses) -> None:
    row = {"id": EID, "name": "E", "type": "points"}
    point = {"id": EID, "key": 0, "value": "1"}
    mocked.post(re.compile(re.escape(BASE) + r".*/estimates/$"), payload=row, status=201)
    mocked.post(re.compile(re.escape(BASE) + r".*/estimate-points/$"), payload=[point],
                status=201)  # fmt: skip
    mocked.patch(re.compile(re.escape(BASE) + r".*/estimates/$"), payload=row)

    async def calls(plane: AsyncPlane) -> None:
        await plane.estimates.create(
            PID, name="E", type="points", points=[{"key": 0, "value": "1"}]
        )
        await plane.estimates.update(PID, description="d")

    run(calls)
    estimates = PROJECT + "estimates/"
    assert [(m, p, b) for m, p, _, b in sent(mocked)] == [
        ("POST", estimates, {"name": "E", "type": "points"}),
        ("POST", estimates + f"{EID}/estimate-points/",
         {"estimate_points": [{"key": 0, "value": "1"}]}),
        ("PATCH", estimates, {"description": "d"}),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: p.estimates.create(PID, name=""), "name must be"),
        (lambda p: p.estimates.create(PID, name="E", type="hours"), "type must be one of"),
        (lambda p: p.estimates.create(PID, name="E", points=[{"key": 0}]), "needs value"),
        (lambda p: p.estimates.add_points(PID, EID, []), "at least one point"),
        (lambda p: p.estimates.add_points(PID, EID, ["1"]), "must be a dict"),
        (lambda p: p.estimates.add_points(PID, EID, {"key": 0, "value": "1"}), "list of"),
        (lambda p: p.estimates.add_points(PID, EID, [{"key": -1, "value": "1"}]), ">= 0"),
        (lambda p: p.estimates.add_points(PID, EID, [{"key": True, "value": "1"}]), "an int"),
        (lambda p: p.estimates.add_points(PID, EID, [{"key": 0, "value": "x" * 21}]), "20"),
        (lambda p: p.estimates.add_points(PID, EID, [{"key": 0, "value": "1", "v": 2}]), "'v'"),
        (lambda p: p.estimates.update(PID), "at least one field"),
        (lambda p: p.estimates.update(PID, type="points"), "no writable field 'type'"),
        (lambda p: p.estimates.update_point(PID, EID, "nope", value="1"), "point_id"),
    ],
)
def test_bad_estimate_input_is_refused_before_any_request(
    mocked: aioresponses, call: Any, message: str
) -> None:
    with pytest.raises(PlaneValueError, match=message):
        run(call)
    assert mocked.requests == {}


# -- relations -------------------------------------------------------------------------------


async def test_relations_flow(plane: AsyncPlane, plane_server: FakePlane) -> None:
    pid = first_project(plane_server)
    a, b, c, d = await collect(plane.issues.list(pid, max_items=4))
    empty = await plane.relations.get(pid, a.id)
    assert all(empty.of(t) == () for t in RelationType)
    with pytest.raises(PlaneValueError, match="relation_type must be one of"):
        empty.of("blocks")

    rows = await plane.relations.add(pid, a.id, "blocked_by", [b.id])
    assert [(r.id, r.relation_type, r.name) for r in rows] == [
        (b.id, RelationType.BLOCKED_BY, b.name),
    ]  # fmt: skip
    # "blocking" is stored reversed: Plane answers with the source item and its type fields
    (row,) = await plane.relations.add(pid, a.id, RelationType.BLOCKING, [c.id])
    assert (row.id, row.relation_type, row.type_id, row.is_epic) == (
        c.id, RelationType.BLOCKED_BY, None, None,
    )  # fmt: skip
    await plane.relations.add(pid, a.id, "relates_to", [d.id])
    again = await plane.relations.add(pid, a.id, "relates_to", [d.id])  # a repeat is kept once
    assert [r.id for r in again] == [d.id]

    seen_from_a = await plane.relations.get(pid, a.id)
    assert [r.issue_id for r in seen_from_a.blocked_by] == [b.id]
    assert [r.issue_id for r in seen_from_a.blocking] == [c.id]
    assert [r.issue_id for r in seen_from_a.relates_to] == [d.id]
    assert seen_from_a.blocking[0].project_id == uuid.UUID(pid)
    seen_from_b = await plane.relations.get(pid, b.id)
    assert [r.issue_id for r in seen_from_b.of("blocking")] == [a.id]
    seen_from_c = await plane.relations.get(pid, c.id)
    assert [r.issue_id for r in seen_from_c.blocked_by] == [a.id]


async def test_relations_on_a_server_without_them_say_so() -> None:
    async with FakePlane(rate_limit=None, legacy_paths=True, listen=False) as server, \
            server.client() as plane:  # fmt: skip
        pid = first_project(server)
        (a,) = await collect(plane.issues.list(pid, max_items=1))
        with pytest.raises(NotFoundError, match="no work-item relations endpoint"):
            await plane.relations.get(pid, a.id)


def test_relation_requests(mocked: aioresponses) -> None:
    mocked.post(re.compile(re.escape(BASE) + ".*"), payload=[], status=201)
    run(lambda plane: plane.relations.add(PID, IID, "start_before", [OTHER]))
    assert [(m, p, b) for m, p, _, b in sent(mocked)] == [
        ("POST", PROJECT + f"work-items/{IID}/relations/",
         {"relation_type": "start_before", "issues": [OTHER]}),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: p.relations.add(PID, IID, "blocks", [OTHER]), "relation_type must be one of"),
        (lambda p: p.relations.add(PID, IID, "blocking", []), "at least one"),
        (lambda p: p.relations.add(PID, IID, "blocking", OTHER), "list of work-item ids"),
        (lambda p: p.relations.add(PID, IID, "duplicate", [IID]), "itself"),
        (lambda p: p.relations.get(PID, "APO-1"), "issue_id"),
    ],
)
def test_bad_relation_input_is_refused_before_any_request(
    mocked: aioresponses, call: Any, message: str
) -> None:
    with pytest.raises(PlaneValueError, match=message):
        run(call)
    assert mocked.requests == {}


# -- stickies --------------------------------------------------------------------------------


async def test_sticky_flow(plane: AsyncPlane) -> None:
    first = await plane.stickies.create(name="Ideas", description_html="<p>Call Anna</p>")
    second = await plane.stickies.create(color="#ffcc00")
    assert (first.name, first.description_stripped) == ("Ideas", "Call Anna")
    assert second.name is None and second.sort_order > first.sort_order
    assert [s.id async for s in plane.stickies.list()] == [second.id, first.id]
    assert [s.id async for s in plane.stickies.list(search="anna")] == [first.id]
    (page,) = await collect(plane.stickies.pages(per_page=1, max_pages=1))
    assert (page.count, page.total_results) == (1, 2)
    updated = await plane.stickies.update(first.id, name=None, background_color="#000")
    assert (updated.name, updated.background_color) == (None, "#000")
    assert (await plane.stickies.get(first.id)).background_color == "#000"
    await plane.stickies.delete(first.id)
    with pytest.raises(NotFoundError, match="No Sticky matches"):
        await plane.stickies.get(first.id)


async def test_stickies_and_invitations_are_not_rate_limited_by_plane() -> None:
    async with FakePlane(rate_limit=(2, 60.0), listen=False) as server:
        async with server.client(rate_limit=None) as plane:
            for n in range(4):
                await plane.stickies.create(name=f"s{n}")
            await collect(plane.invitations.list())
        assert [r.status for r in server.requests] == [201, 201, 201, 201, 200]


async def test_stickies_and_invitations_take_no_slot_of_the_clients_limiter() -> None:
    async with FakePlane(rate_limit=None, listen=False) as server, server.client(
        rate_limit=RateLimit(3, 60.0), limiter=None
    ) as plane:  # fmt: skip
        sticky = await plane.stickies.create(name="a")
        await plane.stickies.update(sticky.id, name="b")
        await collect(plane.stickies.list())
        await plane.invitations.create(email="a@b.co")
        assert plane.quota().remaining == 3
        await plane.users.me()
        assert plane.quota().remaining == 2


def test_sticky_search_is_sent_as_query(mocked: aioresponses) -> None:
    envelope = {"results": [], "next_page_results": False, "count": 0, "total_results": 0,
                "next_cursor": "20:1:0", "prev_cursor": "20:-1:1"}  # fmt: skip
    mocked.get(re.compile(re.escape(WS) + r"stickies/\?.*"), payload=envelope)
    run(lambda plane: collect(plane.stickies.list(search="anna", per_page=20)))
    assert [(m, p, q) for m, p, q, _ in sent(mocked)] == [
        ("GET", "/api/v1/workspaces/acme/stickies/", {"query": "anna", "per_page": "20"}),
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: p.stickies.create(title="x"), "no writable field 'title'"),
        (lambda p: p.stickies.create(description_html=3), "description_html must be"),
        (lambda p: p.stickies.update(IID), "at least one field"),
        (lambda p: collect(p.stickies.list(search="")), "search must be"),
        (lambda p: collect(p.stickies.list(fields=["id"])), "ignores fields/expand"),
        (lambda p: collect(p.invitations.list(per_page=10)), r"unknown option\(s\) \['per_page'\]"),
        (lambda p: collect(p.estimates.list_points(PID, EID, expand=["project"])), "ignores"),
    ],
)
def test_bad_sticky_input_is_refused_before_any_request(
    mocked: aioresponses, call: Any, message: str
) -> None:
    with pytest.raises(PlaneValueError, match=message):
        run(call)
    assert mocked.requests == {}


# -- invitations -----------------------------------------------------------------------------


async def test_invitation_flow(plane: AsyncPlane, plane_server: FakePlane) -> None:
    inv = await plane.invitations.create(email="bob@example.com")
    assert (inv.email, inv.role, inv.accepted, inv.responded_at) == (
        "bob@example.com", Role.GUEST, False, None,
    )  # fmt: skip
    with pytest.raises(BadRequestError, match="already invited"):
        await plane.invitations.create(email="bob@example.com", role=Role.MEMBER)
    changed = await plane.invitations.update(inv.id, role=Role.ADMIN)
    assert changed.role == Role.ADMIN
    assert [i.id async for i in plane.invitations.list()] == [inv.id]
    assert (await plane.invitations.get(inv.id)).role == Role.ADMIN
    plane_server.store.invitations[str(inv.id)].accepted = True
    with pytest.raises(BadRequestError) as info:
        await plane.invitations.delete(inv.id)
    assert info.value.body["code"] == "INVITE_ALREADY_ACCEPTED"
    plane_server.store.invitations[str(inv.id)].accepted = False
    await plane.invitations.delete(inv.id)
    with pytest.raises(NotFoundError):
        await plane.invitations.get(inv.id)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: p.invitations.create(email="bob"), "e-mail address"),
        (lambda p: p.invitations.create(email="a@b.c", role=10), "role must be one of"),
        (lambda p: p.invitations.update(IID, role=True), "role must be one of"),
        (lambda p: p.invitations.delete("x"), "invitation_id"),
    ],
)
def test_bad_invitation_input_is_refused_before_any_request(
    mocked: aioresponses, call: Any, message: str
) -> None:
    with pytest.raises(PlaneValueError, match=message):
        run(call)
    assert mocked.requests == {}


@pytest.mark.parametrize(
    "call",
    [
        lambda p: p.estimates.get(PID),
        lambda p: p.estimates.create(PID, name="Points", type="points"),
        lambda p: collect(p.estimates.list_points(PID, str(uuid.uuid4()))),
    ],
    ids=["get", "create", "list_points"],
)
def test_a_server_that_does_not_route_estimates_says_it_has_no_estimates_api(
    mocked: aioresponses, call: Any
) -> None:
    # Plane CE 1.3.1: the estimate routes exist in its code but are not included, so
    # every estimates path is Django's plain 404 (recorded: error-404-malformed-uuid.json).
    page_not_found = {"error": "Page not found."}
    for method in ("get", "post"):
        getattr(mocked, method)(re.compile(re.escape(BASE) + ".*"), status=404,
                                payload=page_not_found, repeat=True)  # fmt: skip
    with pytest.raises(NotFoundError, match="this server has no estimates API") as info:
        run(call)
    assert info.value.body == page_not_found


def test_a_project_without_an_estimate_is_a_plain_not_found(mocked: aioresponses) -> None:
    mocked.get(re.compile(re.escape(BASE) + ".*"), status=404,
               payload={"error": "Estimate not found"})  # fmt: skip
    with pytest.raises(NotFoundError) as info:
        run(lambda p: p.estimates.get(PID))
    assert "no estimates API" not in str(info.value)
