"""Shared helpers for the per-namespace tests: a client on aioresponses, recorded fixtures,
and what the client sent. (The ``mocked`` fixture is in tests/conftest.py.)"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from aioresponses import aioresponses
from yarl import URL

from plane_async import AsyncPlane, RateLimit
from plane_async.testing import FakePlane
from tests.support import vclock

T = TypeVar("T")

KEY = "plane_api_0123456789abcdef0123456789abcdef"
HOST = "https://plane.test"
BASE = f"{HOST}/api/v1/"
WS = f"{BASE}workspaces/acme/"
PID = "90c8a8c4-5082-40e9-b5dd-5c964aa7fb7b"
#: the project's path (as the requests show it)
PROJECT = f"/api/v1/workspaces/acme/projects/{PID}/"
#: the work item of the recorded comments, links and activities
IID = "9ce1388a-70eb-428d-b3a5-7e4138c13b88"
#: the first work item of the recorded list pages
ISSUE_ID = "86f3bc45-4af1-4464-aaa8-0a5bc9432e64"
#: the recordings' user
USER = "88443cc8-51b0-4591-9593-79be51aa5ba6"
FIXTURES = Path(__file__).parents[1] / "fixtures"


def client(**kw: Any) -> AsyncPlane:
    kw.setdefault("rate_limit", RateLimit(1000, 1.0))
    return AsyncPlane(api_key=KEY, workspace="acme", base_url=HOST, **kw)


def run(call: Callable[[AsyncPlane], Awaitable[T]], **kw: Any) -> T:
    """Run ``call(plane)`` on a virtual clock with a fresh client (``kw`` for the client)."""

    async def main() -> T:
        async with client(**kw) as plane:
            return await call(plane)

    return vclock.run(main())


async def collect(gen: AsyncIterator[T]) -> list[T]:
    return [x async for x in gen]


def fixture_body(name: str) -> Any:
    """The recorded response body of tests/fixtures/``name`` (``name`` with ``.json``)."""
    return json.loads((FIXTURES / name).read_text())["body"]


def url(path: str) -> re.Pattern[str]:
    """Any query on this API path (``/api/v1/...``); the tests read the query from what was
    sent."""
    return re.compile(re.escape(HOST + path) + r"(\?.*)?$")


def any_url(m: aioresponses, method: str, status: int = 200, body: Any = None) -> None:
    """Answer every ``method`` request with ``body`` (JSON; None for an empty body)."""
    pattern = re.compile(re.escape(BASE) + ".*")
    if body is None:
        m.add(pattern, method, status=status, body=b"", repeat=True)
    else:
        m.add(pattern, method, status=status, payload=body, repeat=True)


def sent(m: aioresponses) -> list[tuple[str, str, dict[str, str], Any]]:
    """(method, path, query, JSON body) of every request; repeats of one URL are grouped
    at its first use."""
    return [
        (method, u.path, dict(u.query), sent_json(call.kwargs))
        for (method, u), requests in m.requests.items()
        for call in requests
    ]


def calls(m: aioresponses) -> list[tuple[str, URL, dict[str, Any]]]:
    """Every request aioresponses saw: (method, url with query, kwargs), in order."""
    out = []
    for (method, u), requests in m.requests.items():
        for call in requests:
            out.append((method, u, call.kwargs))
    return out


def sent_json(kwargs: dict[str, Any]) -> Any:
    data = kwargs.get("data")
    return json.loads(data) if data else None


def first_project(server: FakePlane) -> str:
    return next(iter(server.store.projects))
