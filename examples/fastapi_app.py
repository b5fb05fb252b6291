"""A FastAPI service in front of Plane: one shared client, typed routes, Plane's errors as HTTP.

    pip install plane-async fastapi uvicorn
    PLANE_API_KEY=... PLANE_WORKSPACE=acme uvicorn --app-dir examples fastapi_app:app

- One ``AsyncPlane`` is opened in the lifespan and shared by every request: one connection
  pool and one rate limiter for the whole app (requests queue instead of getting 429s).
- Routes return the models (``Issue``, ``Page[Issue]``) directly: the JSON is what
  ``to_dict()`` gives, i.e. what Plane sent.
- One exception handler turns Plane's errors into HTTP answers.
- ``PLANE_RATE_LIMIT``: requests per minute the key may send (default 60, Plane's own
  default; self-hosted servers and service tokens allow more), or ``30/10`` for 30 per
  10 s.
- ``PLANE_WAIT_BUDGET``: seconds a request may wait for the key's rate limit (default 10).
  Past it, or when the queue ahead is already longer, the answer is 503 with
  ``Retry-After`` at once instead of a socket held for a minute. Keep it shorter than
  uvicorn's ``--timeout-graceful-shutdown`` (say 15): at Ctrl+C the requests still queued
  then end as 503s before uvicorn would cancel them, those in flight finish, and the
  process exits within the graceful timeout.
- ``PLANE_WEBHOOK_SECRET`` (optional): the secret of a Plane webhook pointed at
  ``/plane/webhook``; the route is there only when it is set. Deliveries are verified,
  repeats dropped, and the work done after the answer (Plane gives up after 30 s).
"""

from __future__ import annotations

import collections
import contextlib
import json
import math
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import BackgroundTasks, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from plane_async import (
    APIError,
    AsyncPlane,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    InvalidAPIKeyError,
    NotFoundError,
    Page,
    PermissionDeniedError,
    PlaneError,
    PlaneValueError,
    RateLimit,
    RateLimitError,
    RequestTimeoutError,
    TransportError,
    WaitBudgetExceededError,
)
from plane_async.models import Issue, to_dict
from plane_async.types import IssueCreateFields, IssueUpsertFields
from plane_async.webhooks import IssueEvent, WebhookEvent
from plane_async.webhooks.asgi import WebhookDependency


def rate_limit_from(text: str) -> RateLimit:
    """``"60"``: 60 requests per minute; ``"30/10"``: 30 per 10 seconds."""
    requests, _, seconds = text.partition("/")
    return RateLimit(int(requests), float(seconds or 60))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    rate = rate_limit_from(os.environ.get("PLANE_RATE_LIMIT", "60"))
    budget = float(os.environ.get("PLANE_WAIT_BUDGET", "10"))
    # $PLANE_API_KEY, $PLANE_WORKSPACE, $PLANE_BASE_URL
    async with AsyncPlane(rate_limit=rate, wait_budget=budget) as plane:
        app.state.plane = plane
        app.state.recent_events = collections.deque(maxlen=100)
        yield  # the client closes (and its connections with it) when the app stops


app = FastAPI(title="Plane gateway", lifespan=lifespan)


def get_plane(request: Request) -> AsyncPlane:
    plane: AsyncPlane = request.app.state.plane
    return plane


PlaneDep = Annotated[AsyncPlane, Depends(get_plane)]
Priority = Literal["urgent", "high", "medium", "low", "none"]


# ------------------------------------------------------------------ errors


def error_response(exc: PlaneError) -> JSONResponse:
    """The HTTP answer for one of the client's errors."""
    headers: dict[str, str] = {}
    # an APIError's str() names Plane's URL; the caller only needs what went wrong
    detail: object = exc.message if isinstance(exc, APIError) else str(exc)
    if isinstance(exc, WaitBudgetExceededError):
        # the key's rate limit is busy: tell the caller when a slot should be free
        status = 503
        headers["Retry-After"] = str(max(math.ceil(exc.retry_after), 1))
    elif isinstance(exc, NotFoundError):
        status = 404
    elif isinstance(exc, BadRequestError):
        status, detail = 400, {"message": exc.message, "field_errors": exc.field_errors}
    elif isinstance(exc, PlaneValueError):
        status = 400  # refused by the client before any request (a bad id or cursor)
    elif isinstance(exc, InvalidAPIKeyError | AuthenticationError):
        # the service's own key was refused: not something the caller can fix
        status, detail = 502, "the service's Plane API key was refused"
    elif isinstance(exc, PermissionDeniedError):
        status = 403  # Plane also answers 403 for an unknown project
    elif isinstance(exc, ConflictError):
        status = 409
    elif isinstance(exc, RateLimitError):
        status = 429
        headers["Retry-After"] = str(math.ceil(exc.retry_after or 60))
    elif isinstance(exc, RequestTimeoutError):
        status = 504
    elif isinstance(exc, TransportError):
        status, detail = 502, f"Plane could not be reached: {exc}"
    elif isinstance(exc, ClientClosedError):
        status = 503  # the app is shutting down
        headers["Retry-After"] = "1"
    else:  # ServerError, ResponseDecodeError, a field of an odd shape...
        status = 502
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


@app.exception_handler(PlaneError)
async def plane_error_handler(request: Request, exc: PlaneError) -> JSONResponse:
    return error_response(exc)


# ------------------------------------------------------------------ routes


class NewIssue(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    priority: Priority | None = None
    state: uuid.UUID | None = None
    description_html: str | None = None


class ImportedIssue(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    priority: Priority | None = None


@app.get("/projects/{project_id}/issues")
async def list_issues(
    plane: PlaneDep,
    project_id: uuid.UUID,
    per_page: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: str | None = None,
) -> Page[Issue]:
    """One page of work items, state expanded; pass ``resume_cursor`` back as ``cursor``."""
    pages = plane.issues.pages(
        project_id, expand=["state"], per_page=None if cursor else per_page, cursor=cursor
    )
    async with contextlib.aclosing(pages):
        return await anext(pages)  # the first page always exists (it may be empty)


@app.get("/projects/{project_id}/issues.ndjson")
async def export_issues(
    plane: PlaneDep, project_id: uuid.UUID, cursor: str | None = None
) -> StreamingResponse:
    """Every work item as NDJSON, streamed page by page (memory stays flat).

    Errors before the first page get their HTTP status; an error later ends the stream with
    a last line ``{"error": ..., "resume_cursor": ...}`` to restart from.
    """
    # dedupe: work items created while the export runs shift Plane's offset pages
    pages = plane.issues.pages(project_id, per_page=100, cursor=cursor, dedupe=True)
    first = await anext(pages, None)  # a 403/404 here is still an HTTP error

    async def lines() -> AsyncIterator[bytes]:
        try:
            page = first
            while page is not None:
                yield "".join(json.dumps(to_dict(i)) + "\n" for i in page.results).encode()
                page = await anext(pages, None)
        except PlaneError as exc:
            resume = None if exc.cursor is None else str(exc.cursor)
            yield (json.dumps({"error": str(exc), "resume_cursor": resume}) + "\n").encode()
        finally:
            await pages.aclose()

    return StreamingResponse(lines(), media_type="application/x-ndjson")


@app.get("/projects/{project_id}/issues/{issue_id}")
async def get_issue(plane: PlaneDep, project_id: uuid.UUID, issue_id: uuid.UUID) -> Issue:
    return await plane.issues.get(project_id, issue_id, expand=["state", "assignees"])


@app.post("/projects/{project_id}/issues", status_code=201)
async def create_issue(plane: PlaneDep, project_id: uuid.UUID, new: NewIssue) -> Issue:
    fields: IssueCreateFields = {}  # only what the caller gave: omitted fields keep defaults
    if new.priority is not None:
        fields["priority"] = new.priority
    if new.state is not None:
        fields["state"] = new.state
    if new.description_html is not None:
        fields["description_html"] = new.description_html
    return await plane.issues.create(project_id, name=new.name, **fields)


@app.put("/projects/{project_id}/imports/{source}/{external_id}")
async def upsert_issue(
    plane: PlaneDep, project_id: uuid.UUID, source: str, external_id: str, item: ImportedIssue
) -> Issue:
    """Create or update the work item imported from ``source`` as ``external_id``:
    idempotent, so a retried import never makes a duplicate."""
    fields: IssueUpsertFields = {"name": item.name}
    if item.priority is not None:
        fields["priority"] = item.priority
    return await plane.issues.upsert(
        project_id, external_source=source, external_id=external_id, **fields
    )


# ------------------------------------------------------------------ webhooks


def remember(app: FastAPI, event: WebhookEvent) -> None:
    """The work a delivery triggers (here: keep the last 100 changes to show them)."""
    change = {"event": event.event, "action": str(event.action), "id": str(event.object_id)}
    if isinstance(event, IssueEvent):
        change["name"] = event.data.name
        change["field"] = event.activity.field or ""
    app.state.recent_events.append(change)


if secret := os.environ.get("PLANE_WEBHOOK_SECRET"):
    plane_event = WebhookDependency(secret)  # at module level, where FastAPI can see it

    @app.post("/plane/webhook")
    async def plane_webhook(
        request: Request,
        event: Annotated[WebhookEvent, Depends(plane_event)],
        tasks: BackgroundTasks,
    ) -> None:
        tasks.add_task(remember, request.app, event)  # after the answer: Plane waits 30 s

    @app.get("/plane/recent-events")
    async def recent_events(request: Request) -> list[dict[str, str]]:
        return list(request.app.state.recent_events)


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=8000)
