"""A fake S3-style object storage beside the fake API: presigned POST uploads and presigned
GET downloads, with S3's XML errors. It is served by the same FakePlane under ``/storage/``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import quote

import attrs
from aiohttp import BodyPartReader, web

__all__ = [
    "FILE_SIZE_LIMIT",
    "PREFIX",
    "ObjectStorage",
    "Redirect",
    "StorageRecord",
    "handle",
    "presign_get",
    "presign_post",
]

PREFIX = "/storage/"
_BUCKET = "uploads"
_EXPIRES = 3600
_CHUNK = 1 << 16


#: Plane's FILE_SIZE_LIMIT default (5 MiB)
FILE_SIZE_LIMIT = 5 * 1024 * 1024


@attrs.frozen
class StorageRecord:
    """One request the fake object storage received. ``api_key_sent`` is True when it
    carried an ``X-API-Key`` header (a client must never send one there)."""

    method: str
    path: str
    status: int
    api_key_sent: bool


@attrs.define(eq=False)
class ObjectStorage:
    """The fake object storage (S3 or MinIO behind Plane): its objects, what it saw, and
    the faults to inject."""

    #: the storage's objects by key
    objects: dict[str, bytes] = attrs.Factory(dict)
    #: the largest file the server presigns an upload for (Plane's FILE_SIZE_LIMIT)
    file_size_limit: int = FILE_SIZE_LIMIT
    #: statuses the storage answers to its next requests, first one first (fault injection)
    faults: list[int] = attrs.Factory(list)
    #: every request it received, in order
    requests: list[StorageRecord] = attrs.Factory(list)
    #: set when the server starts: where presigned links point
    url: str = ""
    secret: bytes = attrs.Factory(lambda: secrets.token_bytes(16))


@attrs.frozen
class Redirect:
    """A handler's reply body meaning "302 to ``location``" (Django's HttpResponseRedirect)."""

    location: str


def _sign(x: ObjectStorage, text: str) -> str:
    return hmac.new(x.secret, text.encode(), hashlib.sha256).hexdigest()


def presign_post(x: ObjectStorage, key: str, content_type: str, max_size: int) -> dict[str, Any]:
    """What boto3's generate_presigned_post returns: the URL and the form fields."""
    expires = dt.datetime.fromtimestamp(time.time() + _EXPIRES, dt.UTC)
    policy = {
        "expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "conditions": [
            {"bucket": _BUCKET},
            ["content-length-range", 1, max_size],
            {"Content-Type": content_type},
            {"key": key},
        ],
    }
    encoded = base64.b64encode(json.dumps(policy).encode()).decode()
    return {
        "url": x.url,
        "fields": {
            "Content-Type": content_type,
            "key": key,
            "x-amz-algorithm": "AWS4-HMAC-SHA256",
            "x-amz-credential": "fake/20260101/us-east-1/s3/aws4_request",
            "x-amz-date": expires.strftime("%Y%m%dT%H%M%SZ"),
            "policy": encoded,
            "x-amz-signature": _sign(x, encoded),
        },
    }


def presign_get(x: ObjectStorage, key: str, name: str) -> str:
    """A presigned download URL for ``key``."""
    expires = int(time.time()) + _EXPIRES
    signature = _sign(x, f"{key}:{expires}")
    disposition = quote(f'attachment; filename="{name}"')
    return (
        f"{x.url}{quote(key)}?X-Amz-Expires={expires}&X-Amz-Signature={signature}"
        f"&response-content-disposition={disposition}"
    )


def _error(status: int, code: str, message: str, **extra: int) -> web.Response:
    more = "".join(f"<{k}>{v}</{k}>" for k, v in extra.items())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>{more}"
        "<RequestId>FAKE</RequestId><HostId>fake</HostId></Error>"
    )
    return web.Response(status=status, text=body, content_type="application/xml")


async def handle(request: web.Request, x: ObjectStorage) -> web.StreamResponse:
    """Serve one storage request and record it."""
    response = await _serve(request, x)
    x.requests.append(
        StorageRecord(
            method=request.method,
            path=request.path,
            status=response.status,
            api_key_sent="X-API-Key" in request.headers,
        )
    )
    return response


async def _drain(request: web.Request) -> None:
    async for _ in request.content.iter_chunked(_CHUNK):
        pass


async def _serve(request: web.Request, x: ObjectStorage) -> web.StreamResponse:
    if x.faults:
        status = x.faults.pop(0)
        await _drain(request)
        code = "SlowDown" if status == 503 else "InternalError"
        return _error(status, code, "Injected fault")
    rest = request.path[len(PREFIX) :]
    bucket, _, key = rest.partition("/")
    if bucket != _BUCKET:
        await _drain(request)
        return _error(404, "NoSuchBucket", "The specified bucket does not exist")
    if request.method == "POST" and not key:
        return await _upload(request, x)
    if request.method == "GET" and key:
        return _download(request, x, key)
    await _drain(request)
    return _error(405, "MethodNotAllowed", "The specified method is not allowed")


async def _upload(request: web.Request, x: ObjectStorage) -> web.StreamResponse:
    if not request.content_type.startswith("multipart/form-data"):
        await _drain(request)
        return _error(412, "PreconditionFailed", "Bucket POST must be of the enclosure-type "
                      "multipart/form-data")  # fmt: skip
    reader = await request.multipart()
    fields: dict[str, str] = {}
    while True:
        part = await reader.next()
        if part is None:
            return _error(400, "InvalidArgument", "POST requires exactly one file upload")
        if not isinstance(part, BodyPartReader):
            continue
        if part.name != "file":
            fields[part.name or ""] = (await part.read()).decode()
            continue
        refused = _check_policy(x, fields)
        if isinstance(refused, web.Response):
            await _drain(request)
            return refused
        limit = refused
        data = bytearray()
        while chunk := await part.read_chunk(_CHUNK):
            data += chunk
            if len(data) > limit:
                size = len(data)
                async for more in request.content.iter_chunked(_CHUNK):
                    size += len(more)
                return _error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum "
                              "allowed size", ProposedSize=size, MaxSizeAllowed=limit)  # fmt: skip
        if not data:
            return _error(400, "EntityTooSmall", "Your proposed upload is smaller than the "
                          "minimum allowed size")  # fmt: skip
        x.objects[fields["key"]] = bytes(data)
        await _drain(request)
        return web.Response(status=204)


def _check_policy(x: ObjectStorage, fields: dict[str, str]) -> web.Response | int:
    """The size limit the signed policy allows, or S3's refusal."""
    policy = fields.get("policy", "")
    signature = fields.get("x-amz-signature", "")
    if not policy or not hmac.compare_digest(_sign(x, policy), signature):
        return _error(403, "SignatureDoesNotMatch", "The request signature we calculated does "
                      "not match the signature you provided")  # fmt: skip
    conditions = json.loads(base64.b64decode(policy))["conditions"]
    limit = 0
    for condition in conditions:
        if isinstance(condition, list) and condition[0] == "content-length-range":
            limit = int(condition[2])
        elif isinstance(condition, dict):
            for name, expected in condition.items():
                if name != "bucket" and fields.get(name) != expected:
                    failed = f'["eq", "${name}", "{expected}"]'
                    message = f"Invalid according to Policy: Policy Condition failed: {failed}"
                    return _error(403, "AccessDenied", message)
    return limit


def _download(request: web.Request, x: ObjectStorage, key: str) -> web.Response:
    expires = request.query.get("X-Amz-Expires", "")
    signature = request.query.get("X-Amz-Signature", "")
    if not hmac.compare_digest(_sign(x, f"{key}:{expires}"), signature):
        return _error(403, "SignatureDoesNotMatch", "The request signature we calculated does "
                      "not match the signature you provided")  # fmt: skip
    if not expires.isdigit() or int(expires) < time.time():
        return _error(403, "AccessDenied", "Request has expired")
    data = x.objects.get(key)
    if data is None:
        return _error(404, "NoSuchKey", "The specified key does not exist.")
    headers = {}
    disposition = request.query.get("response-content-disposition")
    if disposition:
        headers["Content-Disposition"] = disposition
    return web.Response(body=data, content_type="application/octet-stream", headers=headers)
