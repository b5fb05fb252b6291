"""The transport as a user sees it through AsyncPlane: headers, retries, errors, secrets."""

from __future__ import annotations

import asyncio
import gzip
import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aioresponses import CallbackResult, aioresponses

from plane_async import AsyncPlane, RateLimit
from plane_async._errors import (
    APIError,
    AuthenticationError,
    ClientClosedError,
    InvalidAPIKeyError,
    PlaneValueError,
    RateLimitError,
    RequestTimeoutError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    TransportError,
)
from tests.support import vclock

KEY = "plane_api_0123456789abcdef0123456789abcdef"
BASE = "https://plane.test"
ME = f"{BASE}/api/v1/users/me/"
RATE_LIMITED = {"error_code": 5900, "error_message": "RATE_LIMIT_EXCEEDED"}
ME_BODY = {"id": "88443cc8-51b0-4591-9593-79be51aa5ba6", "display_name": "ada"}


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


def client(**kw: Any) -> AsyncPlane:
    kw.setdefault("rate_limit", RateLimit(1000, 1.0))
    return AsyncPlane(api_key=KEY, workspace="acme", base_url=BASE, **kw)


def sent(m: aioresponses, method: str = "GET", url: str = ME) -> list[Any]:
    from yarl import URL

    return m.requests.get((method, URL(url)), [])


def test_sends_key_user_agent_and_trailing_slash(mocked: aioresponses) -> None:
    mocked.get(ME, payload=ME_BODY)

    async def main() -> Any:
        async with client() as plane:
            return await plane.request("GET", "users/me")

    assert vclock.run(main()) == ME_BODY
    (call,) = sent(mocked)
    assert call.kwargs["headers"]["X-API-Key"] == KEY
    assert re.match(r"plane-async/\d", call.kwargs["headers"]["User-Agent"])
    assert call.kwargs["allow_redirects"] is False


def test_503_then_success_is_retried_for_get(mocked: aioresponses) -> None:
    mocked.get(ME, status=503, body="<html>busy</html>")
    mocked.get(ME, status=503, body="<html>busy</html>")
    mocked.get(ME, payload=ME_BODY)

    async def main() -> Any:
        async with client() as plane:
            return await plane.request("GET", "users/me/")

    assert vclock.run(main()) == ME_BODY
    assert len(sent(mocked)) == 3


def test_retries_are_bounded_and_the_error_says_how_many(mocked: aioresponses) -> None:
    for _ in range(3):
        mocked.get(ME, status=503, body="<html><body>Service Unavailable</body></html>")

    async def main() -> None:
        async with client(max_retries=2) as plane:
            await plane.request("GET", "users/me/")

    with pytest.raises(ServerError) as info:
        vclock.run(main())
    assert info.value.status == 503 and info.value.attempts == 3
    assert "Service Unavailable" in str(info.value)
    assert len(sent(mocked)) == 3


@pytest.mark.parametrize("method", ["DELETE", "PATCH"])
@pytest.mark.parametrize("status", [502, 504])
def test_delete_and_patch_are_retried_on_gateway_errors(
    mocked: aioresponses, method: str, status: int
) -> None:
    url = f"{BASE}/api/v1/workspaces/acme/projects/p/"
    mocked.add(url, method, status=status, body="<html>gateway</html>")
    mocked.add(url, method, status=200, payload={"id": "p"})

    async def main() -> Any:
        async with client() as plane:
            return await plane.request(method, "workspaces/acme/projects/p/", json={"a": 1})

    assert vclock.run(main()) == {"id": "p"}
    assert len(sent(mocked, method, url)) == 2


def test_post_is_not_retried_on_503_unless_opted_in(mocked: aioresponses) -> None:
    url = f"{BASE}/api/v1/workspaces/acme/projects/"
    mocked.post(url, status=503)
    mocked.post(url, status=201, payload={"id": "x"})

    async def once(**kw: Any) -> Any:
        async with client(**kw) as plane:
            return await plane.request("POST", "workspaces/acme/projects/", json={"name": "A"})

    with pytest.raises(ServerError):
        vclock.run(once())
    assert len(sent(mocked, "POST", url)) == 1

    mocked.post(url, status=503)
    mocked.post(url, status=201, payload={"id": "x"})
    assert vclock.run(once(retry_post=True)) == {"id": "x"}


def test_500_is_retried_within_max_retries_then_keeps_its_message(mocked: aioresponses) -> None:
    for _ in range(2):
        mocked.get(ME, status=500, payload={"error": "Something went wrong please try again later"})

    async def main() -> None:
        async with client(max_retries=1) as plane:
            await plane.request("GET", "users/me/")

    with pytest.raises(ServerError, match="Something went wrong"):
        vclock.run(main())
    assert len(sent(mocked)) == 2


def test_connection_reset_is_retried_for_get(mocked: aioresponses) -> None:
    mocked.get(ME, exception=aiohttp.ServerDisconnectedError())
    mocked.get(ME, payload=ME_BODY)

    async def main() -> Any:
        async with client() as plane:
            return await plane.request("GET", "users/me/")

    assert vclock.run(main()) == ME_BODY


def test_connection_reset_on_post_surfaces_without_repeat(mocked: aioresponses) -> None:
    url = f"{BASE}/api/v1/workspaces/acme/projects/"
    mocked.post(url, exception=aiohttp.ServerDisconnectedError())
    mocked.post(url, payload={"id": "dup"})

    async def main() -> None:
        async with client() as plane:
            await plane.request("POST", "workspaces/acme/projects/", json={"name": "A"})

    with pytest.raises(TransportError) as info:
        vclock.run(main())
    assert info.value.method == "POST" and info.value.attempts == 1
    assert isinstance(info.value.__cause__, aiohttp.ServerDisconnectedError)
    assert len(sent(mocked, "POST", url)) == 1


def test_timeouts_become_request_timeout_error(mocked: aioresponses) -> None:
    for _ in range(2):
        mocked.get(ME, exception=TimeoutError())

    async def main() -> None:
        async with client(max_retries=1) as plane:
            await plane.request("GET", "users/me/")

    with pytest.raises(RequestTimeoutError) as info:
        vclock.run(main())
    assert isinstance(info.value, TimeoutError) and info.value.attempts == 2


def test_429_waits_retry_after_then_succeeds(mocked: aioresponses) -> None:
    mocked.get(ME, status=429, headers={"Retry-After": "7"}, payload=RATE_LIMITED)
    mocked.get(ME, payload=ME_BODY)

    async def main() -> tuple[Any, float]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        async with client() as plane:
            body = await plane.request("GET", "users/me/")
        return body, loop.time() - start

    body, waited = vclock.run(main())
    assert body == ME_BODY
    assert waited >= 7.0


def test_429_for_post_is_retried_too(mocked: aioresponses) -> None:
    url = f"{BASE}/api/v1/workspaces/acme/projects/"
    mocked.post(url, status=429, headers={"Retry-After": "1"})
    mocked.post(url, status=201, payload={"id": "p"})

    async def main() -> Any:
        async with client() as plane:
            return await plane.request("POST", "workspaces/acme/projects/", json={"name": "A"})

    assert vclock.run(main()) == {"id": "p"}


def test_429_when_retries_run_out_is_a_rate_limit_error(mocked: aioresponses) -> None:
    for _ in range(2):
        mocked.get(ME, status=429, headers={"Retry-After": "3"}, payload=RATE_LIMITED)

    async def main() -> None:
        async with client(max_retries=1) as plane:
            await plane.request("GET", "users/me/")

    with pytest.raises(RateLimitError) as info:
        vclock.run(main())
    assert info.value.retry_after == 3.0 and info.value.status == 429


def test_empty_204_body_is_none(mocked: aioresponses) -> None:
    url = f"{BASE}/api/v1/workspaces/acme/projects/p/"
    mocked.delete(url, status=204, body="")

    async def main() -> Any:
        async with client() as plane:
            return await plane.request("DELETE", "workspaces/acme/projects/p/")

    assert vclock.run(main()) is None


def test_html_on_200_is_a_decode_error_after_retries(mocked: aioresponses) -> None:
    for _ in range(2):
        mocked.get(ME, status=200, body="<html>proxy login</html>", content_type="text/html")

    async def main() -> None:
        async with client(max_retries=1) as plane:
            await plane.request("GET", "users/me/")

    with pytest.raises(ResponseDecodeError, match="not valid JSON") as info:
        vclock.run(main())
    assert info.value.body == "<html>proxy login</html>"


def test_redirect_is_not_followed(mocked: aioresponses) -> None:
    mocked.get(ME, status=301, headers={"Location": "https://elsewhere.test/"}, body="")

    async def main() -> None:
        async with client() as plane:
            await plane.request("GET", "users/me/")

    with pytest.raises(APIError) as info:
        vclock.run(main())
    assert info.value.status == 301


def test_oversized_body_is_refused(mocked: aioresponses) -> None:
    mocked.get(ME, body=b"[" + b"1," * 5000 + b"1]")

    async def main() -> None:
        async with client(max_response_bytes=1000) as plane:
            await plane.request("GET", "users/me/")

    with pytest.raises(ResponseTooLargeError, match="max_response_bytes"):
        vclock.run(main())


CAP = 100_000


def _json_of_size(size: int) -> bytes:
    return b'"' + b"x" * (size - 2) + b'"'


async def _sized(request: web.Request) -> web.StreamResponse:
    """A JSON body of exactly ``size`` bytes, with a Content-Length, chunked or gzipped."""
    size = int(request.match_info["size"])
    body = _json_of_size(size)
    mode = request.match_info["mode"]
    if mode == "gzip":  # a few hundred bytes on the wire, ``size`` once decoded
        return web.Response(body=gzip.compress(body), headers={"Content-Encoding": "gzip"})
    response = web.StreamResponse()
    if mode == "length":
        response.content_length = size
    else:
        response.enable_chunked_encoding()
    await response.prepare(request)
    for start in range(0, size, 7000):
        await response.write(body[start : start + 7000])
    await response.write_eof()
    return response


@pytest.fixture
async def sized_server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/api/v1/{mode}/{size}/", _sized)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("mode", ["length", "chunked", "gzip"])
async def test_a_body_up_to_max_response_bytes_is_read_and_one_byte_more_is_refused(
    sized_server: str, mode: str
) -> None:
    async with AsyncPlane(
        api_key=KEY, base_url=sized_server, allow_insecure_http=True, max_response_bytes=CAP
    ) as plane:
        assert await plane.request("GET", f"{mode}/{CAP}/") == "x" * (CAP - 2)
        with pytest.raises(ResponseTooLargeError, match=f"max_response_bytes={CAP}"):
            await plane.request("GET", f"{mode}/{CAP + 1}/")
        # A compressed body is held to the cap once decoded, not by its size on the wire.
        with pytest.raises(ResponseTooLargeError, match=f"max_response_bytes={CAP}"):
            await plane.request("GET", f"{mode}/{CAP * 20}/")


def test_auth_errors_are_typed_and_not_retried(mocked: aioresponses) -> None:
    mocked.get(ME, status=401, payload={"detail": "Authentication credentials were not provided."})
    mocked.get(ME, status=403, payload={"detail": "Given API token is not valid"})

    async def main() -> list[BaseException]:
        errors: list[BaseException] = []
        async with client() as plane:
            for _ in range(2):
                try:
                    await plane.request("GET", "users/me/")
                except APIError as exc:
                    errors.append(exc)
        return errors

    first, second = vclock.run(main())
    assert isinstance(first, AuthenticationError)
    assert isinstance(second, InvalidAPIKeyError)
    assert len(sent(mocked)) == 2


def test_the_key_appears_in_no_error_repr_or_log(
    mocked: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    mocked.get(ME, status=503)
    mocked.get(ME, exception=aiohttp.ServerDisconnectedError())
    mocked.get(ME, status=403, payload={"detail": "Given API token is not valid"})
    caplog.set_level(logging.DEBUG, logger="plane_async")

    async def main() -> tuple[str, BaseException]:
        async with client() as plane:
            try:
                await plane.request("GET", "users/me/")
            except APIError as exc:
                return repr(plane) + repr(plane._transport), exc
        raise AssertionError("expected an error")

    reprs, exc = vclock.run(main())
    assert isinstance(exc, InvalidAPIKeyError)
    texts = [reprs, str(exc), repr(exc), str(exc.headers), caplog.text]
    assert caplog.records, "DEBUG logging should describe the requests"
    for text in texts:
        assert KEY not in text


def test_closed_client_refuses_new_calls(mocked: aioresponses) -> None:
    async def main() -> None:
        plane = client()
        await plane.aclose()
        await plane.aclose()  # idempotent
        await plane.request("GET", "users/me/")

    with pytest.raises(ClientClosedError, match="closed"):
        vclock.run(main())


def test_callers_session_is_used_and_never_closed(mocked: aioresponses) -> None:
    mocked.get(ME, payload=ME_BODY)

    async def main() -> bool:
        async with aiohttp.ClientSession() as session:
            async with client(session=session) as plane:
                await plane.request("GET", "users/me/")
            return session.closed

    assert vclock.run(main()) is False


def test_session_is_created_lazily_inside_the_loop() -> None:
    plane = client()  # no running loop needed to construct
    assert plane._transport.http._session is None


def test_per_call_timeout_is_passed_to_aiohttp(mocked: aioresponses) -> None:
    seen: dict[str, Any] = {}

    def callback(url: Any, **kwargs: Any) -> CallbackResult:
        seen.update(kwargs)
        return CallbackResult(payload=ME_BODY)

    mocked.get(ME, callback=callback)

    async def main() -> None:
        async with client() as plane:
            await plane.request("GET", "users/me/", timeout=2.5)

    vclock.run(main())
    assert seen["timeout"].total == 2.5


def test_query_params_are_encoded(mocked: aioresponses) -> None:
    url = f"{BASE}/api/v1/workspaces/acme/projects/?fields=id,name&per_page=2"
    mocked.get(url, payload={"results": []})

    async def main() -> Any:
        async with client() as plane:
            return await plane.request(
                "GET", "workspaces/acme/projects/", params={"per_page": 2, "fields": ["id", "name"]}
            )

    assert vclock.run(main()) == {"results": []}


def test_the_clients_timeout_applies_to_a_callers_session_too(mocked: aioresponses) -> None:
    seen: list[Any] = []

    def callback(url: Any, **kwargs: Any) -> CallbackResult:
        seen.append(kwargs["timeout"])
        return CallbackResult(payload=ME_BODY)

    mocked.get(ME, callback=callback, repeat=True)

    async def main() -> None:
        # the caller's session has aiohttp's 5-minute default; the client says 12 s
        async with aiohttp.ClientSession() as session:
            plane = client(session=session, timeout=12.0, connect_timeout=3.0)
            async with plane:
                await plane.request("GET", "users/me/")
                await plane.request("GET", "users/me/", timeout=2.0)

    vclock.run(main())
    per_client, per_call = seen
    assert (per_client.total, per_client.connect) == (12.0, 3.0)
    assert (per_call.total, per_call.connect) == (2.0, 2.0)


@pytest.mark.parametrize("bad", [0, -1.0, "5", float("nan")])
def test_a_bad_per_call_timeout_is_refused_before_sending(
    mocked: aioresponses, bad: object
) -> None:
    async def main() -> None:
        async with client() as plane:
            await plane.request("GET", "users/me/", timeout=bad)  # type: ignore[arg-type]

    with pytest.raises(PlaneValueError, match="timeout"):
        vclock.run(main())
    assert sent(mocked) == []


def test_tls_verification_and_proxy_are_settable(mocked: aioresponses) -> None:
    mocked.get(ME, payload=ME_BODY)

    async def main() -> bool:
        async with client(verify_ssl=False, proxy="http://proxy.internal:3128") as plane:
            await plane.request("GET", "users/me/")
            session = plane._transport.http._session
            assert session is not None
            return bool(session.connector._ssl)  # type: ignore[union-attr]

    assert vclock.run(main()) is False
    (call,) = sent(mocked)
    assert call.kwargs["proxy"] == "http://proxy.internal:3128"


def test_debug_log_shows_method_path_status_elapsed_and_remaining_quota(
    mocked: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    mocked.get(ME, payload=ME_BODY, headers={"X-RateLimit-Remaining": "41"})
    mocked.get(ME, payload=ME_BODY)  # no rate headers: the client's own count is shown,
    # which the first response brought down to the server's 41 (another user of the key)
    caplog.set_level(logging.DEBUG, logger="plane_async")

    async def main() -> None:
        async with client(rate_limit=RateLimit(60, 60.0)) as plane:
            await plane.request("GET", "users/me/")
            await plane.request("GET", "users/me/")

    vclock.run(main())
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(lines) == 2
    assert re.fullmatch(r"GET users/me/ -> 200 in \d+\.\d ms \(remaining 41\)", lines[0])
    assert re.fullmatch(
        r"GET users/me/ -> 200 in \d+\.\d ms \(remaining 40 by the client's count\)", lines[1]
    )
    assert all(KEY not in line for line in lines)
