"""The blocking client ``Plane``: the async client's API, returning results; run on a
background event loop. FakePlane serves from its own thread (the test's thread blocks)."""

from __future__ import annotations

import asyncio
import gc
import inspect
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from plane_async import (
    AsyncPlane,
    ClientClosedError,
    NotFoundError,
    Page,
    Plane,
    PlaneError,
    PlaneValueError,
    RateLimit,
    RedisLimiter,
)
from plane_async._blocking import api as _blocking_api
from plane_async._blocking.codegen import _substitute, _typevars
from plane_async._blocking.portal import BlockingStream, Portal, portal
from plane_async.models import Issue
from plane_async.resources._base import Resource
from plane_async.testing import FakePlane, Seed
from tests.support.blocking_helpers import threaded_fake
from tests.support.redis_server import RedisServer

FAST = RateLimit(10_000, 1.0, margin=0.0)


@pytest.fixture(scope="module")
def server() -> Iterator[FakePlane]:
    with threaded_fake(seed=Seed(projects=2, issues_per_project=30), rate_limit=None) as fake:
        yield fake


def connect(server: FakePlane, **kw: Any) -> Plane:
    kw.setdefault("rate_limit", FAST)
    return Plane(
        api_key=server.api_key,
        workspace=server.workspace,
        base_url=server.base_url,
        **kw,
    )


def first_project(server: FakePlane) -> uuid.UUID:
    return next(iter(server.store.projects.values())).id


# ------------------------------------------------------------------ the same API


def _namespaces() -> list[tuple[str, Resource]]:
    client = AsyncPlane(api_key="plane_api_" + "1" * 32, workspace="acme")
    return [(n, v) for n, v in vars(client).items() if isinstance(v, Resource)]


def _annotation(annotation: Any, typevars: dict[str, str]) -> str:
    if annotation is inspect.Parameter.empty:
        return ""
    return _substitute(str(annotation), typevars)


def _params(fn: Any, typevars: dict[str, str] | None = None) -> list[tuple[str, Any, Any, str]]:
    sig = inspect.signature(fn)
    return [
        (p.name, p.kind, p.default, _annotation(p.annotation, typevars or {}))
        for p in sig.parameters.values()
    ]


def test_every_async_method_has_a_blocking_twin_with_the_same_parameters() -> None:
    checked = 0
    twins = inspect.get_annotations(_blocking_api.BlockingClientBase)
    for name, resource in _namespaces():
        twin_cls = getattr(_blocking_api, twins[name])
        # a generic base's type variables (G, R) are the concrete types in the twin
        typevars = _typevars(type(resource))
        for attr in dir(type(resource)):
            if attr.startswith("_"):
                continue
            method = getattr(type(resource), attr)
            twin = getattr(twin_cls, attr, None)
            assert twin is not None, f"plane.{name}.{attr} has no blocking twin"
            assert _params(twin) == _params(method, typevars), (name, attr)
            assert inspect.getdoc(twin), (name, attr)
            ret = str(inspect.signature(twin).return_annotation)
            if inspect.iscoroutinefunction(method):
                assert not ret.startswith("BlockingStream"), (name, attr)
            else:
                assert ret.startswith("BlockingStream["), (name, attr)
            checked += 1
        extra = {a for a in dir(twin_cls) if not a.startswith("_")} - {
            a for a in dir(type(resource)) if not a.startswith("_")
        }
        assert not extra, f"plane.{name} has blocking methods the async one lacks: {extra}"
    assert checked > 100
    assert _params(Plane.__init__) == _params(AsyncPlane.__init__)
    for attr in ("check", "request", "quota", "with_options"):
        assert _params(getattr(Plane, attr)) == _params(getattr(AsyncPlane, attr)), attr


def test_every_public_attribute_of_the_async_client_has_a_blocking_counterpart() -> None:
    async_only = {"aclose", "limiter"}  # close() instead; the limiter is the async side's
    missing = {
        a for a in dir(AsyncPlane) if not a.startswith("_") and not hasattr(Plane, a)
    } - async_only
    assert not missing
    assert hasattr(Plane, "close")


def test_the_generated_module_is_current() -> None:
    from plane_async._blocking import codegen as _blocking_codegen

    assert _blocking_codegen.is_current(), "run python -m plane_async._blocking.codegen"


def test_the_currency_check_sees_a_changed_method() -> None:
    from plane_async._blocking import codegen as _blocking_codegen

    source = _blocking_codegen.render()
    changed = source.replace("def get_by_identifier(", "def get_by_identifer(", 1)
    assert _blocking_codegen.shape(changed) != _blocking_codegen.shape(source)
    reformatted = source.replace("(self, ", "(\n        self,  ")  # formatting only
    assert _blocking_codegen.shape(reformatted) == _blocking_codegen.shape(source)


# ------------------------------------------------------------------ behaviour


def test_a_script_reads_and_writes_without_asyncio(server: FakePlane) -> None:
    project_id = first_project(server)
    with connect(server) as plane:
        me = plane.users.me()
        assert me.id
        projects = plane.projects.list()
        assert isinstance(projects, BlockingStream)
        assert len(list(projects)) == 2
        items = list(plane.issues.list(project_id, per_page=10, fields=["id", "name"]))
        assert len(items) == 30 and all(isinstance(i, Issue) for i in items)
        assert len({i.id for i in items}) == 30  # across three pages, none twice
        pages = list(plane.issues.pages(project_id, per_page=20))
        assert [len(p.results) for p in pages] == [20, 10]
        assert isinstance(pages[0], Page) and pages[0].total_results == 30
        issue = plane.issues.create(project_id, name="From a script", priority="high")
        assert plane.issues.get(project_id, issue.id).name == "From a script"
        assert plane.issues.update(project_id, issue.id, priority="low").priority == "low"
        plane.issues.delete(project_id, issue.id)
        with pytest.raises(NotFoundError):
            plane.issues.get(project_id, issue.id)
        assert plane.request("GET", "users/me/")["id"] == str(me.id)
        plane.check()
    assert plane.closed


def test_bad_input_is_refused_at_the_call_before_any_request(server: FakePlane) -> None:
    before = len(server.requests)
    with connect(server) as plane:
        with pytest.raises(PlaneValueError, match="per_page"):
            plane.issues.list(first_project(server), per_page=0)
        with pytest.raises(PlaneValueError, match="project_id"):
            plane.issues.get("not-a-uuid", uuid.uuid4())
    assert len(server.requests) == before


def test_leaving_a_list_early_and_closing_it(server: FakePlane) -> None:
    with connect(server) as plane:
        with plane.issues.list(first_project(server), per_page=5) as items:
            first = [next(items) for _ in range(3)]
        assert len(first) == 3
        assert list(items) == []  # closed: nothing more
        stream = plane.issues.list(first_project(server), per_page=5)
        for _ in stream:
            break
        stream.close()
        stream.close()


def test_a_list_crosses_to_the_callers_thread_a_page_at_a_time(
    server: FakePlane, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_id = first_project(server)
    hops = 0
    call = Portal.call

    def counted(self: Portal, *args: Any, **kwargs: Any) -> Any:
        nonlocal hops
        hops += 1
        return call(self, *args, **kwargs)

    with connect(server) as plane:
        expected = [i.id for i in plane.issues.list(project_id, per_page=30, fields=["id"])]
        monkeypatch.setattr(Portal, "call", counted)
        before = len(server.requests)
        got = [i.id for i in plane.issues.list(project_id, per_page=7, fields=["id"])]
        assert got == expected  # in order, none skipped or repeated across pages
        assert hops <= 5 + 1  # a hop per page (and the end), not one per item
        assert len(server.requests) - before == 5
        hops = 0
        with plane.issues.list(project_id, per_page=7) as items:
            first = [next(items).id for _ in range(9)]  # into the second page
        assert first == expected[:9]
        assert hops == 2 + 1  # two pages, and closing the read


def test_a_thread_pool_shares_one_client_and_one_limiter(server: FakePlane) -> None:
    project_id = first_project(server)
    with connect(server) as plane:
        ids = [i.id for i in plane.issues.list(project_id, fields=["id"])]
        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(lambda i: plane.issues.get(project_id, i).id, ids))
        assert got == ids


def test_blocking_and_async_clients_of_one_key_share_the_window(server: FakePlane) -> None:
    rate = RateLimit(3, 600.0)
    with connect(server, rate_limit=rate) as plane:
        plane.users.me()
        plane.users.me()

        async def remaining() -> int:
            async with AsyncPlane(
                api_key=server.api_key, workspace=server.workspace,
                base_url=server.base_url, rate_limit=rate,
            ) as other:  # fmt: skip
                return other.quota().remaining

        assert asyncio.run(remaining()) == 1  # the blocking client's two are counted
        assert plane.quota().remaining == 1


def test_it_works_inside_a_running_event_loop_as_in_a_notebook(server: FakePlane) -> None:
    async def cell() -> str:
        with connect(server) as plane:
            return plane.users.me().display_name

    assert asyncio.run(cell())


def test_a_call_from_the_clients_own_loop_says_to_await_instead(server: FakePlane) -> None:
    with connect(server) as plane, pytest.raises(PlaneError, match="await"):
        portal.call_sync(plane.users.me)


def test_errors_are_the_async_clients_typed_errors(server: FakePlane) -> None:
    with connect(server) as plane, pytest.raises(NotFoundError) as caught:
        plane.issues.get(first_project(server), uuid.uuid4())
    assert caught.value.status == 404


def test_a_closed_client_says_so(server: FakePlane) -> None:
    plane = connect(server)
    plane.close()
    plane.close()  # idempotent
    with pytest.raises(ClientClosedError):
        plane.users.me()
    with pytest.raises(ClientClosedError), plane:
        pass


def test_with_options_gives_a_view_with_a_wait_budget(server: FakePlane) -> None:
    with connect(server) as plane:
        quick = plane.with_options(wait_budget=2.0)
        assert quick.wait_budget == 2.0 and plane.wait_budget is None
        assert quick.users.me().id == plane.users.me().id
    assert quick.closed


def test_an_unclosed_client_warns_when_collected(server: FakePlane) -> None:
    plane = connect(server)
    plane.users.me()
    client = plane._async
    with pytest.warns(ResourceWarning, match=r"unclosed Plane\(base_url="):
        del plane
        gc.collect()
    # and it closes its connections itself, on the loop, without blocking the collector
    for _ in range(1000):
        if not client._transport.holds_connections:
            break
        portal.call(asyncio.sleep, 0)
    assert client.closed and not client._transport.holds_connections


def test_repr_shows_no_key(server: FakePlane) -> None:
    with connect(server) as plane:
        assert server.api_key not in repr(plane)
        assert repr(plane).startswith("Plane(base_url=")


def _in_forked_child(server: FakePlane, queue: Any) -> None:
    with connect(server) as plane:
        queue.put(plane.users.me().display_name)


@pytest.mark.slow  # forks a process
def test_a_forked_worker_starts_its_own_loop(server: FakePlane) -> None:
    """Celery's prefork pool and gunicorn fork after the parent used the client."""
    import multiprocessing

    with connect(server) as plane:
        expected = plane.users.me().display_name
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_in_forked_child, args=(server, queue))
    child.start()
    try:
        assert queue.get(timeout=60) == expected
    finally:
        child.join(timeout=60)
    assert child.exitcode == 0


def test_a_redis_limiter_is_shared_with_async_clients(
    server: FakePlane, redis_server: RedisServer
) -> None:
    rate = RateLimit(3, 600.0)
    with connect(server, rate_limit=rate, limiter=RedisLimiter.from_url(redis_server.url)) as plane:
        plane.users.me()
        plane.users.me()

        async def remaining() -> int:
            async with (
                RedisLimiter.from_url(redis_server.url) as backend,
                AsyncPlane(
                    api_key=server.api_key, workspace=server.workspace,
                    base_url=server.base_url, rate_limit=rate, limiter=backend,
                ) as other,
            ):  # fmt: skip
                await other.users.me()  # the third of the window: the blocking two count
                return other.quota().remaining

        assert asyncio.run(remaining()) == 0
