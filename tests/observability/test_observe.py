"""Request hooks and structured logs: what a user's hooks and log formatters receive."""

from __future__ import annotations

import inspect
import logging
from typing import Any

import aiohttp
import attrs
import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane, PlaneValueError, TransportError
from plane_async._observability.bus import path_template
from plane_async.testing import FakePlane
from plane_async.types import RequestEvent
from tests.support import vclock
from tests.support.resource_helpers import BASE, KEY, PID, WS, client, fixture_body

ME = f"{BASE}users/me/"
ME_BODY = {"id": "88443cc8-51b0-4591-9593-79be51aa5ba6", "display_name": "ada"}
RATE_LIMITED = {"error_code": 5900, "error_message": "RATE_LIMIT_EXCEEDED"}
ISSUE = f"{WS}projects/{PID}/work-items/{PID}/"


def run_hooked(**hooks: Any) -> Any:
    async def main() -> Any:
        async with client(retry_backoff=(0.25, 0.25), **hooks) as plane:
            return await plane.request("GET", "users/me/")

    return vclock.run(main())


def test_hooks_see_every_attempt_with_its_status_and_limiter_wait(mocked: aioresponses) -> None:
    mocked.get(ME, status=429, headers={"Retry-After": "3"}, payload=RATE_LIMITED)
    mocked.get(ME, payload=ME_BODY, headers={"X-RateLimit-Remaining": "41"})
    requests: list[RequestEvent] = []
    responses: list[RequestEvent] = []

    async def on_request(event: RequestEvent) -> None:
        requests.append(event)

    async def on_response(event: RequestEvent) -> None:
        responses.append(event)

    assert run_hooked(on_request=on_request, on_response=on_response) == ME_BODY
    assert [(e.method, e.path, e.path_template, e.operation, e.attempt) for e in requests] == [
        ("GET", "users/me/", "users/me/", "request", 1),
        ("GET", "users/me/", "users/me/", "request", 2),
    ]
    assert requests[0].status is None and requests[0].elapsed is None
    assert requests[1].limiter_wait >= 3.0  # the 429 paused the key's limiter
    assert [e.status for e in responses] == [429, 200]
    assert responses[0].headers["Retry-After"] == "3"
    assert responses[1].headers["X-RateLimit-Remaining"] == "41"
    assert all(e.elapsed is not None and e.elapsed >= 0 for e in responses)
    assert responses[1].limiter_wait == requests[1].limiter_wait
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        responses[0].status = 200  # type: ignore[misc]
    assert KEY not in repr(requests + responses)


def test_a_hook_names_the_call_and_the_path_template(mocked: aioresponses) -> None:
    mocked.get(ISSUE, payload=fixture_body("work-items-list-per_page-3.json")["results"][0])
    seen: list[RequestEvent] = []

    async def main() -> None:
        async with client(on_response=[seen.append]) as plane:  # a plain function works too
            await plane.issues.get(PID, PID)

    vclock.run(main())
    (event,) = seen
    assert event.operation == "issues.get" and event.status == 200
    assert event.path == f"workspaces/acme/projects/{PID}/work-items/{PID}/"
    assert event.path_template == (
        "workspaces/{workspace_slug}/projects/{project_id}/work-items/{work_item_id}/"
    )


def test_a_network_failure_reaches_on_response_without_a_status(mocked: aioresponses) -> None:
    mocked.get(ME, exception=aiohttp.ServerDisconnectedError())
    seen: list[RequestEvent] = []

    with pytest.raises(TransportError):
        run_hooked(on_response=seen.append, max_retries=0)
    (event,) = seen
    assert event.status is None and event.error == "TransportError"


def test_a_hook_that_raises_is_logged_and_the_call_goes_on(
    mocked: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    mocked.get(ME, payload=ME_BODY)
    after: list[RequestEvent] = []

    async def broken(event: RequestEvent) -> None:
        raise RuntimeError("metrics backend down")

    assert run_hooked(on_request=broken, on_response=[broken, after.append]) == ME_BODY
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2  # on_request and the first on_response
    assert "broken" in errors[0].getMessage() and "GET users/me/" in errors[0].getMessage()
    assert errors[0].exc_info is not None and "metrics backend down" in caplog.text
    assert len(after) == 1  # the next hook still ran


@pytest.mark.parametrize("bad", ["log", 42, [print, None]])
def test_a_hook_that_is_not_callable_is_refused(bad: Any) -> None:
    with pytest.raises(PlaneValueError, match="on_response must be an async function"):
        AsyncPlane(api_key=KEY, workspace="acme", on_response=bad)


def test_a_retried_call_logs_once_at_info_with_what_happened(
    mocked: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    mocked.get(ME, status=429, headers={"Retry-After": "2"}, payload=RATE_LIMITED)
    mocked.get(ME, status=503, body="<html>busy</html>")
    mocked.get(ME, payload=ME_BODY)
    caplog.set_level(logging.INFO, logger="plane_async")

    run_hooked()
    records = [r for r in caplog.records if r.name == "plane_async"]
    assert [r.levelname for r in records] == ["INFO"]  # no WARNING per 429, no line per retry
    (record,) = records
    message = record.getMessage()
    assert message.startswith("GET users/me/ -> 200 after 3 attempts in ")
    assert "retried: 429, 503" in message and "waited 2." in message
    fields: dict[str, Any] = record.__dict__
    assert fields["plane_attempts"] == 3 and fields["plane_retries"] == ["429", "503"]
    assert fields["plane_limiter_wait"] >= 2.0 and fields["plane_backoff"] <= 0.25
    assert fields["plane_status"] == 200 and fields["plane_error"] is None
    assert fields["plane_path_template"] == "users/me/"


def test_a_call_that_gives_up_logs_once_with_the_error(
    mocked: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(3):
        mocked.get(ME, status=503, body="busy")
    caplog.set_level(logging.INFO, logger="plane_async")

    with pytest.raises(Exception, match="503"):
        run_hooked(max_retries=2)
    (record,) = [r for r in caplog.records if r.name == "plane_async"]
    assert "failed (ServerError) after 3 attempts" in record.getMessage()
    assert record.__dict__["plane_error"] == "ServerError"


def test_debug_lines_carry_the_fields_as_extra_attributes(
    mocked: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    mocked.get(ISSUE, payload=fixture_body("work-items-list-per_page-3.json")["results"][0])
    caplog.set_level(logging.DEBUG, logger="plane_async")

    async def main() -> None:
        async with client() as plane:
            await plane.issues.get(PID, PID)

    vclock.run(main())
    (record,) = [r for r in caplog.records if r.name == "plane_async"]
    fields = record.__dict__
    assert fields["plane_method"] == "GET"
    assert fields["plane_path"] == f"workspaces/acme/projects/{PID}/work-items/{PID}/"
    assert fields["plane_path_template"].endswith("/work-items/{work_item_id}/")
    assert fields["plane_status"] == 200 and fields["plane_attempt"] == 1
    assert fields["plane_elapsed"] >= 0 and fields["plane_limiter_wait"] >= 0


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("users/me/", "users/me/"),
        ("workspaces/acme/projects/", "workspaces/{workspace_slug}/projects/"),
        (
            f"workspaces/acme/projects/{PID}/issues/{PID}/comments/{PID}/",
            "workspaces/{workspace_slug}/projects/{project_id}/issues/{issue_id}/comments/"
            "{comment_id}/",
        ),
        (
            f"workspaces/acme/projects/{PID}/intake-issues/{PID}/",
            "workspaces/{workspace_slug}/projects/{project_id}/intake-issues/{intake_issue_id}/",
        ),
        (
            f"workspaces/acme/projects/{PID}/work-items/{PID}/activities/{PID}/",
            "workspaces/{workspace_slug}/projects/{project_id}/work-items/{work_item_id}/"
            "activities/{activity_id}/",
        ),
        (
            "workspaces/acme/work-items/WEB-12/",
            "workspaces/{workspace_slug}/work-items/{identifier}/",
        ),
        (f"{PID.replace('-', '')}/42/", "{id}/{id}/"),
    ],
)
def test_path_templates_have_no_ids(path: str, template: str) -> None:
    assert path_template(path) == template


@pytest.mark.plane_server(listen=False)
async def test_with_hooks_or_telemetry_the_calls_are_still_coroutine_functions(
    plane_server: FakePlane,
) -> None:
    # Frameworks pick how to run a callable by asking whether it is a coroutine function:
    # FastAPI's BackgroundTasks ran an instrumented `plane.comments.create` in a thread,
    # which made a coroutine and dropped it (no comment, "never awaited").
    from starlette.background import BackgroundTask

    seen: list[str] = []
    async with plane_server.client(on_response=lambda event: seen.append(event.operation)) as plane:
        assert inspect.iscoroutinefunction(plane.comments.create)
        assert inspect.iscoroutinefunction(plane.users.me)
        assert not inspect.iscoroutinefunction(plane.issues.list)  # a stream, as before
        (project,) = [p async for p in plane.projects.list()]
        issue = await plane.issues.create(project.id, name="Login broken")
        await BackgroundTask(plane.comments.create, project.id, issue.id, comment_html="<p>x</p>")()
        comments = [c async for c in plane.comments.list(project.id, issue.id)]
    assert [c.comment_html for c in comments] == ["<p>x</p>"]
    assert "comments.create" in seen
