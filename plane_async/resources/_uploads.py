"""The presigned upload flow shared by attachments and workspace assets."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from .._errors import APIError, BadRequestError, UploadTooLargeError
from .._http.storage import prepare_upload, resolve
from .._models import AssetUpload, structure
from .._protocol.checks import check_external
from ._base import Resource
from ._checks import reworded
from ._seam import Path

__all__ = ["download_redirect", "external_keys", "upload_flow"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def external_keys(external_source: str | None, external_id: str | None) -> dict[str, str]:
    """Both external ids or neither (Plane's duplicate check needs both)."""
    if external_source is None and external_id is None:
        return {}
    return check_external(external_source, external_id)


async def upload_flow(
    resource: Resource,
    file: object,
    *,
    name: str | None,
    content_type: str | None,
    create: Path,
    extra: Mapping[str, Any],
    mark_uploaded: Callable[[uuid.UUID], Path],
    discard: Callable[[uuid.UUID], Path] | None = None,
) -> AssetUpload:
    """Ask Plane for a presigned form, POST the file to the storage, then mark it uploaded.

    The file is checked (name, size, type) before the first request. When Plane clamps the
    declared size to its limit, the file is refused before its bytes are sent (and the
    half-made attachment deleted, when ``discard`` says how).
    """
    upload = prepare_upload(file, name=name, content_type=content_type)
    body = {"name": upload.name, "type": upload.content_type, "size": upload.size, **extra}
    try:
        # A repeat after a lost answer leaves at most an unfinished asset nobody lists; with
        # external ids it would answer 409 for the first one, so that create is sent once.
        retry = "external_id" not in extra
        raw = await resource._call("POST", create, json=body, retry_post=retry)
    except BadRequestError as exc:
        if "file type" in exc.message.lower():
            raise reworded(
                exc,
                f"Plane does not accept the type {upload.content_type!r} for {upload.name!r} "
                "(its list of allowed MIME types is fixed); pass content_type= with an "
                "allowed one, e.g. 'application/octet-stream'",
            ) from exc
        raise
    ticket = structure(AssetUpload, resource._expect(raw, dict, "POST", create, "an upload form"))
    declared = ticket.raw.get("attachment", {}).get("size") if "attachment" in ticket.raw else None
    if isinstance(declared, int | float) and declared < upload.size:
        if discard is not None:
            await resource._delete(discard(ticket.asset_id))
        raise UploadTooLargeError(
            f"{upload.name!r} is {upload.size} bytes; this server accepts at most "
            f"{int(declared)} bytes per file (Plane's FILE_SIZE_LIMIT)",
            size=upload.size,
            limit=int(declared),
        )
    form = ticket.upload_data
    storage = resource._session.storage()
    await storage.upload(form.url, form.fields, upload)
    await resource._call("PATCH", mark_uploaded(ticket.asset_id), json={"is_uploaded": True})
    return ticket


async def download_redirect(resource: Resource, path: Path) -> str:
    """The storage URL a download route redirects to (Plane answers 302, never the file)."""
    try:
        body = await resource._call("GET", path)
    except APIError as exc:
        location = exc.headers.get("Location") if exc.status in _REDIRECTS else None
        if location is None:
            raise
        return resolve(resource._session.base_url, location)
    # a 2xx with a body is not what Plane sends here: ResponseDecodeError, with the body
    resource._expect(body, _Redirect, "GET", path, "a redirect to the file")
    raise AssertionError("unreachable")


class _Redirect:
    """No response body is one: the type that makes ``_expect`` refuse any 2xx answer."""
