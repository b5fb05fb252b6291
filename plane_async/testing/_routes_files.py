"""Work-item attachments and workspace assets: the presigned upload flow and downloads
(``IssueAttachment*APIEndpoint`` and ``GenericAssetEndpoint`` of Plane 1.3)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from ._extras import FileRow, audit, extras
from ._objstore import Redirect, presign_get, presign_post
from ._router import ApiError, Call, Handler, Reply, Route, Router, _compile, not_found
from ._store import Issue

__all__ = ["ALLOWED_TYPES", "add_new_only", "register", "render_file"]

#: a sample of Plane's ATTACHMENT_MIME_TYPES (settings/common.py): anything else is refused
ALLOWED_TYPES = frozenset(
    {
        "image/jpeg", "image/png", "image/gif", "image/svg+xml", "image/webp",
        "application/pdf", "application/msword", "text/plain", "text/markdown", "text/csv",
        "application/json", "application/xml", "text/xml", "application/zip",
        "application/gzip", "application/x-gzip", "audio/mpeg", "video/mp4",
        "application/octet-stream",
    }
)  # fmt: skip
_UNSAFE = re.compile(r"[^\w.\- ()]")


def _sanitize(name: Any) -> str:
    """Plane's sanitize_filename, roughly: no path, no odd characters."""
    if not isinstance(name, str):
        return ""
    return _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()


def render_file(c: Call, f: FileRow) -> dict[str, Any]:
    """A FileAsset as IssueAttachmentSerializer (``fields = "__all__"``) renders it."""
    return {
        **audit(c.render.dt, f),
        "attributes": {"name": f.name, "type": f.content_type, "size": f.size},
        "asset": f.key,
        "entity_type": f.entity_type,
        "entity_identifier": None,
        "is_deleted": f.is_deleted,
        "is_archived": False,
        "external_id": f.external_id,
        "external_source": f.external_source,
        "size": float(f.size),
        "is_uploaded": f.is_uploaded,
        "storage_metadata": (
            {"ContentType": f.content_type, "ContentLength": f.size} if f.is_uploaded else None
        ),
        "created_by": f.created_by,
        "updated_by": f.updated_by,
        "user": None,
        "workspace": c.store.workspace_id,
        "draft_issue": None,
        "project": f.project_id,
        "issue": f.issue_id,
        "comment": None,
        "page": None,
    }


def _asset_url(c: Call, f: FileRow) -> str:
    slug = c.store.workspace_slug
    return (
        f"/api/assets/v2/workspaces/{slug}/projects/{f.project_id}/issues/{f.issue_id}"
        f"/attachments/{f.id}/"
    )


def _new_file(c: Call, data: dict[str, Any], bad: str) -> FileRow:
    """Validate an upload request the way both endpoints do (400 ``bad`` on name/size)."""
    name = _sanitize(data.get("name"))
    size = data.get("size")
    if not name or not size:
        raise ApiError(400, {"error": bad, "status": False})
    if isinstance(size, bool) or not isinstance(size, int):
        raise ApiError(500, {"error": "Something went wrong please try again later"})
    content_type = data.get("type")
    if not content_type or content_type not in ALLOWED_TYPES:
        raise ApiError(400, {"error": "Invalid file type.", "status": False})
    now = c.store.now()
    return FileRow(
        id=c.store.new_id(),
        project_id=None,
        issue_id=None,
        name=name,
        content_type=content_type,
        size=min(size, extras(c.store).file_size_limit),
        key=f"{c.store.workspace_id}/{uuid.uuid4().hex}-{name}",
        external_source=data.get("external_source"),
        external_id=data.get("external_id"),
        created_by=c.actor,
        created_at=now,
        updated_at=now,
    )


def _presigned(c: Call, f: FileRow) -> dict[str, Any]:
    return presign_post(extras(c.store), f.key, f.content_type, f.size)


# -- work-item attachments -----------------------------------------------------------------


def _issue(c: Call) -> Issue:
    issue = c.store.issues.get(c.params["issue_id"])
    if issue is None or issue.project_id != c.project.id:
        raise not_found()
    return issue


def attachments_list(c: Call) -> Reply:
    issue_id = c.params["issue_id"]
    rows = [
        f
        for f in extras(c.store).files.values()
        if f.issue_id == issue_id and f.is_uploaded and not f.is_deleted
    ]
    rows.sort(key=lambda f: f.created_at, reverse=True)
    return 200, [render_file(c, f) for f in rows]


def attachments_create(c: Call) -> Reply:
    issue = _issue(c)
    data = c.data
    f = _new_file(c, data, "Invalid request.")
    x = extras(c.store)
    if f.external_source and f.external_id:
        for other in x.files.values():
            if (
                other.issue_id == issue.id
                and other.external_source == f.external_source
                and other.external_id == f.external_id
            ):
                message = "Issue with the same external id and external source already exists"
                raise ApiError(409, {"error": message, "id": other.id})
    f.project_id, f.issue_id = issue.project_id, issue.id
    x.files[f.id] = f
    body = {
        "upload_data": _presigned(c, f),
        "asset_id": f.id,
        "attachment": render_file(c, f),
        "asset_url": _asset_url(c, f),
    }
    return 200, body


def _attachment(c: Call) -> FileRow:
    f = extras(c.store).files.get(c.params["asset_id"])
    # FileAsset.objects skips soft-deleted rows
    if f is None or f.project_id != c.project.id or f.deleted_at is not None:
        raise not_found()
    return f


def attachment_get(c: Call) -> Reply:
    f = _attachment(c)
    if not f.is_uploaded:
        raise ApiError(400, {"error": "The asset is not uploaded.", "status": False})
    return 302, Redirect(presign_get(extras(c.store), f.key, f.name))


def attachment_patch(c: Call) -> Reply:
    _issue(c)
    f = _attachment(c)
    if not f.is_uploaded:
        f.is_uploaded = True
        f.created_by = c.actor
    f.updated_at = c.store.now()
    return 204, None


def attachment_delete(c: Call) -> Reply:
    _issue(c)
    f = _attachment(c)
    f.is_deleted = True
    f.deleted_at = c.store.now()
    return 204, None


# -- workspace assets ----------------------------------------------------------------------


def assets_create(c: Call) -> Reply:
    data = c.data
    # Plane defaults a missing size to FILE_SIZE_LIMIT here
    data = {"size": extras(c.store).file_size_limit, **data}
    f = _new_file(c, data, "Name and size are required fields.")
    x = extras(c.store)
    if f.external_source and f.external_id:
        for other in x.files.values():
            if (
                not other.is_deleted
                and other.external_source == f.external_source
                and other.external_id == f.external_id
            ):
                body = {
                    "message": "Asset with same external id and source already exists",
                    "asset_id": other.id,
                    "asset_url": _asset_url(c, other),
                }
                raise ApiError(409, body)
    project_id = data.get("project_id")
    f.project_id = project_id if isinstance(project_id, str) else None
    x.files[f.id] = f
    return 200, {"upload_data": _presigned(c, f), "asset_id": f.id, "asset_url": _asset_url(c, f)}


def _asset(c: Call) -> FileRow:
    f = extras(c.store).files.get(c.params["asset_id"])
    if f is None or f.is_deleted:
        raise ApiError(404, {"error": "Asset not found"})
    return f


def asset_get(c: Call) -> Reply:
    f = _asset(c)
    if not f.is_uploaded:
        raise ApiError(400, {"error": "Asset not yet uploaded"})
    return 200, {
        "asset_id": f.id,
        "asset_url": presign_get(extras(c.store), f.key, f.name),
        "asset_name": f.name,
        "asset_type": f.content_type,
    }


def asset_patch(c: Call) -> Reply:
    f = _asset(c)
    value = c.data.get("is_uploaded", f.is_uploaded)
    f.is_uploaded = bool(value)
    return 204, None


def register(r: Router) -> None:
    project = "workspaces/{slug}/projects/{pid:uuid}/"
    handlers_list: dict[str, Handler] = {"GET": attachments_list, "POST": attachments_create}
    handlers_item: dict[str, Handler] = {
        "GET": attachment_get,
        "PATCH": attachment_patch,
        "DELETE": attachment_delete,
    }
    add_new_only(r, project + "work-items/{issue_id:uuid}/attachments/", handlers_list)
    add_new_only(
        r, project + "work-items/{issue_id:uuid}/attachments/{asset_id:uuid}/", handlers_item
    )
    # the old spelling: issues/<id>/issue-attachments/ (a different last segment too)
    r.add(project + "issues/{issue_id:uuid}/issue-attachments/", handlers_list)
    r.add(project + "issues/{issue_id:uuid}/issue-attachments/{asset_id:uuid}/", handlers_item)
    r.add("workspaces/{slug}/assets/", {"POST": assets_create})
    r.add("workspaces/{slug}/assets/{asset_id:uuid}/", {"GET": asset_get, "PATCH": asset_patch})


def add_new_only(r: Router, template: str, handlers: dict[str, Handler]) -> None:
    """A route that only servers with the ``work-items`` spelling have (not legacy ones)."""
    r.routes.append(Route(_compile(template), handlers, project_scoped=True, new_path=True))
