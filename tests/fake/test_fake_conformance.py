"""FakePlane answers each recorded real request with the same status, headers and shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from plane_async.testing import FakePlane

FIXTURES = Path(__file__).parents[1] / "fixtures"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
RECORDED_HEADERS = (
    "Content-Type",
    "Allow",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
    "Location",
)
#: exercised by dedicated tests (they need a burst)
SPECIAL = {"ratelimit-last-allowed.json", "error-429-rate-limited.json"}
#: envelopes whose counts depend only on the default seed, so every value must match
EXACT_ENVELOPES = {
    "work-items-list-per_page-3.json",
    "issues-list-per_page-3.json",
    "work-items-list-per_page-3-cursor-page2.json",
    "work-items-list-expand-state_assignees_labels.json",
    "work-items-list-fields-id_name.json",
    "work-items-list-fields-nonexistent.json",
    "work-items-list-fields-id_name-expand-state.json",
    "work-items-list-fields-id_name_state_assignees_labels-expand-state_assignees_labels.json",
    "states-list.json",
    "labels-list.json",
    "modules-list.json",
    "cycles-list.json",
    "projects-list-per_page-2.json",
}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def same_shape(real: Any, fake: Any, where: str = "body") -> None:
    """Same keys at every level; empty lists/dicts and nulls match any shape."""
    if real is None or fake is None or real in ({}, []) or fake in ({}, []):
        return
    if isinstance(real, dict):
        assert isinstance(fake, dict), f"{where}: expected an object, got {fake!r}"
        assert set(fake) == set(real), f"{where}: keys differ {set(fake) ^ set(real)}"
        for key in real:
            same_shape(real[key], fake[key], f"{where}.{key}")
    elif isinstance(real, list):
        assert isinstance(fake, list), f"{where}: expected a list, got {fake!r}"
        same_shape(real[0], fake[0], f"{where}[0]")
    else:
        assert not isinstance(fake, dict | list), f"{where}: expected a scalar, got {fake!r}"


class Api:
    """Plain aiohttp against the fake, as a test writes it."""

    def __init__(self, server: FakePlane, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.session = session

    async def call(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        body: Any = None,
        raw: str | None = None,
        key: str | None = "default",
    ) -> tuple[int, dict[str, str], Any]:
        headers = (
            {} if key is None else {"X-API-Key": self.server.api_key if key == "default" else key}
        )
        if raw is not None:
            headers["Content-Type"] = "application/json"
        async with self.session.request(
            method,
            self.server.base_url + path,
            params={k: str(v) for k, v in (query or {}).items()},
            json=body if raw is None else None,
            data=raw,
            headers=headers,
            allow_redirects=False,
        ) as response:
            text = await response.text()
            parsed = (
                json.loads(text) if text and response.content_type == "application/json" else ""
            )
            return response.status, dict(response.headers), parsed


async def prepare(api: Api, name: str) -> dict[str, str]:
    """Create what the recorded call needs; return the path placeholders."""
    store = api.server.store
    project = next(iter(store.projects.values()))
    ids = {
        "workspace_slug": api.server.workspace,
        "project_id": project.id,
        "work_item_id": project.by_sequence[250].id,
        "module_id": next(iter(store.modules)),
        "cycle_id": next(iter(store.cycles)),
        "unknown_uuid": UNKNOWN,
    }
    record = load(name)
    needs_item = "{new_work_item_id}" in record["request"]["path"] or name in (
        "work-items-lookup-external.json",
        "error-409-work-item-duplicate-external-id.json",
    )
    if needs_item:
        base = f"/api/v1/workspaces/acme/projects/{project.id}/work-items/"
        body = {
            "name": "Fixture issue",
            "priority": "high",
            "external_id": "FIXTURE-923817a7",
            "external_source": "fixtures",
        }
        _, _, item = await api.call("POST", base, body=body)
        ids["new_work_item_id"] = item["id"]
        await api.call("PATCH", f"{base}{item['id']}/", body={"priority": "low", "name": "x"})
        _, _, comment = await api.call(
            "POST", f"{base}{item['id']}/comments/", body={"comment_html": "<p>c</p>"}
        )
        taken = name == "error-400-link-duplicate-url.json"
        url = "https://example.com/" + ("fixture" if taken else "prepared")
        _, _, link = await api.call("POST", f"{base}{item['id']}/links/", body={"url": url})
        ids["comment_id"], ids["link_id"] = comment["id"], link["id"]
        if name == "error-404-deleted-work-item.json":
            await api.call("DELETE", f"{base}{item['id']}/")
    return ids


def fill(template: str, ids: dict[str, str]) -> str:
    for key, value in ids.items():
        template = template.replace("{" + key + "}", value)
    return template


NAMES = sorted(p.name for p in FIXTURES.glob("*.json") if p.name not in SPECIAL)


@pytest.mark.parametrize("name", NAMES)
async def test_matches_recorded_response(name: str) -> None:
    record = load(name)
    request = record["request"]
    async with FakePlane() as server, aiohttp.ClientSession() as session:
        api = Api(server, session)
        ids = await prepare(api, name)
        auth = request.get("auth", "")
        key = None if auth.startswith("no ") else ("plane_api_" + "0" * 32 if auth else "default")
        raw = request.get("body") if isinstance(request.get("body"), str) else None
        status, headers, body = await api.call(
            request["method"],
            fill(request["path"], ids),
            query=request["query"],
            body=None if raw is not None else request.get("body"),
            raw=raw,
            key=key,
        )
        assert server.errors == []
    assert status == record["status"]
    recorded = record["headers"]
    assert {h for h in RECORDED_HEADERS if h in headers} == set(recorded)
    if "Allow" in recorded:
        assert headers["Allow"] == recorded["Allow"]
    if "Content-Type" in recorded:
        assert headers["Content-Type"].split(";")[0] == recorded["Content-Type"].split(";")[0]
    if "Location" in recorded:
        assert headers["Location"] == fill(recorded["Location"], ids)
    real = record["body"]
    same_shape(real, body)
    if status >= 400 and isinstance(real, dict) and "id" not in real:
        assert body == real  # error bodies are fixed strings
    if name in EXACT_ENVELOPES:
        assert {k: v for k, v in body.items() if k != "results"} == {
            k: v for k, v in real.items() if k != "results"
        }
