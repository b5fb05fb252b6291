"""The aiohttp.web and FastAPI receivers, alone and end to end behind FakePlane.

No ``from __future__ import annotations``: FastAPI must evaluate the endpoint's annotation,
which names a dependency local to ``fastapi_app``.
"""

import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

import aiohttp
import httpx
import pytest
from aiohttp import web
from fastapi import Depends, FastAPI

from plane_async import PlaneValueError
from plane_async.testing import FakePlane, Seed, WebhookFaults
from plane_async.webhooks import Deduplicator, IssueEvent, WebhookEvent, sign
from plane_async.webhooks.aiohttp import aiohttp_handler
from plane_async.webhooks.asgi import WebhookDependency
from tests.support.webhook_helpers import client, first_project, serve, uvicorn_server

SECRET = "plane_wh_" + "7" * 32


def delivery(name: str = "x", event: str = "project") -> tuple[bytes, dict[str, str]]:
    payload = {
        "event": event,
        "action": "updated",
        "webhook_id": str(uuid.uuid4()),
        "workspace_id": str(uuid.uuid4()),
        "data": {"id": str(uuid.uuid4()), "name": name},
        "activity": {"field": "name", "new_value": name, "old_value": "a", "actor": None},
    }
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Plane-Delivery": str(uuid.uuid4()),
        "X-Plane-Event": event,
        "X-Plane-Signature": sign(SECRET, body),
    }
    return body, headers


def bad_requests() -> list[tuple[bytes, dict[str, str], int, str]]:
    body, headers = delivery()
    garbage = b"not json"
    return [
        (body, {}, 401, "no X-Plane-Signature"),
        (body, {**headers, "X-Plane-Signature": sign("plane_wh_other", body)}, 401, "not match"),
        (body + b" ", headers, 401, "does not match"),
        (garbage, {"X-Plane-Signature": sign(SECRET, garbage)}, 400, "not JSON"),
    ]


# -- aiohttp.web -----------------------------------------------------------------------------


@pytest.fixture
async def aiohttp_receiver() -> AsyncIterator[tuple[str, list[WebhookEvent], list[str]]]:
    received: list[WebhookEvent] = []
    fail_next: list[str] = []

    async def on_event(event: WebhookEvent) -> None:
        if fail_next:
            raise RuntimeError(fail_next.pop())
        received.append(event)

    app = web.Application()
    app.router.add_post("/hook", aiohttp_handler(SECRET, on_event))
    async with serve(app) as base:
        yield base + "/hook", received, fail_next


async def test_the_aiohttp_receiver_verifies_parses_and_collapses_retries(
    aiohttp_receiver: tuple[str, list[WebhookEvent], list[str]],
) -> None:
    url, received, fail_next = aiohttp_receiver
    async with aiohttp.ClientSession() as session:
        for body, headers, status, text in bad_requests():
            async with session.post(url, data=body, headers=headers) as response:
                assert response.status == status
                assert text in await response.text()
        assert received == []
        body, headers = delivery("first")
        async with session.post(url, data=body, headers=headers) as response:
            assert (response.status, await response.text()) == (200, "ok")
        retry = {**headers, "X-Plane-Delivery": str(uuid.uuid4())}
        async with session.post(url, data=body, headers=retry) as response:
            assert (response.status, await response.text()) == (200, "duplicate delivery ignored")
        assert [e.delivery_id for e in received] == [headers["X-Plane-Delivery"]]
        # a handler that fails lets the next delivery of the same body through
        body, headers = delivery("second")
        fail_next.append("database down")
        async with session.post(url, data=body, headers=headers) as response:
            assert response.status == 500
        async with session.post(url, data=body, headers=headers) as response:
            assert response.status == 200
    assert len(received) == 2


# -- FastAPI / Starlette ---------------------------------------------------------------------


def fastapi_app(received: list[WebhookEvent], **options: object) -> FastAPI:
    app = FastAPI()
    plane_event = WebhookDependency(SECRET, **options)  # type: ignore[arg-type]

    @app.post("/hook")
    async def hook(event: Annotated[WebhookEvent, Depends(plane_event)]) -> dict[str, str]:
        received.append(event)
        return {"received": event.dedupe_key}

    return app


async def test_the_fastapi_dependency_answers_401_400_and_collapses_retries() -> None:
    received: list[WebhookEvent] = []
    transport = httpx.ASGITransport(app=fastapi_app(received))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        for body, headers, status, text in bad_requests():
            response = await http.post("/hook", content=body, headers=headers)
            assert response.status_code == status and text in response.json()["detail"]
        assert received == []
        body, headers = delivery()
        first = await http.post("/hook", content=body, headers=headers)
        again = await http.post("/hook", content=body, headers=headers)
    assert first.status_code == 200 and first.json() == {"received": received[0].dedupe_key}
    assert again.status_code == 200 and again.json() == {"detail": "duplicate delivery ignored"}
    assert len(received) == 1


async def test_dedupe_can_be_turned_off_or_shared() -> None:
    received: list[WebhookEvent] = []
    shared = Deduplicator()
    apps = [fastapi_app(received, dedupe=False), fastapi_app(received, dedupe=shared)]
    body, headers = delivery()
    for app in apps:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            for _ in range(2):
                assert (await http.post("/hook", content=body, headers=headers)).status_code == 200
    assert len(received) == 3 and len(shared) == 1
    with pytest.raises(PlaneValueError, match="empty"):
        WebhookDependency("")
    with pytest.raises(PlaneValueError, match="empty"):
        aiohttp_handler(b"", lambda e: None)  # type: ignore[arg-type,return-value]
    assert SECRET not in repr(WebhookDependency(SECRET))


# -- end to end ------------------------------------------------------------------------------


@pytest.mark.slow
async def test_fakeplane_to_fastapi_under_uvicorn_records_each_event_once() -> None:
    received: list[WebhookEvent] = []
    faults = WebhookFaults(duplicate_rate=1.0)
    async with (
        uvicorn_server(fastapi_app(received)) as base,
        FakePlane(
            seed=Seed(issues_per_project=2),
            webhooks=[(base + "/hook", SECRET)],
            webhook_faults=faults,
        ) as server,
        client(server) as plane,
    ):
        project = await first_project(plane)
        issue = await plane.issues.create(project.id, name="Login broken", priority="high")
        await plane.issues.update(project.id, issue.id, priority="urgent", name="Login down")
        await plane.comments.create(project.id, issue.id, comment_html="<p>on it</p>")
        await server.webhooks.join()
    assert [d.status for d in server.webhooks.deliveries] == [200] * 8  # 4 events, each twice
    assert [(e.event, e.action, e.activity.field) for e in received] == [
        ("issue", "created", None),
        ("issue", "updated", "priority"),
        ("issue", "updated", "name"),
        ("issue_comment", "created", None),
    ]
    update = received[1]
    assert isinstance(update, IssueEvent) and update.data.id == issue.id
    assert update.data.name == "Login down" and update.data.priority == "urgent"


async def test_fakeplane_to_aiohttp_with_lost_responses_records_each_event_once(
    aiohttp_receiver: tuple[str, list[WebhookEvent], list[str]],
) -> None:
    url, received, _ = aiohttp_receiver
    faults = WebhookFaults(lost_response_rate=0.5, random_seed=3)
    async with (
        FakePlane(
            seed=Seed(issues_per_project=2), webhooks=[(url, SECRET)], webhook_faults=faults
        ) as server,
        client(server) as plane,
    ):
        project = await first_project(plane)
        for n in range(6):
            await plane.projects.update(project.id, description=f"revision {n}")
        await server.webhooks.join()
    lost = [d for d in server.webhooks.deliveries if d.fault == "lost_response"]
    assert lost and len(server.webhooks.deliveries) == 6 + len(lost)
    # retries go out as they come, so the order may differ from the writes'
    assert sorted(e.activity.new_value for e in received) == [f"revision {n}" for n in range(6)]
    assert len(received) == 6


async def test_the_fastapi_dependency_refuses_a_body_over_its_limit_without_reading_it() -> None:
    # the endpoint is open to anyone until the signature is checked: a body of a gigabyte
    # was read whole into memory first
    received: list[WebhookEvent] = []
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        while sent < 2**30:
            sent += 2**16
            yield b"x" * 2**16

    app = fastapi_app(received, max_body_bytes=2**20)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.post("/hook", content=endless())
        assert response.status_code == 413 and "max_body_bytes" in response.json()["detail"]
        assert sent <= 2**20 + 2**16
        declared = await http.post("/hook", content=b"{}", headers={"Content-Length": "99999999"})
        assert declared.status_code == 413
        body, headers = delivery()
        assert (await http.post("/hook", content=body, headers=headers)).status_code == 200
    assert len(received) == 1
    assert WebhookDependency(SECRET).max_body_bytes == 10 * 2**20
    for bad in (0, -1, True, 1.5):
        with pytest.raises(PlaneValueError, match="max_body_bytes"):
            WebhookDependency(SECRET, max_body_bytes=bad)  # type: ignore[arg-type]
