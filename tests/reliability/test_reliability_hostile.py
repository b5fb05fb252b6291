"""Hostile input and hostile responses.

Input a caller passes (ids, slugs, cursors, per_page, fields/expand names, the key, raw
paths) either produces a well-formed request under ``/api/v1/`` or raises
``PlaneValueError`` before anything is sent. Responses a proxy or a broken server may send
(HTML error pages, non-JSON, empty bodies, gzip, huge bodies, absurd ``Retry-After``) give
a typed result, never a hang, a crash or unbounded memory.
"""

from __future__ import annotations

import asyncio
import gzip
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import orjson
import pytest
from aiohttp import web
from aioresponses import aioresponses
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from yarl import URL

from plane_async import AsyncPlane, RateLimit
from plane_async._errors import (
    PlaneValueError,
    RateLimitError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    TransportError,
)
from plane_async._paging.cursor import Cursor
from tests.support import vclock
from tests.support.local_server import LocalServer

KEY = "plane_api_" + "5" * 32
BASE = "https://plane.example.com"
PID = uuid.UUID("8772363e-ab7b-4a87-ad25-922fd6c3f197")
API = URL(BASE + "/api/v1/")

# Every hypothesis example runs a fresh virtual-clock loop; keep the runs short.
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Call = Callable[[AsyncPlane], Awaitable[Any]]


def _client(**kwargs: Any) -> AsyncPlane:
    options: dict[str, Any] = {
        "api_key": KEY,
        "workspace": "acme",
        "base_url": BASE,
        "max_retries": 0,
    }
    options.update(kwargs)
    return AsyncPlane(**options)


async def _first(agen: Any) -> Any:
    try:
        return await agen.__anext__()
    finally:
        await agen.aclose()


def outcome(call: Call, **client: Any) -> tuple[str, URL | None, dict[str, str]]:
    """Run ``call`` against a mock that answers nothing.

    Returns ``("refused", None, {})`` for a PlaneValueError with no request sent, or
    ``("sent", url, headers)`` for the one request that went out. Anything else (another
    exception type, a request sent and then a ValueError) fails the test.
    """

    async def main() -> tuple[str, URL | None, dict[str, str]]:
        with aioresponses() as mock:
            try:
                plane = _client(**client)
            except PlaneValueError:
                assert not mock.requests
                return "refused", None, {}
            async with plane:
                try:
                    await call(plane)
                except PlaneValueError:
                    assert not mock.requests, "refused input must not reach the network"
                    return "refused", None, {}
                except TransportError:
                    pass  # the mock refuses the connection: the request did go out
            assert len(mock.requests) == 1, mock.requests
            ((_method, url), calls) = next(iter(mock.requests.items()))
            assert len(calls) == 1
            return "sent", url, dict(calls[0].kwargs.get("headers") or {})

    return vclock.run(main())


def assert_under_api(url: URL | None) -> None:
    assert url is not None
    assert url.host == API.host and url.scheme == API.scheme
    # yarl resolves dot segments: what it sends is what the server sees.
    assert url.path.startswith("/api/v1/"), url
    assert ".." not in url.path.split("/"), url


# ---------------------------------------------------------------------------- input

ids = st.one_of(
    st.uuids(),
    st.uuids().map(str),
    st.uuids().map(lambda u: f"  {u}\n"),
    st.text(max_size=40),
    st.sampled_from(["../../users/me", "%2e%2e", "a/b", "\r\nX-Evil: 1", "", "."]),
    st.integers(),
    st.none(),
)


@pytest.mark.slow
@FAST
@given(value=ids)
def test_ids_are_uuids_or_refused_before_any_request(value: Any) -> None:
    kind, url, _ = outcome(lambda p: p.issues.get(PID, value))
    try:
        expected = uuid.UUID(value.strip()) if isinstance(value, str) else value
        valid = isinstance(expected, uuid.UUID)
    except ValueError:
        valid = False
    assert kind == ("sent" if valid else "refused")
    if valid:
        assert_under_api(url)
        assert url is not None and url.path.endswith(f"/{expected}/")


slugs = st.one_of(
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,20}", fullmatch=True),
    st.text(max_size=30),
    st.sampled_from(["..", "../admin", "acme/../x", "acme\r\nX-Evil: 1", "acme%2f..", " acme"]),
)


@pytest.mark.slow
@FAST
@given(slug=slugs)
def test_workspace_slugs_are_checked_before_any_request(slug: str) -> None:
    kind, url, _ = outcome(lambda p: _first(p.issues.list(PID)), workspace=slug)
    if kind == "sent":
        assert_under_api(url)
        assert url is not None and url.path.startswith(f"/api/v1/workspaces/{slug}/projects/")
    for bad in ("/", "\r", "\n", "..", "%"):
        if bad in slug:
            assert kind == "refused"


cursors = st.one_of(
    st.from_regex(r"[0-9]{1,4}:[0-9]{1,4}:[01]", fullmatch=True),
    st.text(max_size=20),
    st.sampled_from(["100:-1:1", "0:0:0", "100:0:2", "+1:2:0", "100:3:0\n", "1e3:0:0"]),
)


@pytest.mark.slow
@FAST
@given(cursor=cursors)
def test_cursors_are_parsed_or_refused_before_any_request(cursor: str) -> None:
    kind, url, _ = outcome(lambda p: _first(p.issues.pages(PID, cursor=cursor)))
    if kind == "refused":
        return
    assert_under_api(url)
    parsed = Cursor.parse(cursor)  # a sent cursor is a valid one
    assert url is not None
    assert url.query["cursor"] == str(parsed)
    assert url.query["per_page"] == str(parsed.per_page)


per_pages = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-2, max_value=1002),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.booleans(),
    st.none(),
)


@FAST
@given(per_page=per_pages)
def test_per_page_is_checked_before_any_request(per_page: Any) -> None:
    kind, url, _ = outcome(lambda p: _first(p.issues.pages(PID, per_page=per_page)))
    valid = per_page is None or (
        isinstance(per_page, int) and not isinstance(per_page, bool) and 1 <= per_page <= 100
    )
    assert kind == ("sent" if valid else "refused")
    if valid:
        assert url is not None
        assert url.query["per_page"] == str(per_page or 100)


names = st.one_of(
    st.sampled_from(["id", "name", "state", "priority", "labels", "assignees", "sequence_id"]),
    st.text(max_size=12),
    st.sampled_from(["name,../x", "state\r\n", "nmae", "__class__", "id;drop"]),
)


@FAST
@given(fields=st.lists(names, max_size=4), expand=st.lists(names, max_size=2))
def test_fields_and_expand_names_are_checked_before_any_request(
    fields: list[str], expand: list[str]
) -> None:
    kind, url, _ = outcome(
        lambda p: _first(p.issues.list(PID, fields=fields or None, expand=expand or None))
    )
    if kind == "refused":
        return
    assert_under_api(url)
    assert url is not None
    sent = url.query.get("fields", "")
    for name in sent.split(",") if sent else []:
        assert name.isidentifier(), f"an unchecked name {name!r} was sent"


keys = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1),
    st.text(max_size=40),
    st.sampled_from(["key\r\nX-Evil: 1", "key\n", " key", "key\x00", "k\u00e9y", "\t"]),
)


@pytest.mark.slow
@FAST
@given(key=keys)
@example(key="plane_api_ok\r\nX-Injected: yes")
def test_api_keys_with_whitespace_or_control_characters_are_refused(key: str) -> None:
    kind, _url, headers = outcome(lambda p: p.request("GET", "users/me/"), api_key=key)
    printable = bool(key) and all(0x21 <= ord(c) <= 0x7E for c in key)
    assert kind == ("sent" if printable else "refused")
    if printable:
        assert headers["X-API-Key"] == key


raw_paths = st.one_of(
    st.text(max_size=30),
    st.lists(
        st.sampled_from(["users", "me", "..", ".", "%2e%2e", "%2E.", "%2f", "a%5cb", "", "x y"]),
        min_size=1,
        max_size=5,
    ).map("/".join),
)


@pytest.mark.slow
@FAST
@given(path=raw_paths)
@example(path="workspaces/%2e%2e/%2e%2e/admin")
@example(path="users/%2E%2E/%2e%2e/%2e%2e/x")
@example(path="a/%2f%2e%2e/b")
def test_raw_paths_never_leave_the_api_root(path: str) -> None:
    kind, url, _ = outcome(lambda p: p.request("GET", path))
    if kind == "sent":
        assert_under_api(url)


@pytest.mark.parametrize(
    "path", ["../users/me", "users/../../admin", "%2e%2e/admin", "users/%2E%2e/%2e%2e/x"]
)
def test_percent_encoded_dot_segments_are_refused(path: str) -> None:
    # yarl and the server decode %2e%2e to ".." and resolve it: /api/v1/a/%2e%2e/%2e%2e/x
    # would reach /api/x with the key. It is refused like a literal "..".
    kind, _url, _ = outcome(lambda p: p.request("GET", path))
    assert kind == "refused"


# ---------------------------------------------------------------------------- Retry-After


def test_a_huge_retry_after_on_429_is_capped() -> None:
    async def main() -> tuple[float, int]:
        loop = asyncio.get_running_loop()
        with aioresponses() as mock:
            url = BASE + "/api/v1/users/me/"
            mock.get(url, status=429, headers={"Retry-After": str(10**9)}, payload={})
            mock.get(url, status=200, payload={"id": str(PID)})
            rate = RateLimit(60, 60.0, max_retry_after=30.0)
            async with _client(max_retries=1, rate_limit=rate) as plane:
                started = loop.time()
                body = await plane.request("GET", "users/me/")
                assert body == {"id": str(PID)}
                return loop.time() - started, len(mock.requests[("GET", URL(url))])

    waited, sent = vclock.run(main())
    assert sent == 2
    assert 1.0 <= waited <= 30.0 + 1.0  # the cap, not 31 years


@pytest.mark.parametrize(
    "retry_after",
    [str(10**12), "1e308", "inf", "nan", "-5", "Wed, 01 Jan 2200 00:00:00 GMT", "soon"],
)
def test_a_hostile_retry_after_on_503_is_capped(retry_after: str) -> None:
    async def main() -> float:
        loop = asyncio.get_running_loop()
        with aioresponses() as mock:
            url = BASE + "/api/v1/users/me/"
            mock.get(url, status=503, headers={"Retry-After": retry_after}, body=b"busy")
            mock.get(url, status=200, payload={"ok": True})
            rate = RateLimit(60, 60.0, max_retry_after=20.0)
            async with _client(max_retries=1, rate_limit=rate) as plane:
                started = loop.time()
                assert await plane.request("GET", "users/me/") == {"ok": True}
                return loop.time() - started

    assert vclock.run(main()) <= 20.0


def test_a_429_that_outlasts_the_retries_is_a_rate_limit_error() -> None:
    async def main() -> RateLimitError:
        with aioresponses() as mock:
            url = BASE + "/api/v1/users/me/"
            mock.get(url, status=429, headers={"Retry-After": "99999999"}, repeat=True, payload={})
            async with _client(max_retries=2, rate_limit=RateLimit(60, 60.0)) as plane:
                with pytest.raises(RateLimitError) as info:
                    await plane.request("GET", "users/me/")
                assert plane.quota().paused_for <= plane.rate_limit.max_retry_after
                return info.value

    err = vclock.run(main())
    assert err.status == 429 and err.attempts == 3


# ---------------------------------------------------------------------------- responses

BIG = 50 * 1024 * 1024
NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


class HostileServer(LocalServer):
    """A loopback aiohttp.web server answering the way proxies and broken servers do."""

    def __init__(self) -> None:
        super().__init__()
        self.sent_bytes = 0
        self.counts: dict[str, int] = {}

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["path"].strip("/")
        self.counts[name] = self.counts.get(name, 0) + 1
        if name == "gzip":
            raw = orjson.dumps({"results": [{"id": str(PID), "name": "x" * 5000}]})
            return web.Response(
                body=gzip.compress(raw),
                headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
            )
        if name == "bad-gzip":
            return web.Response(
                body=b"this is not gzip at all",
                headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
            )
        if name == "html-502":
            return web.Response(status=502, body=NGINX_502, content_type="text/html")
        if name == "html-200":
            return web.Response(body=b"<html><body>Login</body></html>", content_type="text/html")
        if name == "not-json-400":
            return web.Response(status=400, body=b"Bad Request (400)", content_type="text/plain")
        if name == "empty":
            return web.Response(status=204)
        if name == "empty-200":
            return web.Response(status=200)
        if name in ("big-chunked", "big-length"):
            return await self._big(request, with_length=name == "big-length")
        raise web.HTTPNotFound()

    async def _big(self, request: web.Request, *, with_length: bool) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        if with_length:
            response.content_length = BIG
        else:
            response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"[" + b"0," * (512 * 1024 - 1)
        try:
            while self.sent_bytes < BIG:
                await response.write(chunk)
                self.sent_bytes += len(chunk)
        except (ConnectionError, RuntimeError):
            pass  # the client hung up: that is the point
        return response


@pytest.fixture
async def hostile() -> AsyncIterator[HostileServer]:
    server = HostileServer()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


def _local(server: HostileServer, **kwargs: Any) -> AsyncPlane:
    kwargs.setdefault("retry_backoff", (0.001, 0.01))
    return _client(base_url=server.base_url, **kwargs)


async def test_gzip_bodies_are_decoded(hostile: HostileServer) -> None:
    async with _local(hostile) as plane:
        body = await plane.request("GET", "gzip/")
    assert body["results"][0]["name"] == "x" * 5000


async def test_a_body_that_claims_gzip_but_is_not_is_a_transport_error(
    hostile: HostileServer,
) -> None:
    async with _local(hostile, max_retries=1) as plane:
        with pytest.raises(TransportError):
            await plane.request("GET", "bad-gzip/")
    assert hostile.counts["bad-gzip"] == 2  # a GET is retried once, then the error is typed


async def test_an_html_error_page_from_a_proxy_is_a_server_error(hostile: HostileServer) -> None:
    async with _local(hostile, max_retries=2) as plane:
        with pytest.raises(ServerError) as info:
            await plane.request("GET", "html-502/")
    err = info.value
    assert err.status == 502 and "502 Bad Gateway" in str(err)
    assert isinstance(err.body, str)  # kept as text, not a JSON crash
    assert hostile.counts["html-502"] == 3


async def test_an_html_200_is_a_decode_error_not_data(hostile: HostileServer) -> None:
    async with _local(hostile, max_retries=1) as plane:
        with pytest.raises(ResponseDecodeError) as info:
            await plane.request("GET", "html-200/")
    assert info.value.status == 200 and "not valid JSON" in str(info.value)


async def test_a_plain_text_400_keeps_its_text(hostile: HostileServer) -> None:
    from plane_async._errors import BadRequestError

    async with _local(hostile) as plane:
        with pytest.raises(BadRequestError) as info:
            await plane.request("POST", "not-json-400/", json={"a": 1})
    assert "Bad Request (400)" in str(info.value)


@pytest.mark.parametrize(("method", "name"), [("DELETE", "empty"), ("GET", "empty-200")])
async def test_empty_bodies_are_none(hostile: HostileServer, method: str, name: str) -> None:
    async with _local(hostile) as plane:
        assert await plane.request(method, f"{name}/") is None


@pytest.mark.parametrize("name", ["big-chunked", "big-length"])
async def test_a_50_mb_body_is_refused_without_reading_it(
    hostile: HostileServer, name: str
) -> None:
    limit = 2 * 1024 * 1024
    async with _local(hostile, max_response_bytes=limit, max_retries=3) as plane:
        with pytest.raises(ResponseTooLargeError) as info:
            await plane.request("GET", f"{name}/")
    assert f"max_response_bytes={limit}" in str(info.value)
    assert hostile.counts[name] == 1  # not retried: it would be as large again
    # The client hung up early: far less than 50 MB crossed the socket.
    assert hostile.sent_bytes < BIG // 2
