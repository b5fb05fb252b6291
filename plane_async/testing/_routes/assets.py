"""Workspace assets: the presigned upload flow and downloads."""

from __future__ import annotations

from .._objstore import presign_get
from .._router import ApiError, Call, Reply, Router
from .._rows import FileRow
from ._files import asset_url, new_file, presigned

__all__ = ["register"]


def assets_create(c: Call) -> Reply:
    data = c.data
    # Plane defaults a missing size to FILE_SIZE_LIMIT here
    data = {"size": c.store.storage.file_size_limit, **data}
    f = new_file(c, data, "Name and size are required fields.")
    x = c.store
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
                    "asset_url": asset_url(c, other),
                }
                raise ApiError(409, body)
    project_id = data.get("project_id")
    f.project_id = project_id if isinstance(project_id, str) else None
    x.files[f.id] = f
    return 200, {"upload_data": presigned(c, f), "asset_id": f.id, "asset_url": asset_url(c, f)}


def _asset(c: Call) -> FileRow:
    f = c.store.files.get(c.params["asset_id"])
    if f is None or f.is_deleted:
        raise ApiError(404, {"error": "Asset not found"})
    return f


def asset_get(c: Call) -> Reply:
    f = _asset(c)
    if not f.is_uploaded:
        raise ApiError(400, {"error": "Asset not yet uploaded"})
    return 200, {
        "asset_id": f.id,
        "asset_url": presign_get(c.store.storage, f.key, f.name),
        "asset_name": f.name,
        "asset_type": f.content_type,
    }


def asset_patch(c: Call) -> Reply:
    f = _asset(c)
    value = c.data.get("is_uploaded", f.is_uploaded)
    f.is_uploaded = bool(value)
    return 204, None


def register(r: Router) -> None:
    r.add("workspaces/{slug}/assets/", {"POST": assets_create})
    r.add("workspaces/{slug}/assets/{asset_id:uuid}/", {"GET": asset_get, "PATCH": asset_patch})
