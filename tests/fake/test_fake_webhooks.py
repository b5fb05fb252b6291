"""FakePlane sends webhooks the way Plane does: headers, signed bytes, per-field updates,
retries only on connection errors, and the injected faults."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

import aiohttp
import pytest

from plane_async.testing import FakePlane, Seed, WebhookFaults
from plane_async.webhooks import IssueEvent, ProjectEvent, parse_event, verify_event
from tests.support.webhook_helpers import Recorder, client, dead_url, first_project, recorder

SECRET = "plane_wh_" + "5" * 32
SEED = Seed(issues_per_project=3)


def events(rec: Recorder) -> list[tuple[str, str, str | None]]:
    out = []
    for r in rec.received:
        event = parse_event(r.body)
        field = event.activity.field
        out.append((event.event, str(event.action), field))
    return out


async def raw(server: FakePlane, method: str, path: str, body: Any = None) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, server.api_url + path, json=body, headers={"X-API-Key": server.api_key}
        ) as response,
    ):
        return response.status


async def test_a_delivery_has_plane_s_headers_and_signed_bytes() -> None:
    async with recorder() as rec, FakePlane(seed=SEED, webhooks=[(rec.url, SECRET)]) as server:
        async with client(server) as plane:
            project = await first_project(plane)
            issue = await plane.issues.create(project.id, name="Café ☕", priority="high")
        await server.webhooks.join()
    [got] = rec.received
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["User-Agent"] == "Autopilot"
    assert got.headers["X-Plane-Event"] == "issue"
    uuid.UUID(got.headers["X-Plane-Delivery"])
    expected = hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-Plane-Signature"] == expected
    payload = json.loads(got.body)
    assert json.dumps(payload).encode() == got.body  # Python's json.dumps, byte for byte
    assert b"\\u00e9" in got.body
    assert list(payload) == ["event", "action", "webhook_id", "workspace_id", "data", "activity"]
    assert payload["webhook_id"] == server.webhooks.hooks[0].id
    assert payload["workspace_id"] == server.store.workspace_id
    event = verify_event(SECRET, got.body, got.headers["X-Plane-Signature"])
    assert isinstance(event, IssueEvent) and event.action == "created"
    assert event.data.id == issue.id and event.data.name == "Café ☕"
    assert event.data.created_at.tzinfo is not None and payload["data"]["created_at"][-1] == "Z"
    assert event.data.state is not None and not isinstance(event.data.state, uuid.UUID)
    assert event.activity.actor is not None
    assert not isinstance(event.activity.actor, uuid.UUID)
    assert event.activity.actor.display_name == "alice"


async def test_an_update_sends_one_delivery_per_changed_field() -> None:
    async with recorder() as rec, FakePlane(seed=SEED, webhooks=[(rec.url, SECRET)]) as server:
        async with client(server) as plane:
            project = await first_project(plane)
            issue = await plane.issues.create(project.id, name="a", priority="high")
            await plane.issues.update(project.id, issue.id, name="b", priority="high", point=3)
            await plane.issues.update(project.id, issue.id, name="b")  # nothing changes
            path = f"workspaces/acme/projects/{project.id}/work-items/{issue.id}/"
            assert await raw(server, "PATCH", path, {"priority": "bogus"}) == 400
        await server.webhooks.join()
    assert events(rec) == [
        ("issue", "created", None),
        ("issue", "updated", "name"),
        ("issue", "updated", "point"),
    ]
    update = parse_event(rec.received[1].body)
    assert (update.activity.old_value, update.activity.new_value) == ("a", "b")
    assert isinstance(update, IssueEvent) and update.data.point == 3  # the object after


async def test_writes_of_every_kind_and_plane_s_silences() -> None:
    async with recorder() as rec, FakePlane(seed=SEED, webhooks=[(rec.url, SECRET)]) as server:
        async with client(server) as plane:
            project = await plane.projects.create(
                name="Hooks", identifier="HK", module_view=True, cycle_view=True
            )
            await plane.projects.update(project.id, description="d")
            issue = await plane.issues.create(project.id, name="x")
            comment = await plane.comments.create(project.id, issue.id, comment_html="<p>1</p>")
            await plane.comments.update(project.id, issue.id, comment.id, comment_html="<p>2</p>")
            module = await plane.modules.create(project.id, name="M")
            await plane.modules.update(project.id, module.id, name="M2")
            cycle = await plane.cycles.create(project.id, name="C")
            await plane.cycles.update(project.id, cycle.id, name="C2")
            await plane.issues.delete(project.id, issue.id)  # Plane's v1 sends nothing
            await plane.projects.delete(project.id)
        await server.webhooks.join()
    assert events(rec) == [
        ("project", "created", None),
        ("project", "updated", "description"),
        ("issue", "created", None),
        ("issue_comment", "created", None),
        ("issue_comment", "updated", "comment_html"),
        ("module", "created", None),
        ("module", "updated", "name"),
        ("cycle", "created", None),
        ("cycle", "updated", "name"),
        ("project", "deleted", None),
    ]
    deleted = parse_event(rec.received[-1].body)
    assert isinstance(deleted, ProjectEvent)
    assert json.loads(rec.received[-1].body)["data"] == {"id": str(project.id)}
    assert deleted.object_id == project.id


async def test_webhooks_added_while_running_with_their_own_subscriptions() -> None:
    async with (
        recorder() as everything,
        recorder() as projects_only,
        FakePlane(seed=SEED) as server,
    ):
        async with client(server) as plane:
            project = await first_project(plane)
            await plane.issues.create(project.id, name="before any webhook")
            hook = server.webhooks.add(everything.url)
            assert hook.secret.startswith("plane_wh_") and len(hook.secret) == 41
            assert hook.secret not in repr(hook)
            server.webhooks.add(projects_only.url, SECRET, events=["project"])
            await plane.issues.create(project.id, name="seen by one")
            await plane.projects.update(project.id, description="seen by both")
            server.webhooks.remove(hook)
            await plane.projects.update(project.id, description="seen by one again")
        await server.webhooks.join()
    assert events(everything) == [("issue", "created", None), ("project", "updated", "description")]
    assert events(projects_only) == [("project", "updated", "description")] * 2
    with pytest.raises(ValueError, match="unknown webhook events"):
        server.webhooks.add(everything.url, events=["issues"])


async def test_connection_errors_are_retried_with_new_delivery_ids_then_disable_the_hook() -> None:
    url = dead_url()
    async with FakePlane(seed=SEED, webhooks=[(url, SECRET)]) as server, client(server) as plane:
        project = await first_project(plane)
        await plane.projects.update(project.id, description="nobody listens")
        await server.webhooks.join()
        attempts = server.webhooks.deliveries
        assert [d.attempt for d in attempts] == [0, 1, 2, 3, 4, 5]
        assert all(d.status is None and d.error for d in attempts)
        assert len({d.delivery_id for d in attempts}) == 6
        assert len({d.body for d in attempts}) == 1
        assert len({d.headers["X-Plane-Signature"] for d in attempts}) == 1
        assert server.webhooks.hooks[0].is_active is False
        await plane.projects.update(project.id, description="disabled now")
        await server.webhooks.join()
    assert len(server.webhooks.deliveries) == 6


async def test_an_error_status_is_not_retried() -> None:
    async with recorder(status=500) as rec, FakePlane(seed=SEED, webhooks=[(rec.url, SECRET)]) as s:
        async with client(s) as plane:
            project = await first_project(plane)
            await plane.projects.update(project.id, description="x")
        await s.webhooks.join()
    assert [d.status for d in s.webhooks.deliveries] == [500]
    assert len(rec.received) == 1 and s.webhooks.hooks[0].is_active


async def test_duplicated_and_lost_deliveries_repeat_the_same_body() -> None:
    faults = WebhookFaults(duplicate_rate=1.0)
    async with (
        recorder() as rec,
        FakePlane(seed=SEED, webhooks=[(rec.url, SECRET)], webhook_faults=faults) as server,
        client(server) as plane,
    ):
        project = await first_project(plane)
        await plane.projects.update(project.id, description="twice")
        await server.webhooks.join()
        assert [d.fault for d in server.webhooks.deliveries] == [None, "duplicate"]
        # a receiver too slow for Plane's 30 s: it gets every retry, all answers lost
        faults.duplicate_rate = 0.0
        faults.lost_response_rate = 1.0
        await plane.projects.update(project.id, description="slow receiver")
        await server.webhooks.join()
    lost = server.webhooks.deliveries[2:]
    assert [d.fault for d in lost] == ["lost_response"] * 6
    assert len(rec.received) == 2 + 6
    assert rec.received[0].body == rec.received[1].body
    assert (
        rec.received[0].headers["X-Plane-Delivery"] != rec.received[1].headers["X-Plane-Delivery"]
    )
    assert len({r.headers["X-Plane-Delivery"] for r in rec.received}) == 8
    assert len({parse_event(r.body).dedupe_key for r in rec.received}) == 2
    assert server.webhooks.hooks[0].is_active is False


async def test_delays_and_retry_pauses_are_drawn_as_configured() -> None:
    faults = WebhookFaults(delay=2.0, delay_jitter=1.0, retry_delay=600.0)
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    async with FakePlane(seed=SEED, webhooks=[(dead_url(), SECRET)], webhook_faults=faults) as s:
        s.webhooks._sleep = fake_sleep
        async with client(s) as plane:
            project = await first_project(plane)
            await plane.projects.update(project.id, description="x")
        await s.webhooks.join()
    first, *retries = waits
    assert 2.0 <= first <= 3.0
    assert len(retries) == 5 and all(2.0 <= w <= 602.0 for w in retries)
    assert len(set(retries)) == 5  # jittered, as Celery's retry_jitter does


async def test_labels_resent_in_another_order_send_a_delivery_as_plane_compares_lists() -> None:
    # Plane compares a list field by order: the same labels in the same order send
    # nothing, in another order they count as a change (observed on CE 1.3.1).
    async with recorder() as rec, FakePlane(seed=SEED, webhooks=[(rec.url, SECRET)]) as server:
        async with client(server) as plane:
            project = await first_project(plane)
            a = await plane.labels.create(project.id, name="a")
            b = await plane.labels.create(project.id, name="b")
            issue = await plane.issues.create(project.id, name="x", labels=[a.id, b.id])
            await plane.issues.update(project.id, issue.id, labels=[a.id, b.id])
            await plane.issues.update(project.id, issue.id, labels=[b.id, a.id])
        await server.webhooks.join()
    assert [e for e in events(rec) if e[0] == "issue"] == [
        ("issue", "created", None),
        ("issue", "updated", "labels"),
    ]


async def test_an_issue_event_carries_the_description_in_every_form_as_fields() -> None:
    async with recorder() as rec, FakePlane(seed=SEED, webhooks=[(rec.url, SECRET)]) as server:
        async with client(server) as plane:
            project = await first_project(plane)
            await plane.issues.create(project.id, name="d", description_html="<p>Hello</p>")
        await server.webhooks.join()
    event = parse_event(rec.received[0].body)
    assert isinstance(event, IssueEvent)
    assert event.data.description_stripped == "Hello"
    assert event.data.description == {} and event.data.description_json == {}
    assert not {"description", "description_json", "description_stripped"} & set(
        event.data.unknown_fields
    )
