"""plane.comments: requests sent, recorded responses, imports, path skew, whole flows."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane
from plane_async._errors import NotFoundError, PlaneValueError
from plane_async._models import Comment, CommentAccess
from plane_async._models.converter import strict_converter
from plane_async.testing import FakePlane
from tests.support.resource_helpers import (
    BASE,
    IID,
    PID,
    PROJECT,
    USER,
    any_url,
    collect,
    first_project,
    fixture_body,
    run,
    sent,
)

COMMENT_ID = "ce3026c4-12e4-4c7a-8003-ecbc600b7357"
COMMENTS = PROJECT + f"work-items/{IID}/comments/"
ROUTE_404 = {"error": "Page not found."}


def test_list_pages_and_get_use_the_work_item_path(mocked: aioresponses) -> None:
    listing = fixture_body("comments-list.json")
    mocked.get(re.compile(re.escape(BASE) + r".*/comments/\?.*"), payload=listing, repeat=True)
    mocked.get(
        re.compile(re.escape(BASE) + r".*/comments/[0-9a-f-]+/.*"),
        payload=fixture_body("comment-create.json"),
        repeat=True,
    )

    async def calls(plane: AsyncPlane) -> Any:
        items = await collect(plane.comments.list(PID, IID))
        pages = await collect(plane.comments.pages(PID, IID, per_page=20))
        one = await plane.comments.get(PID, IID, COMMENT_ID, expand="actor")
        return items, pages, one

    items, pages, one = run(calls)
    assert len(items) == 1 and isinstance(items[0], Comment)
    assert items[0].is_member is True  # only list responses carry it
    assert pages[0].total_results == 1
    assert one.id == uuid.UUID(COMMENT_ID) and one.access is CommentAccess.INTERNAL
    assert [s[:3] for s in sent(mocked)] == [
        ("GET", COMMENTS, {"per_page": "100"}),
        ("GET", COMMENTS, {"per_page": "20"}),
        ("GET", COMMENTS + f"{COMMENT_ID}/", {"expand": "actor"}),
    ]


def test_recorded_comment_responses_structure_strictly() -> None:
    strict = strict_converter()
    for item in fixture_body("comments-list.json")["results"]:
        assert isinstance(strict.structure(item, Comment), Comment)
    created = strict.structure(fixture_body("comment-create.json"), Comment)
    assert created.comment_html == "<p>fixture comment</p>"


def test_create_sends_html_access_and_import_fields(mocked: aioresponses) -> None:
    any_url(mocked, "POST", 201, fixture_body("comment-create.json"))
    when = dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    comment = run(
        lambda plane: plane.comments.create(
            PID,
            IID,
            comment_html="<p>fixture comment</p>",
            access="EXTERNAL",
            external_source="jira",
            external_id="C-1",
            created_at=when,
            created_by=uuid.UUID(USER),
        )
    )
    assert comment.comment_html == "<p>fixture comment</p>"
    assert sent(mocked) == [
        (
            "POST",
            COMMENTS,
            {},
            {
                "comment_html": "<p>fixture comment</p>",
                "access": "EXTERNAL",
                "external_source": "jira",
                "external_id": "C-1",
                "created_at": "2020-01-02T03:04:05+00:00",
                "created_by": USER,
            },
        )
    ]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"comment_html": ""}, "comment_html must be a non-empty"),
        ({"comment_html": "<p>x</p>", "access": "PUBLIC"}, "access must be one of"),
        ({"comment_html": "<p>x</p>", "parent": "x"}, "parent"),
        ({"comment_html": "<p>x</p>", "body": "x"}, "no writable field 'body'"),
    ],
)
def test_create_refuses_bad_input_before_sending(
    mocked: aioresponses, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(PlaneValueError, match=match):
        run(lambda plane: plane.comments.create(PID, IID, **kwargs))
    assert sent(mocked) == []


def test_update_and_delete(mocked: aioresponses) -> None:
    any_url(mocked, "PATCH", 200, fixture_body("comment-create.json"))
    any_url(mocked, "DELETE", 204)

    async def calls(plane: AsyncPlane) -> None:
        await plane.comments.update(PID, IID, COMMENT_ID, comment_html="<p>v2</p>")
        await plane.comments.delete(PID, IID, COMMENT_ID)

    run(calls)
    assert sent(mocked) == [
        ("PATCH", COMMENTS + f"{COMMENT_ID}/", {}, {"comment_html": "<p>v2</p>"}),
        ("DELETE", COMMENTS + f"{COMMENT_ID}/", {}, None),
    ]
    with pytest.raises(PlaneValueError, match="at least one field"):
        run(lambda plane: plane.comments.update(PID, IID, COMMENT_ID))


def test_upsert_patches_the_existing_comment_on_409(mocked: aioresponses) -> None:
    any_url(mocked, "POST", 409, {"error": "duplicate", "id": COMMENT_ID})
    any_url(mocked, "PATCH", 200, fixture_body("comment-create.json"))
    comment = run(
        lambda plane: plane.comments.upsert(
            PID, IID, external_source="jira", external_id="C-1", comment_html="<p>v2</p>"
        )
    )
    assert comment.id == uuid.UUID(COMMENT_ID)
    assert sent(mocked) == [
        (
            "POST",
            COMMENTS,
            {},
            {"comment_html": "<p>v2</p>", "external_source": "jira", "external_id": "C-1"},
        ),
        ("PATCH", COMMENTS + f"{COMMENT_ID}/", {}, {"comment_html": "<p>v2</p>"}),
    ]


def test_an_older_server_is_detected_and_issues_path_remembered(mocked: aioresponses) -> None:
    listing = fixture_body("comments-list.json")
    mocked.get(re.compile(re.escape(BASE) + r".*/work-items/.*"), status=404, payload=ROUTE_404)
    mocked.get(re.compile(re.escape(BASE) + r".*/issues/.*"), payload=listing, repeat=True)

    async def calls(plane: AsyncPlane) -> None:
        await collect(plane.comments.list(PID, IID))
        await collect(plane.comments.list(PID, IID))

    run(calls)
    old = PROJECT + f"issues/{IID}/comments/"
    assert [s[:2] for s in sent(mocked)] == [("GET", COMMENTS), ("GET", old), ("GET", old)]


def test_a_404_for_a_missing_comment_is_not_taken_for_an_older_server(
    mocked: aioresponses,
) -> None:
    missing = {"error": "The requested resource does not exist."}
    mocked.get(re.compile(re.escape(BASE) + ".*"), status=404, payload=missing)
    with pytest.raises(NotFoundError):
        run(lambda plane: plane.comments.get(PID, IID, COMMENT_ID))
    assert len(sent(mocked)) == 1


def test_explicit_issues_path_setting(mocked: aioresponses) -> None:
    any_url(mocked, "DELETE", 204)
    run(lambda plane: plane.comments.delete(PID, IID, COMMENT_ID), work_items_path="issues")
    assert sent(mocked)[0][1] == PROJECT + f"issues/{IID}/comments/{COMMENT_ID}/"


def test_bad_ids_are_refused_before_sending(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="issue_id"):
        run(lambda plane: collect(plane.comments.list(PID, "WEB-1")))
    with pytest.raises(PlaneValueError, match="comment_id"):
        run(lambda plane: plane.comments.get(PID, IID, ".."))
    assert sent(mocked) == []


# ---------------------------------------------------------------- against the fake server


async def test_comment_flow_against_the_fake_server(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    pid = first_project(plane_server)
    (issue,) = await collect(plane.issues.list(pid, max_items=1))
    first = await plane.comments.create(pid, issue.id, comment_html="<p>one</p>")
    reply = await plane.comments.create(
        pid, issue.id, comment_html="<p>two</p>", access=CommentAccess.EXTERNAL, parent=first.id
    )
    assert reply.parent == first.id and reply.access is CommentAccess.EXTERNAL
    assert [c.id async for c in plane.comments.list(pid, issue.id)] == [first.id, reply.id]

    edited = await plane.comments.update(pid, issue.id, first.id, comment_html="<p>1</p>")
    assert edited.comment_html == "<p>1</p>" and edited.edited_at is not None
    assert (await plane.comments.get(pid, issue.id, first.id)).comment_html == "<p>1</p>"

    imported = await plane.comments.upsert(
        pid, issue.id, external_source="jira", external_id="C-7", comment_html="<p>a</p>"
    )
    again = await plane.comments.upsert(
        pid, issue.id, external_source="jira", external_id="C-7", comment_html="<p>b</p>"
    )
    assert again.id == imported.id and again.comment_html == "<p>b</p>"

    await plane.comments.delete(pid, issue.id, first.id)
    with pytest.raises(NotFoundError):
        await plane.comments.get(pid, issue.id, first.id)
