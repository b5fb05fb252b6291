"""The API key never leaks: not in a log record, a repr, an exception or a traceback.

Every flow runs with DEBUG logging on for ``plane_async`` and ``aiohttp``, successes and
failures alike (400, 401, 403, 404, 409, 429, 503, reset, truncated body, timeout,
decode error, refused input). Every exception raised is kept and searched, down its
``__cause__``/``__context__`` chain, its notes and its attributes.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from plane_async import AsyncPlane, RateLimit
from plane_async._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidAPIKeyError,
    NotFoundError,
    PlaneError,
    PlaneValueError,
    RateLimitError,
    RequestTimeoutError,
    ResponseDecodeError,
    ServerError,
    TransportError,
)
from plane_async.testing import FakePlane, Seed
from tests.reliability.test_reliability_faults import FAST_BACKOFF, project_id

# Distinctive keys, so a partial leak (a prefix, a suffix) is found too.
KEY = "plane_api_" + "c0ffee" * 5 + "k3y"
OTHER = "plane_api_" + "dec0de" * 5 + "k3y"
WINDOW = (500, 1.0)


def _leaks(text: str) -> bool:
    return any(part in text for key in (KEY, OTHER) for part in (key, key[10:30], key[-16:]))


def exception_texts(exc: BaseException) -> list[str]:
    """str, repr, the formatted traceback (causes and notes included), and the attributes
    of every exception in the chain."""
    texts = ["".join(traceback.format_exception(exc)), str(exc), repr(exc)]
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        texts += [str(e), repr(e), repr(getattr(e, "__notes__", None))]
        texts += [repr(v) for v in vars(e).values()] if hasattr(e, "__dict__") else []
        texts += [repr(a) for a in e.args]
        stack += [e.__cause__, e.__context__]
    return texts


class Recorder:
    """Keeps every exception a flow raised, and asserts its type."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []

    async def expect(self, kind: type[BaseException], call: Awaitable[Any]) -> None:
        with pytest.raises(kind) as info:
            await call
        self.errors.append(info.value)

    def expect_sync(self, kind: type[BaseException], call: Callable[[], Any]) -> None:
        with pytest.raises(kind) as info:
            call()
        self.errors.append(info.value)


def _client(server: FakePlane, key: str = KEY, **options: Any) -> AsyncPlane:
    options.setdefault("rate_limit", RateLimit(*WINDOW))
    plane = AsyncPlane(
        api_key=key,
        workspace=server.workspace,
        base_url=server.base_url,
        max_per_page=1000,
        retry_backoff=FAST_BACKOFF,
        **options,
    )
    return plane


async def _fake_server_flows(rec: Recorder, reprs: list[str]) -> None:
    server = FakePlane(api_key=KEY, seed=Seed(issues_per_project=30), rate_limit=WINDOW)
    async with server:
        server._keys.add(OTHER)  # a second key, revoked below
        async with _client(server, max_retries=1) as plane:
            reprs += [repr(plane), repr(plane._transport), repr(plane._transport.settings)]
            reprs += [repr(plane.limiter), repr(plane.quota()), repr(plane.issues)]
            pid = await project_id(plane, server)
            items = [i async for i in plane.issues.list(pid, per_page=7, prefetch=2)]
            reprs += [repr(i) for i in items[:3]]
            async for page in plane.issues.pages(pid, per_page=10):
                reprs.append(repr(page))
            made = await plane.issues.create(pid, name="x", external_source="s", external_id="1")
            reprs.append(repr(made))
            await plane.issues.upsert(pid, external_source="s", external_id="1", name="y")

            path = f"workspaces/{server.workspace}/projects/{pid}/work-items/"
            await rec.expect(BadRequestError, plane.request("POST", path, json={}))
            await rec.expect(NotFoundError, plane.issues.get(pid, uuid.uuid4()))
            dup = {"name": "z", "external_source": "s", "external_id": "1"}
            await rec.expect(ConflictError, plane.request("POST", path, json=dup))

            server.faults.burst_429 = 5
            server.faults.burst_retry_after = 1
            await rec.expect(RateLimitError, plane.request("GET", "users/me/"))
            server.faults.burst_429 = 0
            server.faults.fail_rate_503 = 1.0
            await rec.expect(ServerError, plane.request("GET", "users/me/"))
            await rec.expect(ServerError, plane.issues.create(pid, name="x"))
            server.faults.fail_rate_503 = 0.0
            server.faults.reset_rate = 1.0
            await rec.expect(TransportError, plane.request("GET", "users/me/"))
            await rec.expect(TransportError, plane.issues.create(pid, name="x"))
            server.faults.reset_rate = 0.0
            server.faults.truncate_rate = 1.0
            await rec.expect(TransportError, plane.issues.get(pid, items[0].id))
            pages = plane.issues.pages(pid, per_page=5)
            await rec.expect(TransportError, pages.__anext__())  # carries the cursor
            await pages.aclose()
            server.faults.truncate_rate = 0.0

            # refused input: before any request
            await rec.expect(PlaneValueError, plane.issues.get(pid, "../users/me"))
            rec.expect_sync(PlaneValueError, lambda: plane.issues.list(pid, per_page=0))
            rec.expect_sync(PlaneValueError, lambda: plane.issues.list(pid, cursor="x"))
            rec.expect_sync(PlaneValueError, lambda: plane.issues.list(pid, fields=["nmae"]))
            await rec.expect(PlaneValueError, plane.request("GET", "%2e%2e/x"))
            reprs += [repr(plane), repr(plane.limiter), repr(plane.quota())]

        async with _client(server, timeout=0.2, max_retries=0) as slow:
            server.faults.latency = 1.0
            await rec.expect(RequestTimeoutError, slow.request("GET", "users/me/"))
            server.faults.latency = 0.0

        server.revoke_api_key(OTHER)
        async with _client(server, key=OTHER) as revoked:
            await rec.expect(InvalidAPIKeyError, revoked.request("GET", "users/me/"))
            reprs.append(repr(revoked))


async def _mocked_flows(rec: Recorder) -> None:
    base = "https://plane.example.com"
    with aioresponses() as mock:
        url = base + "/api/v1/users/me/"
        mock.get(url, status=401, payload={"detail": "Authentication credentials"})
        mock.get(url, status=200, body=b"<html>Sign in</html>")
        mock.get(url, status=200, body=b'{"id": "trunc')
        async with AsyncPlane(api_key=KEY, base_url=base, max_retries=0) as plane:
            await rec.expect(AuthenticationError, plane.request("GET", "users/me/"))
            await rec.expect(ResponseDecodeError, plane.request("GET", "users/me/"))
            await rec.expect(ResponseDecodeError, plane.request("GET", "users/me/"))


def _refused_settings(rec: Recorder) -> None:
    rec.expect_sync(PlaneValueError, lambda: AsyncPlane(api_key=KEY + "\n"))
    rec.expect_sync(PlaneValueError, lambda: AsyncPlane(api_key=KEY + "\r\nX-Evil: 1"))
    rec.expect_sync(PlaneValueError, lambda: AsyncPlane(api_key=" " + KEY))
    rec.expect_sync(
        PlaneValueError, lambda: AsyncPlane(api_key=KEY, base_url="http://plane.example.com")
    )
    rec.expect_sync(
        PlaneValueError,
        lambda: AsyncPlane(api_key=KEY, base_url=f"https://user:{KEY}@plane.example.com"),
    )
    rec.expect_sync(PlaneValueError, lambda: AsyncPlane(api_key=KEY, workspace="a/b"))


@pytest.mark.slow
async def test_the_api_key_appears_in_no_log_repr_exception_or_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="plane_async")
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    caplog.set_level(logging.DEBUG)
    rec = Recorder()
    reprs: list[str] = []

    await _fake_server_flows(rec, reprs)
    await _mocked_flows(rec)
    _refused_settings(rec)

    # the flows did run: errors of every kind, and log lines at every level
    assert {type(e) for e in rec.errors} >= {
        AuthenticationError,
        BadRequestError,
        ConflictError,
        InvalidAPIKeyError,
        NotFoundError,
        PlaneValueError,
        RateLimitError,
        RequestTimeoutError,
        ResponseDecodeError,
        ServerError,
        TransportError,
    }
    assert all(isinstance(e, PlaneError) for e in rec.errors)
    assert any(isinstance(e, APIError | TransportError) and e.cursor for e in rec.errors)
    levels = {r.levelno for r in caplog.records if r.name.startswith("plane_async")}
    # every level the client logs requests at (a handled 429 is INFO, once per call)
    assert {logging.DEBUG, logging.INFO} <= levels

    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s")
    for record in caplog.records:
        text = formatter.format(record) + repr(record.__dict__)
        assert not _leaks(text), f"the key leaked into a log record: {record.name}"
    for text in reprs:
        assert not _leaks(text), f"the key leaked into a repr: {text[:80]}"
    for err in rec.errors:
        for text in exception_texts(err):
            assert not _leaks(text), f"the key leaked from {type(err).__name__}: {text[:200]}"


def test_the_leak_search_finds_a_key_hidden_in_a_chained_exception() -> None:
    # The search above is only as good as its reach: a key in an attribute of a cause
    # (aiohttp's request_info holds the request headers) must be found.
    class Cause(Exception):
        def __init__(self) -> None:
            super().__init__("connection lost")
            self.request_headers = {"X-API-Key": KEY}

    try:
        try:
            raise Cause()
        except Cause as cause:
            raise TransportError("GET failed") from cause
    except TransportError as err:
        assert any(_leaks(text) for text in exception_texts(err))
        assert not _leaks(str(err))


@pytest.mark.parametrize(
    "reply",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nnot a header line\r\n\r\n{}",
        b"HTTP/1.1 2xx OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
    ids=["bad-header", "bad-status", "bad-chunk"],
)
async def test_a_malformed_response_does_not_leak_the_key_through_aiohttps_error(
    reply: bytes,
) -> None:
    # aiohttp reports these with a ClientResponseError whose request_info (and repr)
    # holds the request headers, the key among them.
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(reply)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    rec = Recorder()
    try:
        async with AsyncPlane(
            api_key=KEY, base_url=f"http://127.0.0.1:{port}", max_retries=0
        ) as plane:
            await rec.expect(TransportError, plane.request("GET", "users/me/"))
    finally:
        server.close()
        await server.wait_closed()
    for text in exception_texts(rec.errors[0]):
        assert not _leaks(text), f"the key leaked: {text[:200]}"
