"""plane.links: requests sent, recorded responses, URL checks, whole flows."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane
from plane_async._errors import BadRequestError, NotFoundError, PlaneValueError
from plane_async._models import Link
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

LINK_ID = "e33dcb60-4840-4fa3-b0cf-b0d8a31dc870"
LINKS = PROJECT + f"work-items/{IID}/links/"


def test_list_pages_and_get_use_the_work_item_path(mocked: aioresponses) -> None:
    listing = fixture_body("links-list.json")
    mocked.get(re.compile(re.escape(BASE) + r".*/links/\?.*"), payload=listing, repeat=True)
    mocked.get(
        re.compile(re.escape(BASE) + r".*/links/[0-9a-f-]+/$"), payload=listing["results"][0]
    )

    async def calls(plane: AsyncPlane) -> Any:
        items = await collect(plane.links.list(PID, IID))
        pages = await collect(plane.links.pages(PID, IID, per_page=5))
        one = await plane.links.get(PID, IID, LINK_ID)
        return items, pages, one

    items, pages, one = run(calls)
    assert [x.url for x in items] == ["https://example.com/fixture"]
    assert pages[0].count == 1
    assert one.id == uuid.UUID(LINK_ID) and one.metadata["title"] is None
    assert [s[:3] for s in sent(mocked)] == [
        ("GET", LINKS, {"per_page": "100"}),
        ("GET", LINKS, {"per_page": "5"}),
        ("GET", LINKS + f"{LINK_ID}/", {}),
    ]


def test_recorded_link_responses_structure_strictly() -> None:
    strict = strict_converter()
    for item in fixture_body("links-list.json")["results"]:
        assert isinstance(strict.structure(item, Link), Link)
    assert strict.structure(fixture_body("link-create.json"), Link).title == "Fixture link"


def test_create_sends_url_title_and_creator(mocked: aioresponses) -> None:
    any_url(mocked, "POST", 201, fixture_body("link-create.json"))
    link = run(
        lambda plane: plane.links.create(
            PID, IID, url="https://example.com/fixture", title="Fixture link", created_by=USER
        )
    )
    assert link.title == "Fixture link"
    assert sent(mocked) == [
        (
            "POST",
            LINKS,
            {},
            {"url": "https://example.com/fixture", "title": "Fixture link", "created_by": USER},
        )
    ]


@pytest.mark.parametrize("url", ["example.com", "ftp://example.com/x", "", "javascript:x"])
def test_create_refuses_a_url_that_is_not_http(mocked: aioresponses, url: str) -> None:
    with pytest.raises(PlaneValueError, match="http:// or https://"):
        run(lambda plane: plane.links.create(PID, IID, url=url))
    assert sent(mocked) == []


def test_duplicate_url_answers_bad_request(mocked: aioresponses) -> None:
    any_url(mocked, "POST", 400, fixture_body("error-400-link-duplicate-url.json"))
    with pytest.raises(BadRequestError, match="URL already exists"):
        run(lambda plane: plane.links.create(PID, IID, url="https://example.com/fixture"))


def test_update_and_delete(mocked: aioresponses) -> None:
    any_url(mocked, "PATCH", 200, fixture_body("link-create.json"))
    any_url(mocked, "DELETE", 204)

    async def calls(plane: AsyncPlane) -> None:
        await plane.links.update(PID, IID, LINK_ID, title=None)
        await plane.links.update(PID, IID, LINK_ID, url="http://example.com/b")
        await plane.links.delete(PID, IID, LINK_ID)

    run(calls)
    assert sent(mocked) == [
        ("PATCH", LINKS + f"{LINK_ID}/", {}, {"title": None}),
        ("PATCH", LINKS + f"{LINK_ID}/", {}, {"url": "http://example.com/b"}),
        ("DELETE", LINKS + f"{LINK_ID}/", {}, None),
    ]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "at least one field"),
        ({"url": "www.example.com"}, "http:// or https://"),
        ({"url": None}, "http:// or https://"),
        ({"created_by": USER}, "no writable field 'created_by'"),
    ],
)
def test_update_refuses_bad_input_before_sending(
    mocked: aioresponses, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(PlaneValueError, match=match):
        run(lambda plane: plane.links.update(PID, IID, LINK_ID, **kwargs))
    assert sent(mocked) == []


def test_bad_ids_are_refused_before_sending(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="link_id"):
        run(lambda plane: plane.links.delete(PID, IID, "x/y"))
    assert sent(mocked) == []


# ---------------------------------------------------------------- against the fake server


async def test_link_flow_against_the_fake_server(
    plane: AsyncPlane, plane_server: FakePlane
) -> None:
    pid = first_project(plane_server)
    (issue,) = await collect(plane.issues.list(pid, max_items=1))
    link = await plane.links.create(pid, issue.id, url="https://example.com/a", title="A")
    assert (link.url, link.title) == ("https://example.com/a", "A")
    with pytest.raises(BadRequestError, match="URL already exists"):
        await plane.links.create(pid, issue.id, url="https://example.com/a")

    fetched = await plane.links.get(pid, issue.id, link.id)
    assert fetched.metadata["url"] == "https://example.com/a"
    updated = await plane.links.update(pid, issue.id, link.id, title="B")
    assert updated.title == "B"
    assert [x.id async for x in plane.links.list(pid, issue.id)] == [link.id]

    await plane.links.delete(pid, issue.id, link.id)
    with pytest.raises(NotFoundError):
        await plane.links.get(pid, issue.id, link.id)
