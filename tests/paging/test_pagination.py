"""The paginated read engine, against fake ``fetch`` functions that page like Plane CE."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from plane_async._errors import (
    APIError,
    BadRequestError,
    PaginationError,
    PaginationStalledError,
    PlaneError,
    PlaneValueError,
    ServerError,
    TransportError,
)
from plane_async._paging.cursor import Cursor
from plane_async._paging.engine import (
    Page,
    iter_items,
    iter_pages,
    page_from_body,
)
from plane_async._paging.keyset import ISSUE_ORDERS, order_key
from plane_async._protocol.checks import check_per_page
from tests.support import vclock

# Recorded from Plane CE (results trimmed to three keys).
ISSUES_PAGE_1: dict[str, Any] = {
    "grouped_by": None,
    "sub_grouped_by": None,
    "total_count": 250,
    "next_cursor": "3:1:0",
    "prev_cursor": "3:-1:1",
    "next_page_results": True,
    "prev_page_results": False,
    "count": 3,
    "total_pages": 84,
    "total_results": 250,
    "extra_stats": None,
    "results": [
        {"id": "86f3bc45-4af1-4464-aaa8-0a5bc9432e64", "name": "Seed issue #250"},
        {"id": "8772363e-ab7b-4a87-ad25-922fd6c3f197", "name": "Seed issue #249"},
        {"id": "3626afc1-ae6c-4387-ae8b-8eacea15e089", "name": "Seed issue #248"},
    ],
}
ISSUES_PAGE_2: dict[str, Any] = {
    **ISSUES_PAGE_1,
    "next_cursor": "3:2:0",
    "prev_cursor": "3:0:1",
    "prev_page_results": True,
    "results": [
        {"id": "c3aa324e-ecfd-42fa-984e-b89a98363b80", "name": "Seed issue #247"},
        {"id": "8f838b30-13b1-4233-b543-704dc8e7fcee", "name": "Seed issue #246"},
        {"id": "be976b5d-a1e9-4d00-8fc1-98bc48873121", "name": "Seed issue #245"},
    ],
}
PROJECTS_LAST_PAGE: dict[str, Any] = {
    **ISSUES_PAGE_1,
    "total_count": 1,
    "next_cursor": "2:1:0",
    "prev_cursor": "2:-1:1",
    "next_page_results": False,
    "count": 1,
    "total_pages": 1,
    "total_results": 1,
    "results": [{"id": "90c8a8c4-5082-40e9-b5dd-5c964aa7fb7b", "name": "Website"}],
}
PROJECT_MEMBERS: list[dict[str, Any]] = [
    {"id": "27872e28-3e1f-4664-bb43-3b06d84b93d4", "display_name": "bob"},
    {"id": "88443cc8-51b0-4591-9593-79be51aa5ba6", "display_name": "alice"},
]
LOOKUP_EXTERNAL: dict[str, Any] = {"id": "9ce1388a-70eb-428d-b3a5-7e4138c13b88", "name": "Fixture"}


def name(raw: dict[str, Any]) -> str:
    return str(raw["id"])


def envelope(rows: list[Any], per_page: int, page: int) -> dict[str, Any]:
    """What Plane's OffsetPaginator answers for page ``page`` of ``rows``."""
    start = page * per_page
    window = rows[start : start + per_page + 1]
    return {
        "grouped_by": None,
        "sub_grouped_by": None,
        "total_count": len(rows),
        "next_cursor": f"{per_page}:{page + 1}:0",
        "prev_cursor": f"{per_page}:{page - 1}:1",
        "next_page_results": len(window) > per_page,
        "prev_page_results": page > 0,
        "count": len(window[:per_page]),
        "total_pages": -(-len(rows) // per_page),
        "total_results": len(rows),
        "extra_stats": None,
        "results": window[:per_page],
    }


class FakeServer:
    """A list served like Plane CE: size from ``per_page`` (default 1000), not the cursor."""

    def __init__(self, count: int) -> None:
        self.rows: list[dict[str, Any]] = [{"id": f"i{n}"} for n in range(count)]
        self.calls: list[dict[str, str]] = []
        self.fail: dict[int, BaseException] = {}  # page -> raised once
        self.delay: Callable[[int], float] | None = None
        self.before: Callable[[int], None] | None = None  # called before a page is served
        self.in_flight = 0
        self.max_in_flight = 0
        self.cancelled: list[int] = []

    async def __call__(self, params: dict[str, str]) -> Any:
        # ``fail``, ``delay``, ``before`` and ``cancelled`` count requests (0 = the first):
        # a read asks for the n-th page with the n-th request, whatever its cursor says.
        n = len(self.calls)
        self.calls.append(dict(params))
        per_page = int(params.get("per_page", "1000"))
        cursor = params.get("cursor")
        page = int(cursor.split(":")[1]) if cursor else 0
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay is not None:
                await asyncio.sleep(self.delay(n))
        except asyncio.CancelledError:
            self.cancelled.append(n)
            raise
        finally:
            self.in_flight -= 1
        if n in self.fail:
            raise self.fail.pop(n)
        if self.before is not None:
            self.before(n)
        return envelope(self.rows, per_page, page)

    def ids(self) -> list[str]:
        return [r["id"] for r in self.rows]


def server_error(status: int = 502) -> ServerError:
    return ServerError(
        "Bad gateway", status=status, method="GET", url="https://plane.test/api/v1/x/"
    )


async def collect(gen: Any) -> list[Any]:
    return [x async for x in gen]


def other_tasks() -> set[asyncio.Task[Any]]:
    return asyncio.all_tasks() - {asyncio.current_task()}


# ------------------------------------------------------------------ Page from bodies


def test_recorded_first_page() -> None:
    page = page_from_body(ISSUES_PAGE_1, name)
    assert page.results == (
        "86f3bc45-4af1-4464-aaa8-0a5bc9432e64",
        "8772363e-ab7b-4a87-ad25-922fd6c3f197",
        "3626afc1-ae6c-4387-ae8b-8eacea15e089",
    )
    assert (page.count, page.total_results, page.total_pages) == (3, 250, 84)
    assert page.next_cursor == Cursor(3, 1)
    assert page.prev_cursor is None  # the server's "3:-1:1" cannot be sent back
    assert page.next_page_results is True and page.prev_page_results is False
    assert page.extra_stats is None
    assert page.cursor == Cursor(3, 0)  # inferred from next_cursor
    assert page.resume_cursor == Cursor(3, 1)


def test_recorded_second_page() -> None:
    page = page_from_body(ISSUES_PAGE_2, name, Cursor(3, 1))
    assert page.prev_cursor == Cursor(3, 0, is_prev=True)
    assert page.next_cursor == Cursor(3, 2)
    assert page.cursor == Cursor(3, 1)
    assert page.prev_page_results is True


def test_recorded_last_page_keeps_next_cursor_but_says_no_more() -> None:
    page = page_from_body(PROJECTS_LAST_PAGE, name, Cursor(2, 0))
    assert page.next_cursor == Cursor(2, 1)  # never empty on the server
    assert page.next_page_results is False
    assert page.resume_cursor == Cursor(2, 1)


def test_plain_array_is_one_page() -> None:
    page = page_from_body(PROJECT_MEMBERS, name)
    assert len(page.results) == page.count == page.total_results == 2
    assert page.total_pages == 1
    assert page.next_page_results is False and page.prev_page_results is False
    assert page.cursor is page.next_cursor is page.prev_cursor is None
    with pytest.raises(PaginationError, match="does not paginate"):
        page.resume_cursor  # noqa: B018  (a whole list has nothing to resume)
    assert page_from_body([], name).total_pages == 0


def test_single_object_is_one_page() -> None:
    page = page_from_body(LOOKUP_EXTERNAL, name)
    assert page.results == ("9ce1388a-70eb-428d-b3a5-7e4138c13b88",)
    assert page.count == 1 and page.next_page_results is False


@pytest.mark.parametrize("body", [None, "", "<html>502</html>", 3, True])
def test_unexpected_body_is_a_clear_error(body: object) -> None:
    with pytest.raises(PlaneError, match="unexpected response body"):
        page_from_body(body, name)


@pytest.mark.parametrize(
    "body",
    [
        {"results": None, "next_page_results": False},
        {"results": [], "next_page_results": "false"},
        {"results": []},
    ],
)
def test_broken_envelope_is_a_clear_error(body: object) -> None:
    with pytest.raises(PaginationError, match="unexpected page envelope"):
        page_from_body(body, name)


# ------------------------------------------------------------------ per_page and cursor rules


@pytest.mark.parametrize("value", [0, -1, 101, True, False, 3.0, "3"])
def test_per_page_refused(value: Any) -> None:
    with pytest.raises(PlaneValueError, match="per_page must be"):
        check_per_page(value, max_per_page=100)


def test_per_page_range_follows_max_per_page() -> None:
    assert check_per_page(None, max_per_page=100) is None
    assert check_per_page(100, max_per_page=100) == 100
    assert check_per_page(1000, max_per_page=1000) == 1000
    with pytest.raises(PlaneValueError, match="max_per_page=1000"):
        check_per_page(500, max_per_page=100)
    with pytest.raises(PlaneValueError, match="1 to 1000"):
        check_per_page(1001, max_per_page=1000)


async def test_default_per_page_is_100_and_sent_with_every_cursor() -> None:
    server = FakeServer(250)
    assert await collect(iter_items(server, name)) == server.ids()
    assert server.calls[0] == {"per_page": "100"}
    for call in server.calls[1:]:
        # the page size is sent again with each cursor, and matches the cursor's
        assert call["cursor"].split(":")[0] == call["per_page"]


async def test_each_request_after_the_first_starts_before_the_last_item_handed_out() -> None:
    # The overlap that shows rows moved: with room above per_page it costs no request.
    server = FakeServer(100)
    assert await collect(iter_items(server, name, per_page=10, max_per_page=100)) == server.ids()
    assert len(server.calls) == 10
    handed_out = 10
    for call in server.calls[1:]:
        size, page, _ = map(int, call.get("cursor", f"{call['per_page']}:0:0").split(":"))
        assert size == int(call["per_page"])
        assert 0 <= size * page < handed_out <= size * page + size - 10
        handed_out += 10


async def test_stops_on_next_page_results_not_on_empty_cursor() -> None:
    server = FakeServer(6)
    pages = await collect(iter_pages(server, name, per_page=3))
    assert [p.results for p in pages] == [("i0", "i1", "i2"), ("i3", "i4", "i5")]
    assert pages[-1].next_cursor is not None  # present, yet no third request
    assert len(server.calls) == 2


async def test_cursor_without_per_page_uses_its_size() -> None:
    server = FakeServer(10)
    items = await collect(iter_items(server, name, cursor="3:2:0"))
    assert items == ["i6", "i7", "i8", "i9"]
    assert server.calls[0] == {"per_page": "3", "cursor": "3:2:0"}


async def test_cursor_object_and_matching_per_page_are_accepted() -> None:
    server = FakeServer(10)
    assert await collect(iter_items(server, name, cursor=Cursor(3, 3), per_page=3)) == ["i9"]


def test_cursor_with_another_per_page_is_refused_before_any_request() -> None:
    server = FakeServer(10)
    with pytest.raises(PlaneValueError, match="per_page=3") as info:
        iter_items(server, name, cursor="3:2:0", per_page=5)
    assert "Leave per_page out" in str(info.value)
    assert server.calls == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"per_page": 0},
        {"per_page": 101},
        {"cursor": "abc"},
        {"cursor": "3:-1:1"},
        {"cursor": "500:1:0"},  # bigger than max_per_page
        {"max_items": -1},
        {"max_pages": True},
        {"prefetch": -1},
    ],
)
def test_bad_arguments_are_refused_at_call_time(kwargs: dict[str, Any]) -> None:
    server = FakeServer(10)
    with pytest.raises(PlaneValueError):
        iter_pages(server, name, **kwargs)
    assert server.calls == []


async def test_max_per_page_allows_community_edition_sizes() -> None:
    server = FakeServer(1500)
    pages = await collect(iter_pages(server, name, per_page=1000, max_per_page=1000))
    assert [len(p.results) for p in pages] == [1000, 500]


# ------------------------------------------------------------------ limits


async def test_max_pages_stops_without_an_extra_request() -> None:
    server = FakeServer(10)
    pages = await collect(iter_pages(server, name, per_page=3, max_pages=2))
    assert len(pages) == 2 and len(server.calls) == 2
    assert pages[-1].resume_cursor == Cursor(3, 2)


async def test_max_items_cuts_the_last_page_and_resumes_on_it() -> None:
    server = FakeServer(10)
    pages = await collect(iter_pages(server, name, per_page=3, max_items=4))
    assert [p.results for p in pages] == [("i0", "i1", "i2"), ("i3",)]
    assert pages[-1].truncated
    assert pages[-1].resume_cursor == Cursor(3, 1)  # its rest was not handed out
    assert len(server.calls) == 2
    assert await collect(iter_items(server, name, per_page=3, max_items=3)) == ["i0", "i1", "i2"]


async def test_max_items_zero_sends_nothing() -> None:
    server = FakeServer(10)
    assert await collect(iter_items(server, name, max_items=0)) == []
    assert server.calls == []


async def test_take_ready_hands_over_the_rest_of_the_page_without_a_request() -> None:
    server = FakeServer(7)
    items = iter_items(server, name, per_page=3, max_items=5)
    assert items.take_ready() == []  # nothing fetched yet
    assert await anext(items) == "i0"
    assert items.take_ready() == ["i1", "i2"]
    assert items.take_ready() == []
    assert len(server.calls) == 1
    assert await anext(items) == "i3"  # the next page: none skipped, none repeated
    assert items.take_ready() == ["i4"]  # max_items cut the page
    with pytest.raises(StopAsyncIteration):
        await anext(items)
    assert len(server.calls) == 2


async def test_take_ready_hands_over_nothing_once_closed_or_wrapped() -> None:
    items = iter_items(FakeServer(7), name, per_page=3)
    assert await anext(items) == "i0"
    await items.aclose()
    assert items.take_ready() == []

    async def counted(gen: Any) -> Any:  # a wrapper that sees every item (telemetry)
        async for item in gen:
            yield item

    wrapped = iter_items(FakeServer(7), name, per_page=3).wrapped(counted)
    assert await anext(wrapped) == "i0"
    assert wrapped.take_ready() == []
    assert [i async for i in wrapped] == ["i1", "i2", "i3", "i4", "i5", "i6"]


# ------------------------------------------------------------------ stall guard


async def test_same_cursor_again_raises_stalled_after_handing_out_the_page() -> None:
    async def fetch(params: dict[str, str]) -> Any:
        body = envelope([{"id": "a"}, {"id": "b"}, {"id": "c"}], 2, 0)
        return {**body, "next_cursor": "2:0:0"}  # points at itself

    got: list[str] = []
    with pytest.raises(PaginationStalledError, match="9340") as info:
        async for item in iter_items(fetch, name, per_page=2):
            got.append(item)
    assert got == ["a", "b"]
    assert str(info.value.cursor) == "2:1:0"


async def test_same_page_again_raises_stalled() -> None:
    calls = 0

    async def fetch(params: dict[str, str]) -> Any:
        nonlocal calls
        calls += 1
        page = int(params["cursor"].split(":")[1]) if "cursor" in params else 0
        # A server that ignores the cursor: page 0 forever, with moving cursors.
        return {**envelope([{"id": n} for n in range(10)], 2, 0), "next_cursor": f"2:{page + 1}:0"}

    with pytest.raises(PaginationStalledError, match="same page") as info:
        await collect(iter_items(fetch, name, per_page=2))
    assert calls == 2
    assert str(info.value.cursor) == "2:1:0" and info.value.page == 1
    assert isinstance(info.value, PaginationError)


async def test_empty_pages_that_promise_more_stall() -> None:
    async def fetch(params: dict[str, str]) -> Any:
        page = int(params["cursor"].split(":")[1]) if "cursor" in params else 0
        return {**envelope([], 2, page), "next_page_results": True}

    with pytest.raises(PaginationError, match="contradicts itself"):
        await collect(iter_pages(fetch, name, per_page=2))


async def test_pages_with_the_same_first_and_last_ids_but_other_items_go_on() -> None:
    # Only a whole repeated page is a stall, not one that shares its ends with the last;
    # the ids already handed out are not handed out again.
    pages = [["a", "b", "z"], ["a", "c", "z"], ["z", "d"]]

    calls = 0

    async def fetch(params: dict[str, str]) -> Any:
        nonlocal calls
        page, calls = calls, calls + 1  # the n-th answer, whatever the cursor
        offset = int(params["cursor"].split(":")[1]) if "cursor" in params else 0
        rows = [{"id": i} for i in pages[page]]
        return {**envelope(rows, 3, 0), "next_cursor": f"3:{offset + 1}:0",
                "next_page_results": page < 2, "total_results": 7,
                "total_pages": 3}  # fmt: skip

    # (no room above per_page to overlap: the guards alone judge the pages)
    assert await collect(iter_items(fetch, name, per_page=3, max_per_page=3)) == list("abzcd")


async def test_same_page_again_is_caught_by_raw_ids_and_by_id_of() -> None:
    class Item:
        def __init__(self, raw: dict[str, Any]) -> None:
            self.id = raw["id"]

    async def fetch(params: dict[str, str]) -> Any:
        page = int(params["cursor"].split(":")[1]) if "cursor" in params else 0
        return {**envelope([{"id": n} for n in range(10)], 3, 0), "next_cursor": f"3:{page + 1}:0"}

    for id_of in (None, lambda item: item.id):
        got: list[Any] = []
        with pytest.raises(PaginationStalledError, match="same page"):
            async for item in iter_items(fetch, Item, per_page=3, id_of=id_of):
                got.append(item.id)
        assert got == [0, 1, 2]  # the repeat is refused before it is handed out


async def test_same_page_again_without_ids_is_not_a_stall() -> None:
    async def fetch(params: dict[str, str]) -> Any:
        page = int(params["cursor"].split(":")[1]) if "cursor" in params else 0
        rows = [{"id": None, "n": n} for n in range(2)]
        return {**envelope(rows, 2, 0), "next_cursor": f"2:{page + 1}:0",
                "next_page_results": page < 2}  # fmt: skip

    assert len(await collect(iter_items(fetch, lambda raw: raw, per_page=2))) == 6


async def test_server_paging_by_another_size_is_refused() -> None:
    async def fetch(params: dict[str, str]) -> Any:
        return envelope([{"id": n} for n in range(300)], 100, 0)  # clamped to 100

    with pytest.raises(PaginationError, match="paged by 100"):
        await collect(iter_pages(fetch, name, per_page=200, max_per_page=1000))


async def test_cursor_request_answered_without_envelope_is_an_error() -> None:
    async def fetch(params: dict[str, str]) -> Any:
        return PROJECT_MEMBERS

    with pytest.raises(PaginationError, match="not a page envelope") as info:
        await collect(iter_items(fetch, name, cursor="3:1:0"))
    assert str(info.value.cursor) == "3:1:0"


# ------------------------------------------------------------------ dedupe


def shifting_server() -> FakeServer:
    """A live project: two new items land at the head after each page is served."""
    server = FakeServer(9)
    created = 0

    def before(page: int) -> None:
        nonlocal created
        if page > 0:
            server.rows[:0] = [{"id": f"new{created}"}, {"id": f"new{created + 1}"}]
            created += 2

    server.before = before
    return server


async def test_live_writes_duplicate_no_item_even_without_dedupe() -> None:
    # Before keyset emulation the rows shifted by the inserts came round again.
    items = await collect(iter_items(shifting_server(), name, per_page=3))
    assert len(items) == len(set(items))
    assert {f"i{n}" for n in range(9)} <= set(items)


async def test_dedupe_hands_out_each_item_once() -> None:
    items = await collect(iter_items(shifting_server(), name, per_page=3, dedupe=True))
    assert len(items) == len(set(items))
    assert {f"i{n}" for n in range(9)} <= set(items)


@attrs.frozen
class Item:
    id: str


# ------------------------------------------------------------------ errors and resuming


@pytest.mark.parametrize(
    "error",
    [
        server_error(),
        TransportError("connection reset", method="GET", url="https://plane.test/api/v1/x/"),
    ],
)
async def test_error_carries_the_cursor_and_resuming_completes_the_read(
    error: Exception,
) -> None:
    server = FakeServer(10)
    server.fail[2] = error
    got: list[str] = []
    with pytest.raises(type(error)) as info:
        async for item in iter_items(server, name, per_page=3):
            got.append(item)
    assert str(info.value.cursor) == "3:2:0"
    assert any("page 2" in note and "3:2:0" in note for note in info.value.__notes__)
    got += await collect(iter_items(server, name, cursor=info.value.cursor))
    assert got == server.ids()


async def test_error_on_the_first_page_resumes_from_the_start() -> None:
    server = FakeServer(4)
    server.fail[0] = BadRequestError(
        "Invalid cursor parameter.", status=400, method="GET", url="https://plane.test/"
    )
    with pytest.raises(APIError) as info:
        await collect(iter_items(server, name, per_page=3))
    assert str(info.value.cursor) == "3:0:0"
    assert await collect(iter_items(server, name, cursor=info.value.cursor)) == server.ids()


async def test_structure_error_says_which_page() -> None:
    def structure(raw: dict[str, Any]) -> str:
        if raw["id"] == "i4":
            raise ValueError("odd item")
        return name(raw)

    with pytest.raises(ValueError, match="odd item") as info:
        await collect(iter_items(FakeServer(10), structure, per_page=3))
    assert any("resume with cursor='3:1:0'" in note for note in info.value.__notes__)


def test_error_in_prefetched_page_surfaces_in_order_with_its_cursor() -> None:
    async def main() -> None:
        server = FakeServer(12)
        server.fail[2] = server_error(503)
        got: list[str] = []
        with pytest.raises(ServerError) as info:
            async for item in iter_items(server, name, per_page=3, prefetch=3):
                got.append(item)
                await asyncio.sleep(1)
        assert got == ["i0", "i1", "i2", "i3", "i4", "i5"]
        assert str(info.value.cursor) == "3:2:0"
        got += await collect(iter_items(server, name, cursor=info.value.cursor, prefetch=3))
        assert got == server.ids()
        assert other_tasks() == set()

    vclock.run(main())


# ------------------------------------------------------------------ prefetch


def test_prefetch_overlaps_requests_and_keeps_order() -> None:
    async def main() -> None:
        server = FakeServer(30)
        server.delay = lambda page: 10.0 - page  # later pages answer sooner
        got: list[str] = []
        async for item in iter_items(server, name, per_page=3, prefetch=3):
            got.append(item)
            await asyncio.sleep(0.5)
        assert got == server.ids()
        assert server.max_in_flight == 3
        assert len(server.calls) == 10  # total_pages bounds the read-ahead: nothing wasted

    vclock.run(main())


@pytest.mark.parametrize("prefetch", [1, 2, 4])
def test_prefetch_asks_for_no_page_it_throws_away_when_overlap_shortens_pages(
    prefetch: int,
) -> None:
    async def main() -> None:
        server = FakeServer(60)
        server.delay = lambda page: 1.0
        # per_page == max_per_page: an overlapping page hands out fewer than per_page items
        one_by_one = await collect(iter_items(server, name, per_page=10, max_per_page=10))
        wanted = list(server.calls)
        server.calls.clear()
        ahead = await collect(
            iter_items(server, name, per_page=10, max_per_page=10, prefetch=prefetch)
        )
        assert ahead == one_by_one == server.ids()
        assert sorted(map(str, server.calls)) == sorted(map(str, wanted))  # none cancelled

    vclock.run(main())


def test_prefetch_goes_through_the_limiter_inside_fetch() -> None:
    async def main() -> None:
        server = FakeServer(30)
        server.delay = lambda page: 1.0
        limiter = asyncio.Semaphore(2)  # stands for the client's rate limiter

        async def fetch(params: dict[str, str]) -> Any:
            async with limiter:
                return await server(params)

        assert await collect(iter_items(fetch, name, per_page=3, prefetch=5)) == server.ids()
        assert server.max_in_flight == 2

    vclock.run(main())


def test_a_next_cursor_that_skips_a_page_is_refused_with_prefetch_too() -> None:
    async def main() -> None:
        server = FakeServer(30)
        server.delay = lambda page: 1.0

        async def fetch(params: dict[str, str]) -> Any:
            body = await server(params)
            page = int(params["cursor"].split(":")[1]) if "cursor" in params else 0
            return {**body, "next_cursor": f"3:{page + 2}:0"}  # skips a page

        for prefetch in (0, 1, 2):
            got: list[Any] = []
            with pytest.raises(PaginationError, match="jumps from page 0 to page 2") as info:
                async for page in iter_pages(fetch, name, per_page=3, prefetch=prefetch):
                    got += page.results
            assert got == ["i0", "i1", "i2"]
            assert info.value.cursor is not None
            assert Cursor.parse(info.value.cursor).offset == 1  # type: ignore[arg-type]
            assert other_tasks() == set()

    vclock.run(main())


def test_without_prefetch_one_request_at_a_time() -> None:
    async def main() -> None:
        server = FakeServer(30)
        server.delay = lambda page: 1.0
        assert await collect(iter_items(server, name, per_page=3)) == server.ids()
        assert server.max_in_flight == 1

    vclock.run(main())


def test_prefetch_respects_max_pages_and_max_items() -> None:
    async def main() -> None:
        server = FakeServer(30)
        server.delay = lambda page: 1.0
        await collect(iter_pages(server, name, per_page=3, prefetch=5, max_pages=2))
        assert len(server.calls) == 2
        server.calls.clear()
        items = await collect(iter_items(server, name, per_page=3, prefetch=5, max_items=7))
        assert items == server.ids()[:7]
        assert len(server.calls) == 3

    vclock.run(main())


# ------------------------------------------------------------------ leaving early


def test_break_with_aclosing_cancels_the_read_ahead() -> None:
    async def main() -> None:
        server = FakeServer(30)
        server.delay = lambda page: 5.0
        async with contextlib.aclosing(iter_items(server, name, per_page=3, prefetch=4)) as items:
            async for _ in items:
                await asyncio.sleep(1)  # the read-ahead is now in flight
                break
        assert other_tasks() == set()
        assert sorted(server.cancelled) == [1, 2, 3, 4]

    vclock.run(main())


def test_plain_break_releases_everything_once_the_generator_is_dropped() -> None:
    async def main() -> None:
        server = FakeServer(30)
        server.delay = lambda page: 5.0
        async for _ in iter_pages(server, name, per_page=3, prefetch=2):
            break
        gc.collect()
        for _ in range(5):  # the loop's finalizer closes the dropped generator
            await asyncio.sleep(0)
        assert other_tasks() == set()

    vclock.run(main())


def test_cancelling_the_consumer_leaves_no_task() -> None:
    async def main() -> None:
        server = FakeServer(30)
        server.delay = lambda page: 5.0

        async def consume() -> None:
            async with contextlib.aclosing(iter_items(server, name, per_page=3, prefetch=3)) as it:
                async for _ in it:
                    await asyncio.sleep(1)

        task = asyncio.create_task(consume())
        await asyncio.sleep(7)  # first page out, read-ahead in flight
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert other_tasks() == set()
        assert server.cancelled

    vclock.run(main())


def test_failed_read_ahead_that_is_never_needed_is_not_reported() -> None:
    errors: list[dict[str, Any]] = []

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda loop, ctx: errors.append(ctx))
        server = FakeServer(30)
        server.delay = lambda page: 1.0 if page else 5.0
        server.fail[3] = server_error()
        async with contextlib.aclosing(iter_items(server, name, per_page=3, prefetch=3)) as it:
            async for _ in it:
                await asyncio.sleep(3)  # pages 1..3 are done (page 3 failed) meanwhile
                break
        gc.collect()
        await asyncio.sleep(0)

    vclock.run(main())
    assert errors == []


# ------------------------------------------------------------------ bodies that are not paged


async def test_plain_array_endpoint_gives_one_page() -> None:
    calls: list[dict[str, str]] = []

    async def fetch(params: dict[str, str]) -> Any:
        calls.append(params)
        return PROJECT_MEMBERS

    pages = await collect(iter_pages(fetch, name, paginated=False))
    assert len(pages) == 1 and pages[0].count == 2
    assert calls == [{}]
    assert await collect(iter_items(fetch, name, paginated=False, max_items=1)) == [
        PROJECT_MEMBERS[0]["id"]
    ]
    with pytest.raises(PlaneValueError, match="not paginated"):
        iter_pages(fetch, name, paginated=False, per_page=10)


async def test_single_object_answer_gives_one_item() -> None:
    async def fetch(params: dict[str, str]) -> Any:
        return LOOKUP_EXTERNAL

    # A paginated route that answers one object (the external-id lookup) still works.
    assert await collect(iter_items(fetch, name)) == [LOOKUP_EXTERNAL["id"]]


async def test_envelope_where_whole_list_was_expected_is_an_error() -> None:
    async def fetch(params: dict[str, str]) -> Any:
        return ISSUES_PAGE_1

    pages: list[Page[str]] = []
    with pytest.raises(PaginationError, match="paginated=True"):
        async for page in iter_pages(fetch, name, paginated=False):
            pages.append(page)
    assert len(pages) == 1


# ------------------------------------------------------------------ misbehaving servers


async def test_a_page_longer_than_per_page_is_refused_before_handing_it_out() -> None:
    # Reported: a page of 15 items for per_page=10 yielded 10 duplicates.
    server = FakeServer(40)

    async def fetch(params: dict[str, str]) -> Any:
        body = await server({**params, "per_page": "15"})
        return {**body, "next_cursor": f"10:{int(body['next_cursor'].split(':')[1])}:0"}

    got: list[str] = []
    with pytest.raises(PaginationError, match="15 items on a page of per_page=10") as info:
        async for item in iter_items(fetch, name, per_page=10):
            got.append(item)
    assert got == []
    assert info.value.cursor is not None and info.value.cursor.wire == "10:0:0"


async def test_two_pages_that_alternate_forever_are_refused() -> None:
    # Reported: 180 duplicates before the test's cap.
    pages = [[{"id": "a"}, {"id": "b"}], [{"id": "c"}, {"id": "d"}]]

    async def fetch(params: dict[str, str]) -> Any:
        page = int(params["cursor"].split(":")[1]) if "cursor" in params else 0
        return {**envelope(pages[page % 2], 2, 0), "next_cursor": f"2:{page + 1}:0",
                "next_page_results": True, "total_results": 10}  # fmt: skip

    got: list[str] = []
    with pytest.raises(PaginationStalledError, match="all handed out before") as info:
        async for item in iter_items(fetch, name, per_page=2, max_per_page=2):
            got.append(item)
            assert len(got) < 100, "never stopped"
    assert got == ["a", "b", "c", "d"]
    assert info.value.cursor is not None and str(info.value.cursor).startswith("2:2:0")


async def test_alternating_pages_are_refused_by_key_but_a_stale_last_page_ends() -> None:
    # Newest first by a fixed key: a page of items handed out before that promises more is
    # a server going round; the same page as the last one is rows that creates shifted on.
    def row(n: int) -> dict[str, Any]:
        return {"id": f"i{n}", "created_at": f"2026-01-01T00:00:{n:02d}Z"}

    pages = [[row(9), row(8)], [row(7), row(6)]]
    order = order_key("-created_at", ISSUE_ORDERS)

    def fetcher(last: int | None) -> Callable[[dict[str, str]], Any]:
        async def fetch(params: dict[str, str]) -> Any:
            page = int(params["cursor"].split(":")[1]) if "cursor" in params else 0
            rows = pages[page % 2] if last is None or page < last else [row(6)]
            return {**envelope(rows, 2, 0), "next_cursor": f"2:{page + 1}:0",
                    "next_page_results": last is None or page < last,
                    "total_results": 5}  # fmt: skip

        return fetch

    got: list[str] = []
    with pytest.raises(PaginationStalledError, match="all handed out before"):
        async for item in iter_items(fetcher(None), name, per_page=2, max_per_page=2, order=order):
            got.append(item)
    assert got == ["i9", "i8", "i7", "i6"]
    assert await collect(
        iter_items(fetcher(2), name, per_page=2, max_per_page=2, order=order)
    ) == [
        "i9", "i8", "i7", "i6"
    ]  # fmt: skip


async def test_a_next_cursor_that_goes_back_is_refused_with_the_cursor_to_resume() -> None:
    server = FakeServer(9)

    async def fetch(params: dict[str, str]) -> Any:
        body = await server(params)
        return {**body, "next_cursor": "3:0:0"}

    got: list[str] = []
    with pytest.raises(PaginationStalledError) as info:
        async for item in iter_items(fetch, name, per_page=3):
            got.append(item)
    assert got == ["i0", "i1", "i2"]
    # the fixed server resumes from the error's cursor with nothing repeated or missed
    got += await collect(iter_items(server, name, cursor=info.value.cursor))
    assert got == server.ids()


def test_a_checkpoint_round_trips_through_str_and_refuses_garbage() -> None:
    from plane_async import PlaneValueError
    from plane_async.types import LastKey

    cursor = Cursor(100, 3, after=LastKey("-created_at", "2026-05-19T10:00:00+05:30", ("x",)))
    text = str(cursor)
    assert text.startswith("100:3:0~") and Cursor.parse(text) == cursor
    assert cursor.wire == "100:3:0"
    assert Cursor.parse("100:3:0") == Cursor(100, 3)
    for bad in ("100:3:0~", "100:3:0~!!", "100:3:0~e30", "100:3:0~WzEsMiwzXQ"):
        with pytest.raises(PlaneValueError, match="checkpoint"):
            Cursor.parse(bad)


async def test_a_server_that_refuses_pages_above_per_page_gets_overlap_within_it() -> None:
    # The client allows 100 (max_per_page) but the server only 10: the first overlapping
    # request is refused, and the read goes on with pages of at most per_page.
    server = FakeServer(50)
    refused = 0

    async def fetch(params: dict[str, str]) -> Any:
        nonlocal refused
        if int(params["per_page"]) > 10:
            refused += 1
            raise BadRequestError(
                "Invalid per_page value. Cannot exceed 10.",
                status=400,
                method="GET",
                url="https://plane.test/",
            )
        return await server(params)

    assert await collect(iter_items(fetch, name, per_page=10, max_per_page=100)) == server.ids()
    assert refused == 1
    assert all(int(call["per_page"]) <= 10 for call in server.calls)
