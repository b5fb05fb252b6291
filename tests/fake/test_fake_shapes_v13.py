"""FakePlane answers the 1.2-1.3 endpoints in the shapes of Plane 1.3.1's serializers and
views (apps/api/plane/api/), and every model structures them under the strict converter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from plane_async._models import Estimate, PlaneModel
from plane_async._models.converter import strict_converter
from plane_async.models import (
    AssetDownload,
    AssetUpload,
    Attachment,
    EstimatePoint,
    Invitation,
    RelatedIssue,
    Relations,
    Sticky,
)
from plane_async.testing import FakePlane
from tests.support.resource_helpers import first_project

AUDIT = {"id", "created_at", "updated_at", "deleted_at", "created_by", "updated_by"}
#: ``fields = "__all__"`` of EstimateSerializer / EstimatePointSerializer
ESTIMATE = AUDIT | {"project", "workspace", "name", "description", "type", "last_used"}
POINT = AUDIT | {"project", "workspace", "estimate", "key", "value", "description"}
#: IssueAttachmentSerializer: every FileAsset column
FILE_ASSET = AUDIT | {
    "attributes", "asset", "user", "workspace", "draft_issue", "project", "issue", "comment",
    "page", "entity_type", "entity_identifier", "is_deleted", "is_archived", "external_id",
    "external_source", "size", "is_uploaded", "storage_metadata",
}  # fmt: skip
#: StickySerializer: every Sticky column
STICKY = AUDIT | {
    "name", "description", "description_html", "description_stripped", "description_binary",
    "logo_props", "color", "background_color", "workspace", "owner", "sort_order",
}  # fmt: skip
#: WorkspaceInviteSerializer.Meta.fields
INVITATION = {"id", "email", "role", "created_at", "updated_at", "responded_at", "accepted"}
RELATION_TYPES = {
    "blocking", "blocked_by", "duplicate", "relates_to",
    "start_after", "start_before", "finish_after", "finish_before",
}  # fmt: skip
#: IssueRelationSerializer; RelatedIssueSerializer adds type_id and is_epic
RELATED = {
    "id", "project_id", "sequence_id", "relation_type", "name", "state_id", "priority",
    "created_by", "created_at", "updated_by", "updated_at",
}  # fmt: skip


@pytest.fixture
async def raw() -> AsyncIterator[Any]:
    """``raw(method, path, json)`` -> (status, headers, body) on a fresh FakePlane."""
    async with FakePlane(rate_limit=None) as server, aiohttp.ClientSession() as session:

        async def call(method: str, path: str, json: Any = None) -> tuple[int, Any, Any]:
            async with session.request(
                method, server.api_url + path, json=json, allow_redirects=False,
                headers={"X-API-Key": server.api_key},
            ) as resp:  # fmt: skip
                body = await resp.json() if resp.content_type == "application/json" else None
                return resp.status, resp.headers, body

        call.server = server  # type: ignore[attr-defined]
        yield call


def strict(model: type[PlaneModel], body: Any) -> None:
    assert isinstance(strict_converter().structure(body, model), model)


async def test_estimate_and_point_shapes(raw: Any) -> None:
    pid = first_project(raw.server)
    base = f"workspaces/acme/projects/{pid}/estimates/"
    status, _, est = await raw("POST", base, {"name": "E", "type": "points"})
    assert status == 201 and set(est) == ESTIMATE
    strict(Estimate, est)
    status, _, body = await raw("POST", base, {"name": "E"})
    assert (status, body) == (409, {"error": "An estimate already exists for this project",
                                    "id": est["id"]})  # fmt: skip
    points = base + f"{est['id']}/estimate-points/"
    status, _, created = await raw("POST", points, [{"key": 0, "value": "1"}])
    assert status == 201 and isinstance(created, list) and set(created[0]) == POINT
    strict(EstimatePoint, created[0])
    status, _, body = await raw("POST", points, {"estimate_points": []})
    assert (status, body) == (400, {"error": "Estimate points are required"})
    status, _, listed = await raw("GET", points)
    assert status == 200 and [p["id"] for p in listed] == [created[0]["id"]]
    status, _, body = await raw("PATCH", points + f"{created[0]['id']}/", {"value": "x" * 21})
    assert (status, body) == (400, {"non_field_errors": ["Value can't be more than 20 characters"]})
    status, _, _ = await raw("PUT", base)
    assert status == 405


async def test_relation_shapes(raw: Any) -> None:
    server = raw.server
    pid = first_project(server)
    a, b = list(server.store.issues)[:2]
    path = f"workspaces/acme/projects/{pid}/work-items/{a}/relations/"
    status, _, body = await raw("GET", path)
    assert status == 200 and body == {t: [] for t in RELATION_TYPES}
    status, _, body = await raw("POST", path, {"relation_type": "relates_to", "issues": [b]})
    assert status == 201 and set(body[0]) == RELATED
    strict(RelatedIssue, body[0])
    status, _, body = await raw("POST", path, {"relation_type": "blocking", "issues": [b]})
    assert status == 201 and set(body[0]) == RELATED | {"type_id", "is_epic"}
    strict(RelatedIssue, body[0])
    status, _, body = await raw("GET", path)
    strict(Relations, body)
    assert body["blocking"] == [{"project_id": pid, "issue_id": b}]
    status, _, body = await raw("POST", path, {"relation_type": "blocks", "issues": [b]})
    assert (status, body) == (400, {"relation_type": ['"blocks" is not a valid choice.']})
    missing = "00000000-0000-4000-8000-000000000000"
    status, _, body = await raw("POST", path, {"relation_type": "blocking", "issues": [missing]})
    assert (status, body) == (400, {"error": "The payload is not valid"})
    status, _, _ = await raw("GET", f"workspaces/acme/projects/{pid}/issues/{a}/relations/")
    assert status == 404  # no issues/ alias


async def test_attachment_and_asset_shapes(raw: Any) -> None:
    server = raw.server
    pid = first_project(server)
    issue = next(iter(server.store.issues))
    path = f"workspaces/acme/projects/{pid}/work-items/{issue}/attachments/"
    request = {"name": "a.pdf", "type": "application/pdf", "size": 10}
    status, _, ticket = await raw("POST", path, request)
    assert status == 200 and set(ticket) == {"upload_data", "asset_id", "attachment", "asset_url"}
    assert set(ticket["upload_data"]) == {"url", "fields"}
    assert set(ticket["attachment"]) == FILE_ASSET
    strict(AssetUpload, ticket)
    assert (await raw("POST", path, {**request, "type": "x/y"}))[2] == {
        "error": "Invalid file type.", "status": False,
    }  # fmt: skip
    assert (await raw("POST", path, {**request, "size": 0}))[2] == {
        "error": "Invalid request.", "status": False,
    }  # fmt: skip
    detail = path + f"{ticket['asset_id']}/"
    assert (await raw("GET", detail))[:3:2] == (
        400, {"error": "The asset is not uploaded.", "status": False},
    )  # fmt: skip
    assert (await raw("PATCH", detail, {"is_uploaded": True}))[0] == 204
    status, headers, _ = await raw("GET", detail)
    assert status == 302 and headers["Location"].startswith(server.base_url + "/storage/")
    status, _, listed = await raw("GET", path)
    assert status == 200 and len(listed) == 1 and set(listed[0]) == FILE_ASSET
    strict(Attachment, listed[0])
    assert (await raw("DELETE", detail))[0] == 204
    assert (await raw("DELETE", detail))[:3:2] == (
        404, {"error": "The requested resource does not exist."},
    )  # fmt: skip

    status, _, ticket = await raw("POST", "workspaces/acme/assets/", request)
    assert status == 200 and set(ticket) == {"upload_data", "asset_id", "asset_url"}
    strict(AssetUpload, ticket)
    asset = f"workspaces/acme/assets/{ticket['asset_id']}/"
    assert (await raw("GET", asset))[:3:2] == (400, {"error": "Asset not yet uploaded"})
    assert (await raw("PATCH", asset, {"is_uploaded": True}))[0] == 204
    status, _, link = await raw("GET", asset)
    assert status == 200 and set(link) == {"asset_id", "asset_url", "asset_name", "asset_type"}
    strict(AssetDownload, link)


async def test_sticky_and_invitation_shapes(raw: Any) -> None:
    status, headers, sticky = await raw("POST", "workspaces/acme/stickies/", {"name": "S"})
    assert status == 201 and set(sticky) == STICKY
    assert "X-RateLimit-Remaining" not in headers  # a ViewSet: no throttle, no headers
    strict(Sticky, sticky)
    status, _, page = await raw("GET", "workspaces/acme/stickies/")
    assert status == 200 and page["total_results"] == 1 and page["next_cursor"] == "20:1:0"
    missing = "workspaces/acme/stickies/00000000-0000-4000-8000-000000000000/"
    assert (await raw("GET", missing))[:3:2] == (
        404,
        {"detail": "No Sticky matches the given query."},
    )

    status, _, invite = await raw("POST", "workspaces/acme/invitations/", {"email": "a@b.co"})
    assert status == 201 and set(invite) == INVITATION and invite["role"] == 5
    strict(Invitation, invite)
    item = f"workspaces/acme/invitations/{invite['id']}/"
    status, _, body = await raw("PATCH", item, {"email": "c@d.co"})
    assert (status, body["code"]) == (400, "EMAIL_CANNOT_BE_UPDATED")
    status, _, listed = await raw("GET", "workspaces/acme/invitations/")
    assert status == 200 and listed == [invite]
