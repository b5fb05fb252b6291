"""Shared helpers for the per-namespace tests: a client on aioresponses, recorded fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aioresponses import aioresponses
from yarl import URL

from plane_async import AsyncPlane, RateLimit

KEY = "plane_api_0123456789abcdef0123456789abcdef"
HOST = "https://plane.test"
API = f"{HOST}/api/v1/"
WS = f"{API}workspaces/acme/"
PROJECT_ID = "90c8a8c4-5082-40e9-b5dd-5c964aa7fb7b"
ISSUE_ID = "86f3bc45-4af1-4464-aaa8-0a5bc9432e64"
FIXTURES = Path(__file__).parent / "fixtures"


def client(**kw: Any) -> AsyncPlane:
    kw.setdefault("rate_limit", RateLimit(1000, 1.0))
    return AsyncPlane(api_key=KEY, workspace="acme", base_url=HOST, **kw)


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def body(name: str) -> Any:
    return fixture(name)["body"]


def calls(m: aioresponses) -> list[tuple[str, URL, dict[str, Any]]]:
    """Every request aioresponses saw: (method, url with query, kwargs), in order."""
    out = []
    for (method, url), requests in m.requests.items():
        for call in requests:
            out.append((method, url, call.kwargs))
    return out


def sent_json(kwargs: dict[str, Any]) -> Any:
    data = kwargs.get("data")
    return None if data is None else json.loads(data)
