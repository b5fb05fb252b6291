"""The programs in examples/, run as a user runs them: in their own process, against FakePlane."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import re
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from plane_async import (
    BadRequestError,
    InvalidAPIKeyError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TransportError,
    WaitBudgetExceededError,
)
from plane_async.testing import FakePlane, Seed
from tests.support.subprocess_helpers import ROOT, TROUBLE, plane_env, run_python

# runs the example programs in their own processes (uvicorn among them)
pytestmark = pytest.mark.slow

EXAMPLES = ROOT / "examples"


async def test_etl_export_writes_every_work_item_once_and_resumes(tmp_path: Path) -> None:
    async with FakePlane(seed=Seed(projects=2, issues_per_project=130)) as server:
        out = tmp_path / "work-items.jsonl"
        env = plane_env(server)
        code, stdout, stderr = await run_python([str(EXAMPLES / "etl_export.py"), str(out)], env)
        assert code == 0, stderr
        assert "260 work items written" in stdout and stderr == ""
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        ids = [row["item"]["id"] for row in rows]
        assert len(ids) == len(set(ids)) == 260 == len(server.store.issues)
        assert all(row["state_name"] == row["item"]["state"]["name"] for row in rows)
        # a second run finds every project done: nothing written twice
        code, stdout, _ = await run_python([str(EXAMPLES / "etl_export.py"), str(out)], env)
        assert code == 0 and "0 work items written" in stdout
        assert len(out.read_text().splitlines()) == 260


async def test_etl_export_stops_with_the_cursor_and_continues_on_the_next_run(
    tmp_path: Path,
) -> None:
    # One 503 in four, no retries: each run stops at a failed page, the next one goes on
    # from the checkpoint, until the export completes with every item once.
    async with FakePlane(seed=Seed(projects=2, issues_per_project=450), fail_rate_503=0.25,
                         fault_seed=3) as server:  # fmt: skip
        out = tmp_path / "work-items.jsonl"
        args = [str(EXAMPLES / "etl_export.py"), str(out), "--max-retries", "0"]
        stops: list[str] = []
        for _ in range(40):
            code, _, stderr = await run_python(args, plane_env(server))
            if code == 0:
                break
            assert code == 1 and "export stopped: ServerError" in stderr, stderr
            stops.append(stderr)
        assert code == 0, stderr
        # some runs stopped in the middle of a project, at a page they name
        assert len(stops) >= 2 and any("resume from cursor 100:" in e for e in stops), stops
        ids = [json.loads(line)["item"]["id"] for line in out.read_text().splitlines()]
        assert len(ids) == len(set(ids)) == 900


async def test_fanout_reports_each_lookup_on_its_own() -> None:
    async with FakePlane(seed=Seed(projects=1, issues_per_project=30)) as server:
        idents = [f"WEB-{n}" for n in range(1, 21)] + ["WEB-999", "NOPE-1"]
        code, stdout, stderr = await run_python([str(EXAMPLES / "fanout.py"), *idents],
                                                plane_env(server))  # fmt: skip
        assert code == 0, stderr
        assert stderr == ""
        assert "WEB-999: NotFoundError (404)" in stdout
        assert "NOPE-1: PermissionDeniedError (403)" in stdout
        assert "20 found, 2 not found" in stdout
        assert all(r.status != 429 for r in server.requests)


# ------------------------------------------------------------------ the FastAPI app


def _load_app_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fastapi_app", EXAMPLES / "fastapi_app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _error(cls: type[Any], status: int, body: Any = None, **headers: str) -> Any:
    return cls("msg", status=status, method="GET", url="http://x/", body=body, headers=headers)


@pytest.mark.parametrize(
    ("exc", "status", "detail", "retry_after"),
    [
        (_error(BadRequestError, 400, {"name": ["required"]}), 400,
         {"message": "msg", "field_errors": {"name": ["required"]}}, None),
        (_error(RateLimitError, 429, None, **{"Retry-After": "6.2"}), 429, "msg", "7"),
        (_error(InvalidAPIKeyError, 403), 502, "the service's Plane API key was refused", None),
        (_error(ServerError, 503), 502, "msg", None),
        (TransportError("connection reset"), 502, "Plane could not be reached: connection reset",
         None),
        (RequestTimeoutError("timed out"), 504, "timed out", None),
        (WaitBudgetExceededError("busy", retry_after=12.2, budget=10.0, sent=False), 503,
         "busy", "13"),
        (WaitBudgetExceededError("busy", retry_after=0.0, budget=10.0, sent=False), 503,
         "busy", "1"),
    ],
)  # fmt: skip
def test_the_app_maps_plane_errors_to_http(
    exc: Exception, status: int, detail: Any, retry_after: str | None
) -> None:
    response = _load_app_module().error_response(exc)
    assert response.status_code == status
    assert json.loads(response.body) == {"detail": detail}
    assert response.headers.get("retry-after") == retry_after


@contextlib.asynccontextmanager
async def _uvicorn(env: dict[str, str]) -> AsyncIterator[tuple[str, list[str]]]:
    """The example app under a real uvicorn on loopback; yields its URL and its log lines,
    and stops it with SIGINT (Ctrl+C) as a user does."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-W", "error", "-m", "uvicorn", "--app-dir", str(EXAMPLES),
        "fastapi_app:app", "--host", "127.0.0.1", "--port", "0",
        env=env, cwd=ROOT, stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stderr is not None
    log: list[str] = []
    try:
        url = None
        while url is None:
            line = (await asyncio.wait_for(proc.stderr.readline(), 60)).decode()
            assert line, f"uvicorn exited: {''.join(log)}"
            log.append(line)
            if found := re.search(r"running on (http://127\.0\.0\.1:\d+)", line):
                url = found.group(1)
        drain = asyncio.create_task(_drain(proc.stderr, log))
        yield url, log
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 30) == 0, "".join(log)
        await drain
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def _drain(stream: asyncio.StreamReader, log: list[str]) -> None:
    while line := await stream.readline():
        log.append(line.decode())


async def test_fastapi_app_under_uvicorn_serves_100_concurrent_requests() -> None:
    async with FakePlane(seed=Seed(projects=1, issues_per_project=300),
                         rate_limit=(600, 60.0)) as server:  # fmt: skip
        project = next(iter(server.store.projects.values()))
        pid = project.id
        issue_ids = [i.id for i in server.store.issues.values()][:70]
        env = plane_env(server, PLANE_RATE_LIMIT="600")
        async with _uvicorn(env) as (url, log):
            # Plane's webhooks for the writes below go to the app while it serves them
            server.webhooks.add(f"{url}/plane/webhook", env["PLANE_WEBHOOK_SECRET"])
            limits = httpx.Limits(max_connections=100)
            async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as http:
                # (expected status, method, path, JSON body)
                calls: list[tuple[int, str, str, Any]] = []
                for iid in issue_ids:
                    calls.append((200, "GET", f"/projects/{pid}/issues/{iid}", None))
                for k in range(10):
                    calls.append((200, "GET", f"/projects/{pid}/issues?cursor=20:{k}:0", None))
                for k in range(5):
                    new = {"name": f"from the app {k}", "priority": "high"}
                    calls.append((201, "POST", f"/projects/{pid}/issues", new))
                for k in range(5):
                    path = f"/projects/{pid}/imports/jira/J-{k % 2}"
                    calls.append((200, "PUT", path, {"name": f"imported {k}"}))
                for _ in range(4):
                    calls.append((404, "GET", f"/projects/{pid}/issues/{uuid.uuid4()}", None))
                bad_state = {"name": "x", "state": str(uuid.uuid4())}
                calls.append((400, "POST", f"/projects/{pid}/issues", bad_state))
                calls.append((422, "POST", f"/projects/{pid}/issues", {"name": ""}))
                calls.append((400, "GET", f"/projects/{pid}/issues?cursor=abc", None))
                calls.append((403, "GET", f"/projects/{uuid.uuid4()}/issues", None))
                calls.append((200, "GET", f"/projects/{pid}/issues.ndjson", None))
                calls.append((200, "GET", "/openapi.json", None))
                assert len(calls) == 100
                responses = await asyncio.gather(
                    *(http.request(method, path, json=body) for _, method, path, body in calls)
                )

            for (expected, *_), response in zip(calls, responses, strict=True):
                assert response.status_code == expected, (response.request.url, response.text)
            got = {r.json()["id"] for r in responses[:70]}
            assert got == {str(i) for i in issue_ids}
            assert all(len(r.json()["results"]) == 20 for r in responses[70:80])
            assert responses[94].json()["detail"]["field_errors"]  # Plane's 400, by field
            export = [json.loads(line) for line in responses[98].text.splitlines()]
            assert len(export) >= 300 and len({row["id"] for row in export}) == len(export)
            assert "resume_cursor" in responses[99].text  # Page[Issue] in the OpenAPI schema

            await server.webhooks.join()
            assert server.webhooks.deliveries
            assert all(d.status == 200 for d in server.webhooks.deliveries)
            async with httpx.AsyncClient(base_url=url) as http:
                recent = (await http.get("/plane/recent-events")).json()
                unsigned = await http.post("/plane/webhook", content=b"{}")
            created = {e["name"] for e in recent if e["action"] == "created"}
            assert {f"from the app {k}" for k in range(5)} <= created
            assert unsigned.status_code == 401

        assert [r.status for r in server.requests if r.status == 429] == []
        imported = [i for i in server.store.issues.values() if i.external_source == "jira"]
        assert len(imported) == 2  # upserts: two external ids, never a duplicate
    text = "".join(log)
    assert "Finished server process" in text
    assert not [word for word in TROUBLE if word in text], text
