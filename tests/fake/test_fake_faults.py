"""Fault injection, latency, the request log and the connection count."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from plane_async.testing import FakePlane, Faults
from tests.fake.test_fake_conformance import Api

ME = "/api/v1/users/me/"


async def test_503_is_a_proxy_html_page_that_changes_nothing() -> None:
    async with FakePlane(fail_rate_503=1.0) as server, aiohttp.ClientSession() as session:
        api = Api(server, session)
        project = next(iter(server.store.projects))
        before = len(server.store.issues)
        status, headers, _ = await api.call(
            "POST", f"/api/v1/workspaces/acme/projects/{project}/work-items/", body={"name": "x"}
        )
        assert status == 503 and headers["Content-Type"].startswith("text/html")
        assert len(server.store.issues) == before
        assert server.requests[-1].fault == "503"


async def test_reset_closes_the_connection_after_the_write_took_effect() -> None:
    async with FakePlane(reset_rate=1.0) as server, aiohttp.ClientSession() as session:
        api = Api(server, session)
        project = next(iter(server.store.projects))
        before = len(server.store.issues)
        with pytest.raises(aiohttp.ClientError):
            await api.call(
                "POST",
                f"/api/v1/workspaces/acme/projects/{project}/work-items/",
                body={"name": "x"},
            )
        assert len(server.store.issues) == before + 1
        record = server.requests[-1]
        assert (record.status, record.fault) == (0, "reset")


async def test_truncated_body_announces_more_than_it_sends() -> None:
    async with FakePlane(truncate_rate=1.0) as server, aiohttp.ClientSession() as session:
        async with session.get(
            server.base_url + ME, headers={"X-API-Key": server.api_key}
        ) as response:
            assert response.status == 200
            with pytest.raises(aiohttp.ClientPayloadError):
                await response.read()
        assert server.requests[-1].fault == "truncate"


async def test_burst_of_429s_starts_after_the_given_number_of_requests() -> None:
    async with FakePlane(burst_429=3, burst_429_after=2) as server, aiohttp.ClientSession() as s:
        api = Api(server, s)
        statuses = []
        for _ in range(7):
            status, _headers, _ = await api.call("GET", ME)
            statuses.append(status)
        assert statuses == [200, 200, 429, 429, 429, 200, 200]
        assert [r.fault for r in server.requests].count("429") == 3


async def test_faults_change_at_run_time_and_are_reproducible() -> None:
    async def run() -> list[int]:
        server = FakePlane(fail_rate_503=0.5, fault_seed=7)
        async with server, aiohttp.ClientSession() as session:
            api = Api(server, session)
            statuses = [(await api.call("GET", ME))[0] for _ in range(20)]
            server.faults.fail_rate_503 = 0.0
            statuses.append((await api.call("GET", ME))[0])
            return statuses

    first, second = await run(), await run()
    assert first == second and 503 in first and 200 in first and first[-1] == 200


async def test_which_request_gets_a_fault_does_not_depend_on_arrival_order() -> None:
    # Concurrent requests reach the server in any order; the faults each one gets, and
    # those of its retries, are the same whatever that order is.
    async def run(order: list[int]) -> dict[tuple[str, int], str | None]:
        server = FakePlane(fail_rate_503=0.5, fault_seed=7)
        async with server, aiohttp.ClientSession() as session:
            api = Api(server, session)
            for n in order:
                await api.call("GET", ME, query={"n": n})
        seen: dict[tuple[str, int], str | None] = {}
        arrivals: dict[str, int] = {}
        for record in server.requests:
            n = record.query["n"]
            arrivals[n] = arrivals.get(n, 0) + 1
            seen[n, arrivals[n]] = record.fault
            planned = server.faults.planned("GET", ME, record.query, arrivals[n])
            assert record.fault == planned  # the plan says what the server does
        return seen

    forward = list(range(12)) * 2  # each request twice: a first try and a retry
    first = await run(forward)
    assert first == await run(forward[::-1])
    assert set(first.values()) == {"503", None}


async def test_a_request_of_the_429_burst_gets_no_other_fault() -> None:
    async with FakePlane(burst_429=2, reset_rate=1.0) as server, aiohttp.ClientSession() as s:
        api = Api(server, s)
        assert [(await api.call("GET", ME))[0] for _ in range(2)] == [429, 429]
        with pytest.raises(aiohttp.ClientError):
            await api.call("GET", ME)
        faults = [r.fault for r in server.requests]
        # (a plain aiohttp session re-sends a GET once on a dropped connection)
        assert faults[:2] == ["429", "429"] and set(faults[2:]) == {"reset"}


def test_latency_is_base_plus_seeded_jitter() -> None:
    faults = Faults(latency=0.02, latency_jitter=0.01, random_seed=3)
    delays = [faults.delay() for _ in range(50)]
    assert all(0.02 <= d <= 0.03 for d in delays) and len(set(delays)) > 1
    assert Faults(latency=0.02, latency_jitter=0.01, random_seed=3).delay() == delays[0]


async def test_latency_delays_but_does_not_change_answers() -> None:
    server = FakePlane(latency=0.01, latency_jitter=0.01)
    async with server, aiohttp.ClientSession() as session:
        status, _, body = await Api(server, session).call("GET", ME)
    assert status == 200 and body["display_name"] == "alice"


async def test_request_log_records_method_path_query_status_and_time() -> None:
    async with FakePlane() as server, aiohttp.ClientSession() as session:
        api = Api(server, session)
        await api.call("GET", "/api/v1/workspaces/acme/projects/", query={"per_page": 2})
        await api.call("GET", ME, key=None)
    first, second = server.requests
    assert (first.method, first.path, dict(first.query), first.status) == (
        "GET",
        "/api/v1/workspaces/acme/projects/",
        {"per_page": "2"},
        200,
    )
    assert second.status == 401 and second.time >= first.time


async def test_open_connections_counts_client_sockets() -> None:
    async with FakePlane() as server:
        assert server.open_connections == 0
        async with aiohttp.ClientSession() as session:
            await Api(server, session).call("GET", ME)
            assert server.open_connections == 1
        for _ in range(100):  # the server notices the close on its next loop turns
            if server.open_connections == 0:
                break
            await asyncio.sleep(0.01)
        assert server.open_connections == 0


async def test_start_and_close_explicitly_and_close_is_idempotent() -> None:
    server = FakePlane()
    assert "not started" in repr(server) and server.api_key not in repr(server)
    await server.start()
    assert server.base_url.startswith("http://127.0.0.1:")
    assert server.api_key.startswith("plane_api_") and len(server.api_key) == 42
    await server.close()
    await server.close()
