"""``FakePlane.client()``: the client's requests handed to the fake's pipeline in the same
process (no socket, no port), so whole flows run on the virtual clock."""

from __future__ import annotations

import asyncio
import io

import pytest

from plane_async import (
    AsyncPlane,
    InvalidAPIKeyError,
    RateLimit,
    ResponseTooLargeError,
    TransportError,
)
from plane_async.testing import FakePlane, Seed
from tests.support import vclock

SEED = Seed(issues_per_project=25)


def first_project(server: FakePlane) -> str:
    return next(iter(server.store.projects))


def test_a_whole_flow_runs_without_a_socket_on_the_virtual_clock() -> None:
    async def main() -> tuple[float, list[str], FakePlane]:
        loop = asyncio.get_running_loop()
        server = FakePlane(seed=SEED, latency=2.0, listen=False)
        async with server, server.client() as plane:
            started = loop.time()
            pid = first_project(server)
            names = [i.name async for i in plane.issues.list(pid, per_page=10)]
            made = await plane.issues.create(pid, name="Written in process")
            assert (await plane.issues.get(pid, made.id)).name == "Written in process"
            await plane.issues.delete(pid, made.id)
            return loop.time() - started, names, server

    took, names, server = vclock.run(main())
    assert len(names) == 25
    # three pages, a create, a get and a delete: 2 s of (virtual) latency each
    assert took == pytest.approx(6 * 2.0)
    assert [(r.method, r.status) for r in server.requests] == [
        ("GET", 200), ("GET", 200), ("GET", 200), ("POST", 201), ("GET", 200), ("DELETE", 204),
    ]  # fmt: skip
    assert server.base_url == "http://fakeplane.invalid" and not server.listening
    assert server.errors == []


def test_the_rate_limit_and_its_headers_hold_in_process() -> None:
    async def main() -> tuple[float, FakePlane, AsyncPlane]:
        loop = asyncio.get_running_loop()
        server = FakePlane(seed=SEED, rate_limit=(3, 10.0), listen=False)
        async with server, server.client() as plane:  # follows X-RateLimit-* of the fake
            started = loop.time()
            for _ in range(7):
                await plane.users.me()
            return loop.time() - started, server, plane

    took, server, plane = vclock.run(main())
    # 3 per 10 s: the 4th and 7th requests wait for a new window, on the virtual clock
    assert took >= 20.0 and server.max_in_window <= 3
    assert plane.stats.requests == 7 and plane.stats.rate_limited <= 1


def test_a_429_burst_is_waited_out_and_retried() -> None:
    async def main() -> tuple[float, list[int]]:
        loop = asyncio.get_running_loop()
        async with FakePlane(seed=SEED, burst_429=1, listen=False) as server:
            server.faults.burst_retry_after = 30
            async with server.client() as plane:
                started = loop.time()
                await plane.users.me()
                return loop.time() - started, [r.status for r in server.requests]

    took, statuses = vclock.run(main())
    assert statuses == [429, 200] and took >= 30.0


@pytest.mark.parametrize(
    ("fault", "message"),
    [("reset_rate", "ServerDisconnectedError"), ("truncate_rate", "ClientPayloadError")],
)
def test_a_broken_connection_raises_what_aiohttp_raises_after_the_retries(
    fault: str, message: str
) -> None:
    async def main() -> tuple[TransportError, list[tuple[int, str | None]]]:
        server = FakePlane(seed=SEED, listen=False, **{fault: 1.0})  # type: ignore[arg-type]
        async with server, server.client(max_retries=2) as plane:
            with pytest.raises(TransportError, match=message) as info:
                await plane.users.me()
            return info.value, [(r.status, r.fault) for r in server.requests]

    error, seen = vclock.run(main())
    assert error.attempts == 3 and len(seen) == 3
    assert {fault_name for _, fault_name in seen} == {fault.removesuffix("_rate")}


def test_a_server_that_is_not_running_takes_no_rate_limit_slot() -> None:
    async def main() -> tuple[TransportError, int]:
        server = await FakePlane(seed=SEED, listen=False).start()
        async with server.client(rate_limit=RateLimit(5, 60.0), max_retries=1) as plane:
            await server.close()
            with pytest.raises(TransportError, match="not running") as info:
                await plane.users.me()
            return info.value, plane.quota().remaining

    error, remaining = vclock.run(main())
    assert error.attempts == 2 and remaining == 5  # both attempts gave their slot back


def test_the_client_s_options_and_checks_apply() -> None:
    async def main() -> None:
        async with FakePlane(seed=SEED, listen=False) as server:
            pid = first_project(server)
            async with server.client(max_response_bytes=2000) as plane:
                with pytest.raises(ResponseTooLargeError, match="max_response_bytes=2000"):
                    await plane.issues.list(pid, per_page=25).__anext__()
            async with server.client(api_key="plane_api_" + "0" * 32) as plane:
                with pytest.raises(InvalidAPIKeyError):
                    await plane.users.me()
            other = "http://elsewhere.invalid"
            async with server.client(base_url=other, max_retries=0) as plane:
                with pytest.raises(TransportError, match="in-process FakePlane is at"):
                    await plane.users.me()

    vclock.run(main())


def test_a_server_must_be_started_before_it_gives_a_client() -> None:
    with pytest.raises(RuntimeError, match="start the server first"):
        FakePlane(listen=False).client()


async def test_a_listening_server_s_client_is_in_process_and_files_go_over_http() -> None:
    async with FakePlane(seed=SEED, rate_limit=None) as server, server.client() as plane:
        pid = first_project(server)
        issue = await anext(plane.issues.list(pid))
        assert server.open_connections == 0  # the API calls opened no connection
        attachment = await plane.attachments.upload(pid, issue.id, b"hello", name="a.txt")
        out = io.BytesIO()
        assert await plane.attachments.download(pid, issue.id, attachment.id, out) == 5
        assert out.getvalue() == b"hello"
        assert [r.method for r in server.storage.requests] == ["POST", "GET"]
        assert server.listening and server.base_url.startswith("http://127.0.0.1:")
