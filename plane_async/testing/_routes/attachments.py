"""Work-item attachments: the presigned upload flow and downloads."""

from __future__ import annotations

from .._objstore import Redirect, presign_get
from .._router import ApiError, Call, Handler, Reply, Router, not_found
from .._rows import FileRow
from .._store import Issue
from ._files import asset_url, new_file, presigned, render_file
from ._shared import add_new_only

__all__ = ["register"]


def _issue(c: Call) -> Issue:
    issue = c.store.issues.get(c.params["issue_id"])
    if issue is None or issue.project_id != c.project.id:
        raise not_found()
    return issue


def attachments_list(c: Call) -> Reply:
    issue_id = c.params["issue_id"]
    rows = [
        f
        for f in c.store.files.values()
        if f.issue_id == issue_id and f.is_uploaded and not f.is_deleted
    ]
    rows.sort(key=lambda f: f.created_at, reverse=True)
    return 200, [render_file(c, f) for f in rows]


def attachments_create(c: Call) -> Reply:
    issue = _issue(c)
    data = c.data
    f = new_file(c, data, "Invalid request.")
    x = c.store
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
        "upload_data": presigned(c, f),
        "asset_id": f.id,
        "attachment": render_file(c, f),
        "asset_url": asset_url(c, f),
    }
    return 200, body


def _attachment(c: Call) -> FileRow:
    f = c.store.files.get(c.params["asset_id"])
    # FileAsset.objects skips soft-deleted rows
    if f is None or f.project_id != c.project.id or f.deleted_at is not None:
        raise not_found()
    return f


def attachment_get(c: Call) -> Reply:
    f = _attachment(c)
    if not f.is_uploaded:
        raise ApiError(400, {"error": "The asset is not uploaded.", "status": False})
    return 302, Redirect(presign_get(c.store.storage, f.key, f.name))


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
