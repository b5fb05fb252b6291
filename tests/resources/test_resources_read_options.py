"""Every read of every namespace: ``list``, ``pages`` and ``get`` (and their relatives such as
``issues``, ``list_archived``, ``current``) accept ``fields=``, ``expand=`` and ``query=``, check
the names against the model before any request, and send what Plane needs. Also ``order_by``
and the external-id lookup as a list."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import inspect
from collections.abc import AsyncGenerator, Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from plane_async import (
    AsyncPlane,
    NotFoundError,
    PaginationError,
    PlaneValueError,
    Query,
    RateLimit,
    ResponseDecodeError,
    UnknownFieldError,
)
from plane_async import resources as resources_pkg
from plane_async._models import Issue
from plane_async.testing import FakePlane
from tests.support.resource_helpers import (
    ISSUE_ID,
    PID,
    any_url,
    calls,
    collect,
    run,
    url,
)

IID = ISSUE_ID
SINCE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
OID = "11111111-2222-4333-8444-555555555555"
P = f"/api/v1/workspaces/acme/projects/{PID}/"
W = f"{P}work-items/{IID}/"
EMPTY_PAGE = {
    "grouped_by": None,
    "sub_grouped_by": None,
    "total_count": 0,
    "next_cursor": "100:1:0",
    "prev_cursor": "100:-1:1",
    "next_page_results": False,
    "prev_page_results": False,
    "count": 0,
    "total_pages": 0,
    "total_results": 0,
    "extra_stats": None,
    "results": [],
}

Call = Callable[..., Any]

#: (namespace.method, call(plane, **options), path sent, a plain field, a relation to expand)
READS: list[tuple[str, Call, str, str, str | None]] = [
    ("projects.list", lambda p, **o: p.projects.list(**o), "/api/v1/workspaces/acme/projects/",
     "name", "project_lead"),
    ("projects.pages", lambda p, **o: p.projects.pages(**o), "/api/v1/workspaces/acme/projects/",
     "name", "default_assignee"),
    ("projects.get", lambda p, **o: p.projects.get(PID, **o), P, "name", "workspace"),
    ("states.list", lambda p, **o: p.states.list(PID, **o), f"{P}states/", "name", "project"),
    ("states.pages", lambda p, **o: p.states.pages(PID, **o), f"{P}states/", "name", "project"),
    ("states.get", lambda p, **o: p.states.get(PID, OID, **o), f"{P}states/{OID}/", "name",
     "project"),
    ("labels.list", lambda p, **o: p.labels.list(PID, **o), f"{P}labels/", "name", "project"),
    ("labels.pages", lambda p, **o: p.labels.pages(PID, **o), f"{P}labels/", "name", "project"),
    ("labels.get", lambda p, **o: p.labels.get(PID, OID, **o), f"{P}labels/{OID}/", "name",
     "project"),
    ("issues.list", lambda p, **o: p.issues.list(PID, **o), f"{P}work-items/", "name", "state"),
    ("issues.pages", lambda p, **o: p.issues.pages(PID, **o), f"{P}work-items/", "name",
     "assignees"),
    ("issues.changed_since", lambda p, **o: p.issues.changed_since(PID, SINCE, **o),
     f"{P}work-items/", "name", "state"),
    ("issues.get", lambda p, **o: p.issues.get(PID, IID, **o), W, "name", "labels"),
    ("issues.get_by_identifier", lambda p, **o: p.issues.get_by_identifier("WEB-12", **o),
     "/api/v1/workspaces/acme/work-items/WEB-12/", "name", "parent"),
    ("issues.get_by_external_id",
     lambda p, **o: p.issues.get_by_external_id(PID, "jira", "J-1", **o), f"{P}work-items/",
     "name", "state"),
    ("comments.list", lambda p, **o: p.comments.list(PID, IID, **o), f"{W}comments/",
     "comment_html", "actor"),
    ("comments.pages", lambda p, **o: p.comments.pages(PID, IID, **o), f"{W}comments/",
     "comment_html", "actor"),
    ("comments.get", lambda p, **o: p.comments.get(PID, IID, OID, **o), f"{W}comments/{OID}/",
     "comment_html", "issue"),
    ("links.list", lambda p, **o: p.links.list(PID, IID, **o), f"{W}links/", "url", "issue"),
    ("links.pages", lambda p, **o: p.links.pages(PID, IID, **o), f"{W}links/", "url", "issue"),
    ("links.get", lambda p, **o: p.links.get(PID, IID, OID, **o), f"{W}links/{OID}/", "url",
     "created_by"),
    ("activities.list", lambda p, **o: p.activities.list(PID, IID, **o), f"{W}activities/",
     "verb", "actor"),
    ("activities.pages", lambda p, **o: p.activities.pages(PID, IID, **o), f"{W}activities/",
     "verb", "actor"),
    ("activities.get", lambda p, **o: p.activities.get(PID, IID, OID, **o),
     f"{W}activities/{OID}/", "verb", "actor"),
    ("modules.list", lambda p, **o: p.modules.list(PID, **o), f"{P}modules/", "name", "created_by"),
    ("modules.pages", lambda p, **o: p.modules.pages(PID, **o), f"{P}modules/", "name",
     "created_by"),
    ("modules.get", lambda p, **o: p.modules.get(PID, OID, **o), f"{P}modules/{OID}/", "name",
     "created_by"),
    ("modules.issues", lambda p, **o: p.modules.issues(PID, OID, **o),
     f"{P}modules/{OID}/module-issues/", "name", "state"),
    ("modules.issue_pages", lambda p, **o: p.modules.issue_pages(PID, OID, **o),
     f"{P}modules/{OID}/module-issues/", "name", "state"),
    ("modules.list_archived", lambda p, **o: p.modules.list_archived(PID, **o),
     f"{P}archived-modules/", "name", "created_by"),
    ("modules.archived_pages", lambda p, **o: p.modules.archived_pages(PID, **o),
     f"{P}archived-modules/", "name", "created_by"),
    ("cycles.list", lambda p, **o: p.cycles.list(PID, **o), f"{P}cycles/", "name", "owned_by"),
    ("cycles.pages", lambda p, **o: p.cycles.pages(PID, **o), f"{P}cycles/", "name", "owned_by"),
    ("cycles.current", lambda p, **o: p.cycles.current(PID, **o), f"{P}cycles/", "name",
     "owned_by"),
    ("cycles.get", lambda p, **o: p.cycles.get(PID, OID, **o), f"{P}cycles/{OID}/", "name",
     "owned_by"),
    ("cycles.issues", lambda p, **o: p.cycles.issues(PID, OID, **o),
     f"{P}cycles/{OID}/cycle-issues/", "name", "state"),
    ("cycles.issue_pages", lambda p, **o: p.cycles.issue_pages(PID, OID, **o),
     f"{P}cycles/{OID}/cycle-issues/", "name", "state"),
    ("cycles.list_archived", lambda p, **o: p.cycles.list_archived(PID, **o),
     f"{P}archived-cycles/", "name", "owned_by"),
    ("cycles.archived_pages", lambda p, **o: p.cycles.archived_pages(PID, **o),
     f"{P}archived-cycles/", "name", "owned_by"),
    ("members.list", lambda p, **o: p.members.list(PID, **o), f"{P}members/", "display_name",
     None),
    ("members.pages", lambda p, **o: p.members.pages(PID, **o), f"{P}members/", "display_name",
     None),
    ("members.get", lambda p, **o: p.members.get(PID, OID, **o), f"{P}members/{OID}/",
     "display_name", None),
    ("members.list_workspace", lambda p, **o: p.members.list_workspace(**o),
     "/api/v1/workspaces/acme/members/", "role", None),
    ("members.workspace_pages", lambda p, **o: p.members.workspace_pages(**o),
     "/api/v1/workspaces/acme/members/", "role", None),
    ("intake.list", lambda p, **o: p.intake.list(PID, **o), f"{P}intake-issues/", "status",
     "issue"),
    ("intake.pages", lambda p, **o: p.intake.pages(PID, **o), f"{P}intake-issues/", "status",
     "issue"),
    ("intake.get", lambda p, **o: p.intake.get(PID, IID, **o), f"{P}intake-issues/{IID}/",
     "status", "issue"),
]  # fmt: skip

IDS = [r[0] for r in READS]
#: a work-item list keeps its order field among restricted fields (it judges rows by it)
ORDER_FIELD = {"issues.list": ",created_at", "issues.pages": ",created_at",
               "issues.changed_since": ",updated_at"}  # fmt: skip


async def _drain(result: Any) -> Any:
    if isinstance(result, AsyncGenerator):  # list()/pages() return a ResultStream
        return await collect(result)
    try:
        return await result
    except ResponseDecodeError as exc:
        # These tests answer every GET with an empty page and check the request: for an
        # external-id lookup that page is the answer of a server ignoring the lookup.
        if "ignored the external-id lookup" not in str(exc):
            raise
        return None


def _read(call: Call, **options: Any) -> Any:
    return run(lambda plane: _drain(call(plane, **options)))


def test_every_read_of_every_namespace_is_covered_here() -> None:
    """Any public method that takes read options (``**options``) is in READS."""
    found = set()
    for cls_name in resources_pkg.__all__:
        cls = getattr(resources_pkg, cls_name)
        namespace = cls_name.removesuffix("Resource").lower()
        for name, func in inspect.getmembers(cls, inspect.isfunction):
            options = inspect.signature(func).parameters.get("options")
            if not name.startswith("_") and options and options.kind is options.VAR_KEYWORD:
                found.add(f"{namespace}.{name}")
    assert found == set(IDS)


@pytest.mark.parametrize(("what", "call", "path", "field", "relation"), READS, ids=IDS)
def test_fields_and_expand_are_checked_and_sent(
    mocked: aioresponses, what: str, call: Call, path: str, field: str, relation: str | None
) -> None:
    any_url(mocked, "GET", body=EMPTY_PAGE)
    expand = [relation] if relation else None
    _read(call, fields=[f" {field} "], expand=expand)
    ((method, sent_url, _),) = calls(mocked)
    assert (method, sent_url.path) == ("GET", path)
    names = ["id", field, *(expand or [])]  # id kept, the expanded relation added to fields
    assert sent_url.query["fields"] == ",".join(names) + ORDER_FIELD.get(what, "")
    assert sent_url.query.get("expand") == relation


@pytest.mark.parametrize(("what", "call", "path", "field", "relation"), READS, ids=IDS)
def test_query_is_accepted_and_a_typo_is_refused_before_any_request(
    mocked: aioresponses, what: str, call: Call, path: str, field: str, relation: str | None
) -> None:
    any_url(mocked, "GET", body=EMPTY_PAGE)
    with pytest.raises(UnknownFieldError, match=f"did you mean '{field}'"):
        _read(call, query=Query().fields(field[:-1] + "x" + field[-1]))
    with pytest.raises(PlaneValueError, match="cannot be expanded"):
        _read(call, expand=["id"])
    assert calls(mocked) == []

    _read(call, query=Query().fields(field).fields("from_a_newer_server", unchecked=True))
    ((_, sent_url, _),) = calls(mocked)
    order = ORDER_FIELD.get(what, "")
    assert sent_url.query["fields"] == f"id,{field},from_a_newer_server{order}"


@pytest.mark.parametrize(("what", "call", "path", "field", "relation"), READS, ids=IDS)
def test_an_unknown_option_is_refused_before_any_request(
    mocked: aioresponses, what: str, call: Call, path: str, field: str, relation: str | None
) -> None:
    with pytest.raises(PlaneValueError, match="unknown option"):
        _read(call, feilds=["name"])
    assert calls(mocked) == []


# ------------------------------------------------------------------ order_by


ORDERED: list[tuple[str, Call, str]] = [
    ("projects.list", lambda p, **o: p.projects.list(**o), "/api/v1/workspaces/acme/projects/"),
    ("projects.pages", lambda p, **o: p.projects.pages(**o), "/api/v1/workspaces/acme/projects/"),
    ("issues.list", lambda p, **o: p.issues.list(PID, **o), f"{P}work-items/"),
    ("issues.pages", lambda p, **o: p.issues.pages(PID, **o), f"{P}work-items/"),
    ("activities.list", lambda p, **o: p.activities.list(PID, IID, **o), f"{W}activities/"),
    ("activities.pages", lambda p, **o: p.activities.pages(PID, IID, **o), f"{W}activities/"),
    ("modules.issues", lambda p, **o: p.modules.issues(PID, OID, **o),
     f"{P}modules/{OID}/module-issues/"),
    ("modules.issue_pages", lambda p, **o: p.modules.issue_pages(PID, OID, **o),
     f"{P}modules/{OID}/module-issues/"),
    ("cycles.issues", lambda p, **o: p.cycles.issues(PID, OID, **o),
     f"{P}cycles/{OID}/cycle-issues/"),
    ("cycles.issue_pages", lambda p, **o: p.cycles.issue_pages(PID, OID, **o),
     f"{P}cycles/{OID}/cycle-issues/"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "call", "path"), ORDERED, ids=[o[0] for o in ORDERED])
def test_order_by_is_sent_where_plane_honours_it(
    mocked: aioresponses, what: str, call: Call, path: str
) -> None:
    any_url(mocked, "GET", body=EMPTY_PAGE)
    _read(call, order_by=" -created_at ")
    ((_, sent_url, _),) = calls(mocked)
    assert sent_url.path == path
    assert dict(sent_url.query) == {"order_by": "-created_at", "per_page": "100"}


@pytest.mark.parametrize(("what", "call", "path"), ORDERED, ids=[o[0] for o in ORDERED])
def test_an_unknown_order_by_is_refused_before_plane_answers_500(
    mocked: aioresponses, what: str, call: Call, path: str
) -> None:
    with pytest.raises(UnknownFieldError, match=r"did you mean .*'created_at'"):
        _read(call, order_by="-created")
    for bad in ("", "created at", "--name", 3):
        with pytest.raises(PlaneValueError, match="order_by"):
            _read(call, order_by=bad)
    assert calls(mocked) == []


WORK_ITEM_ORDERS = [
    "priority",
    "-priority",
    "state__name",
    "-state__group",
    "labels__name",
    "assignees__first_name",
    "sequence_id",
]


@pytest.mark.parametrize("order_by", WORK_ITEM_ORDERS)
def test_work_item_orders_plane_documents_are_accepted(mocked: aioresponses, order_by: str) -> None:
    any_url(mocked, "GET", body=EMPTY_PAGE)
    _read(lambda p, **o: p.issues.list(PID, **o), order_by=order_by)
    ((_, sent_url, _),) = calls(mocked)
    assert sent_url.query["order_by"] == order_by


# ------------------------------------------------------------------ external-id lookup


def test_external_id_lookup_as_a_list_gives_the_one_item(mocked: aioresponses) -> None:
    mocked.get(url(f"{P}work-items/"), payload={"id": IID, "name": "Imported"})
    items = _read(
        lambda p, **o: p.issues.list(PID, **o),
        external_source="jira",
        external_id="J-1",
        fields=["name"],
    )
    assert len(items) == 1 and isinstance(items[0], Issue) and items[0].name == "Imported"
    ((_, sent_url, _),) = calls(mocked)
    # one request, no per_page or cursor: the lookup is not paginated
    assert dict(sent_url.query) == {
        "external_id": "J-1",
        "external_source": "jira",
        "fields": "id,name",
    }


def test_external_id_lookup_pages_is_one_page_and_a_miss_is_empty(mocked: aioresponses) -> None:
    mocked.get(
        url(f"{P}work-items/"),
        status=404,
        payload={"error": "The requested resource does not exist."},
    )
    pages = _read(lambda p, **o: p.issues.pages(PID, **o), external_source="a", external_id="b")
    assert len(pages) == 1 and pages[0].results == () and pages[0].cursor is None


def test_external_id_lookup_on_an_unknown_route_still_raises(mocked: aioresponses) -> None:
    mocked.get(url(f"{P}work-items/"), status=404, payload={"error": "Page not found."})
    mocked.get(url(f"{P}issues/"), status=404, payload={"error": "Page not found."})
    with pytest.raises(NotFoundError):
        _read(lambda p, **o: p.issues.list(PID, **o), external_source="a", external_id="b")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"external_source": "jira"}, "external_id"),
        ({"external_id": "J-1"}, "external_source"),
        ({"external_source": "jira", "external_id": "J-1", "per_page": 10}, "per_page"),
        ({"external_source": "jira", "external_id": "J-1", "cursor": "100:1:0"}, "cursor"),
        ({"external_source": "jira", "external_id": "J-1", "order_by": "name"}, "order_by"),
    ],
)
def test_external_id_lookup_arguments_are_checked(
    mocked: aioresponses, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(PlaneValueError, match=match):
        _read(lambda p, **o: p.issues.list(PID, **o), **kwargs)
    assert calls(mocked) == []


# ------------------------------------------------------------------ whole lists


@pytest.mark.parametrize("kwargs", [{"per_page": 0}, {"per_page": 10}, {"cursor": ""},
                                    {"prefetch": 2}])  # fmt: skip
def test_a_list_plane_sends_whole_refuses_page_options(
    mocked: aioresponses, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(PlaneValueError, match="does not apply"):
        _read(lambda p, **o: p.members.list(PID, **o), **kwargs)
    assert calls(mocked) == []


def test_current_cycles_come_from_a_plain_array_or_an_envelope(mocked: aioresponses) -> None:
    cycle = {"id": OID, "name": "Sprint 3"}
    mocked.get(url(f"{P}cycles/"), payload=[cycle])
    mocked.get(url(f"{P}cycles/"), payload=dict(EMPTY_PAGE, results=[cycle], count=1))

    async def go(plane: AsyncPlane) -> list[list[str]]:
        return [[c.name for c in await plane.cycles.current(PID)] for _ in range(2)]

    assert run(go) == [["Sprint 3"], ["Sprint 3"]]
    assert [dict(u.query) for _, u, _ in calls(mocked)] == [{"cycle_view": "current"}] * 2


def test_current_cycles_refuse_a_body_that_is_not_a_list(mocked: aioresponses) -> None:
    mocked.get(url(f"{P}cycles/"), payload="nope")
    with pytest.raises(PaginationError, match="unexpected response body"):
        run(lambda plane: plane.cycles.current(PID))


# ------------------------------------------------------------------ against the fake server


async def test_order_by_and_external_id_lookup_against_the_fake_server(plane: AsyncPlane) -> None:
    project = await anext(plane.projects.list())
    ranks = {"urgent": 0, "high": 1, "medium": 2, "low": 3, "none": 4}
    by_priority = [i.priority async for i in plane.issues.list(project.id, order_by="priority")]
    assert by_priority and [ranks[p] for p in by_priority] == sorted(ranks[p] for p in by_priority)

    made = await plane.issues.upsert(project.id, external_source="jira", external_id="J-7",
                                     name="Imported")  # fmt: skip
    found = [i async for i in plane.issues.list(project.id, external_source="jira",
                                                external_id="J-7", fields=["name"])]  # fmt: skip
    assert [(i.id, i.name) for i in found] == [(made.id, "Imported")]
    missing = plane.issues.pages(project.id, external_source="jira", external_id="none")
    assert [p.results async for p in missing] == [()]


# ------------------------------------------------------------------ read-ahead


def test_prefetch_keeps_order_and_waits_for_the_clients_limiter(mocked: aioresponses) -> None:
    """Six pages, read ahead five at a time, on a client allowed 2 requests per 10 s: the
    read-ahead queues at the limiter like any request, so the export takes the 20 s the
    limit imposes (virtual clock) and comes out in order."""
    for page in range(6):
        body = dict(EMPTY_PAGE, results=[{"id": f"{OID[:-2]}{page:02d}"}], count=1,
                    next_cursor=f"1:{page + 1}:0", next_page_results=page < 5,
                    total_pages=6, total_results=6)  # fmt: skip
        mocked.get(url(f"{P}work-items/"), payload=body)

    async def go(plane: AsyncPlane) -> tuple[list[str], float, list[str]]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        ids = [str(i.id)[-2:] async for i in plane.issues.list(PID, per_page=1, prefetch=5)]
        cursors = [u.query.get("cursor", "-") for _, u, _ in calls(mocked)]
        return ids, loop.time() - start, cursors

    # (max_per_page=1: no room to overlap, the scripted pages are asked for one by one)
    ids, elapsed, cursors = run(go, rate_limit=RateLimit(2, 10.0), max_per_page=1)
    assert ids == ["00", "01", "02", "03", "04", "05"]
    assert elapsed >= 20.0
    assert sorted(cursors) == ["-", "1:1:0", "1:2:0", "1:3:0", "1:4:0", "1:5:0"]


@pytest.mark.parametrize("closing", [True, False], ids=["aclosing", "plain-break"])
async def test_breaking_out_early_releases_the_read_ahead(
    plane: AsyncPlane, plane_server: FakePlane, closing: bool
) -> None:
    """Leave ``async for`` after one item of a read-ahead export: the pages in flight are
    cancelled (no pending task, no unclosed response, no warning) and the client goes on."""
    project = await anext(plane.projects.list())
    items = plane.issues.list(project.id, per_page=2, prefetch=3)
    if closing:
        async with contextlib.aclosing(items):
            async for _ in items:
                break
    else:
        async for _ in items:
            break
        await items.aclose()  # what the event loop's finaliser does when it is dropped
    read_ahead = [
        t for t in asyncio.all_tasks() if "_reader.<locals>.fetch" in t.get_coro().__qualname__
    ]
    assert read_ahead == []
    assert len([r for r in plane_server.requests if "work-items" in r.path]) <= 4
    assert len([i async for i in plane.issues.list(project.id, max_items=3)]) == 3
