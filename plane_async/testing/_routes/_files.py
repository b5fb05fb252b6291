"""What work-item attachments and workspace assets share: the FileAsset shape and the
presigned upload (``IssueAttachment*APIEndpoint`` and ``GenericAssetEndpoint`` of Plane 1.3)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from .._objstore import presign_post
from .._router import ApiError, Call
from .._rows import FileRow

__all__ = ["ALLOWED_TYPES", "asset_url", "new_file", "presigned", "render_file"]

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
        **c.render.audit(f),
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


def asset_url(c: Call, f: FileRow) -> str:
    slug = c.store.workspace_slug
    return (
        f"/api/assets/v2/workspaces/{slug}/projects/{f.project_id}/issues/{f.issue_id}"
        f"/attachments/{f.id}/"
    )


def new_file(c: Call, data: dict[str, Any], bad: str) -> FileRow:
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
        size=min(size, c.store.storage.file_size_limit),
        key=f"{c.store.workspace_id}/{uuid.uuid4().hex}-{name}",
        external_source=data.get("external_source"),
        external_id=data.get("external_id"),
        created_by=c.actor,
        created_at=now,
        updated_at=now,
    )


def presigned(c: Call, f: FileRow) -> dict[str, Any]:
    return presign_post(c.store.storage, f.key, f.content_type, f.size)
