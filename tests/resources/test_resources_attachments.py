"""plane.attachments and plane.assets: the presigned upload flow, downloads, the storage's
errors, and the API key kept away from the storage."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

from plane_async import (
    AsyncPlane,
    BadRequestError,
    ConflictError,
    DownloadTooLargeError,
    NotFoundError,
    PlaneValueError,
    StorageError,
    TransportError,
    UploadTooLargeError,
)
from plane_async.models import Attachment
from plane_async.testing import FakePlane
from tests.support.resource_helpers import BASE, KEY, PID, PROJECT, collect, first_project, run

# uploads and downloads go to the object storage over real HTTP: the loopback server
pytestmark = pytest.mark.loopback

IID = "9ce1388a-70eb-428d-b3a5-7e4138c13b88"
AID = "5b0e6f44-3f7c-4a59-a2c5-2a4d8a5f6c11"
STORAGE = "https://storage.test/uploads/"


@pytest.fixture
async def server() -> AsyncIterator[FakePlane]:
    async with FakePlane(rate_limit=None) as s:
        yield s


@pytest.fixture
async def plane(server: FakePlane) -> AsyncIterator[AsyncPlane]:
    # no pause between storage retries: the retry tests must not sleep for real
    async with AsyncPlane(
        api_key=server.api_key, workspace=server.workspace, base_url=server.base_url,
        retry_backoff=(0.0, 0.0),
    ) as client:  # fmt: skip
        yield client


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def _issue(plane: AsyncPlane, server: FakePlane) -> tuple[str, uuid.UUID]:
    pid = first_project(server)
    (issue,) = await collect(plane.issues.list(pid, max_items=1))
    return pid, issue.id


# -- the whole flow against the fake server --------------------------------------------------


async def test_upload_list_download_delete(plane: AsyncPlane, server: FakePlane) -> None:
    pid, iid = await _issue(plane, server)
    att = await plane.attachments.upload(pid, iid, b"hello world", name="notes.txt")
    assert isinstance(att, Attachment)
    assert (att.name, att.content_type, att.size, att.is_uploaded) == (
        "notes.txt", "text/plain", 11.0, True,
    )  # fmt: skip
    assert att.issue == iid
    assert [a.id for a in await collect(plane.attachments.list(pid, iid))] == [att.id]

    out = io.BytesIO()
    assert await plane.attachments.download(pid, iid, att.id, out) == 11
    assert out.getvalue() == b"hello world"
    link = await plane.attachments.download_url(pid, iid, att.id)
    assert link.startswith(server.base_url + "/storage/uploads/")

    await plane.attachments.delete(pid, iid, att.id)
    assert await collect(plane.attachments.list(pid, iid)) == []


async def test_a_path_is_streamed_and_downloaded_to_a_path(
    plane: AsyncPlane, server: FakePlane, tmp_path: Path
) -> None:
    pid, iid = await _issue(plane, server)
    src = tmp_path / "report.pdf"
    data = os.urandom(3 * 1024 * 1024 + 7)
    src.write_bytes(data)
    att = await plane.attachments.upload(pid, iid, src)
    assert (att.name, att.content_type) == ("report.pdf", "application/pdf")
    dest = tmp_path / "copy.pdf"
    assert await plane.attachments.download(pid, iid, att.id, dest) == len(data)
    assert dest.read_bytes() == data
    assert _names(tmp_path) == ["copy.pdf", "report.pdf"]


class _ReadLog(io.FileIO):
    """A file that records how much each read asked for."""

    reads: list[int]

    def read(self, size: int | None = -1) -> bytes:
        self.reads.append(-1 if size is None else size)
        return super().read(size)


async def test_a_large_file_is_read_in_chunks_not_whole(
    plane: AsyncPlane, server: FakePlane, tmp_path: Path
) -> None:
    pid, iid = await _issue(plane, server)
    src = tmp_path / "big.bin"
    src.write_bytes(b"x" * (4 * 1024 * 1024))
    f = _ReadLog(src, "rb")
    f.reads = []
    with f:
        await plane.attachments.upload(pid, iid, f, name="big.bin")
    assert f.reads and all(0 < n <= 1024 * 1024 for n in f.reads)
    assert server.storage.objects and max(map(len, server.storage.objects.values())) == 4 << 20


async def test_the_storage_never_receives_the_api_key(plane: AsyncPlane, server: FakePlane) -> None:
    pid, iid = await _issue(plane, server)
    att = await plane.attachments.upload(pid, iid, b"abc", name="a.txt")
    await plane.attachments.download(pid, iid, att.id, io.BytesIO())
    asset = await plane.assets.upload(b"img", name="logo.png")
    await plane.assets.download(asset.asset_id, io.BytesIO())
    records = server.storage.requests
    assert [(r.method, r.status) for r in records] == [
        ("POST", 204), ("GET", 200), ("POST", 204), ("GET", 200),
    ]  # fmt: skip
    assert not any(r.api_key_sent for r in records)


async def test_the_old_issues_path_uses_issue_attachments() -> None:
    async with (
        FakePlane(rate_limit=None, legacy_paths=True) as server,
        AsyncPlane(
            api_key=server.api_key, workspace=server.workspace, base_url=server.base_url
        ) as plane,
    ):
        pid, iid = await _issue(plane, server)
        att = await plane.attachments.upload(pid, iid, b"old", name="old.txt")
        assert [a.id for a in await collect(plane.attachments.list(pid, iid))] == [att.id]
        paths = {r.path for r in server.requests if "attach" in r.path}
    assert paths and all("/issues/" in p and "/issue-attachments/" in p for p in paths)


# -- limits and storage errors ---------------------------------------------------------------


async def test_a_file_over_the_server_limit_is_refused_before_its_bytes_are_sent(
    plane: AsyncPlane, server: FakePlane
) -> None:
    pid, iid = await _issue(plane, server)
    server.storage.file_size_limit = 1000
    with pytest.raises(UploadTooLargeError, match="at most 1000 bytes") as info:
        await plane.attachments.upload(pid, iid, b"x" * 1001, name="big.txt")
    assert (info.value.size, info.value.limit) == (1001, 1000)
    assert server.storage.requests == []  # nothing went to the storage
    assert await collect(plane.attachments.list(pid, iid)) == []
    # the half-made attachment was deleted, not left behind
    assert all(f.is_deleted for f in server.store.files.values())


async def test_the_storage_refusing_a_large_file_is_upload_too_large(
    plane: AsyncPlane, server: FakePlane
) -> None:
    # a workspace asset has no clamped size to compare: the storage's EntityTooLarge tells
    server.storage.file_size_limit = 10
    with pytest.raises(UploadTooLargeError, match="limit of 10 bytes") as info:
        await plane.assets.upload(b"y" * 11, name="big.txt")
    assert (info.value.status, info.value.code, info.value.limit) == (400, "EntityTooLarge", 10)


async def test_a_storage_5xx_is_retried(plane: AsyncPlane, server: FakePlane) -> None:
    pid, iid = await _issue(plane, server)
    server.storage.faults.extend([503, 500])
    att = await plane.attachments.upload(pid, iid, b"retried", name="r.txt")
    statuses = [r.status for r in server.storage.requests]
    assert statuses == [503, 500, 204]
    out = io.BytesIO()
    await plane.attachments.download(pid, iid, att.id, out)
    assert out.getvalue() == b"retried"


async def test_a_storage_refusal_is_a_typed_error_without_the_signature(
    plane: AsyncPlane, server: FakePlane, tmp_path: Path
) -> None:
    pid, iid = await _issue(plane, server)
    server.storage.faults.extend([503] * 10)
    with pytest.raises(StorageError) as info:
        await plane.attachments.upload(pid, iid, b"abc", name="a.txt")
    assert info.value.status == 503 and info.value.code == "SlowDown"
    assert info.value.attempts == 4  # max_retries=3
    server.storage.faults.clear()
    att = await plane.attachments.upload(pid, iid, b"abc", name="a.txt")
    server.storage.faults.append(403)
    dest = tmp_path / "a.txt"
    with pytest.raises(StorageError) as info:
        await plane.attachments.download(pid, iid, att.id, dest)
    assert info.value.status == 403 and "Signature" not in str(info.value)
    assert info.value.url is not None and "?" not in info.value.url
    assert _names(tmp_path) == []  # no partial file left behind


async def test_a_file_type_plane_refuses_says_what_to_do(
    plane: AsyncPlane, server: FakePlane
) -> None:
    pid, iid = await _issue(plane, server)
    with pytest.raises(BadRequestError, match="application/octet-stream"):
        await plane.attachments.upload(pid, iid, b"x", name="a.exe", content_type="x-weird/x")


async def test_downloading_an_unfinished_upload_is_a_bad_request(
    plane: AsyncPlane, server: FakePlane
) -> None:
    pid, iid = await _issue(plane, server)
    server.storage.faults.extend([403])
    with pytest.raises(StorageError):
        await plane.attachments.upload(pid, iid, b"abc", name="a.txt")
    (row,) = server.store.files.values()
    with pytest.raises(BadRequestError, match="not uploaded"):
        await plane.attachments.download_url(pid, iid, row.id)


async def test_a_repeated_external_id_is_a_conflict_naming_the_existing_file(
    plane: AsyncPlane, server: FakePlane
) -> None:
    pid, iid = await _issue(plane, server)
    first = await plane.attachments.upload(
        pid, iid, b"a", name="a.txt", external_source="jira", external_id="A-1"
    )
    with pytest.raises(ConflictError) as info:
        await plane.attachments.upload(
            pid, iid, b"a", name="a.txt", external_source="jira", external_id="A-1"
        )
    assert info.value.existing_id == first.id
    asset = await plane.assets.upload(b"i", name="i.png", external_source="gh", external_id="7")
    with pytest.raises(ConflictError) as info:
        await plane.assets.upload(b"i", name="i.png", external_source="gh", external_id="7")
    assert info.value.existing_id == asset.asset_id


async def test_assets_upload_get_and_download(plane: AsyncPlane, server: FakePlane) -> None:
    pid = first_project(server)
    asset = await plane.assets.upload(io.BytesIO(b"\x89PNG..."), name="logo.png", project_id=pid)
    link = await plane.assets.get(asset.asset_id)
    assert (link.asset_id, link.asset_name, link.asset_type) == (
        asset.asset_id, "logo.png", "image/png",
    )  # fmt: skip
    out = io.BytesIO()
    assert await plane.assets.download(asset.asset_id, out) == 7
    with pytest.raises(NotFoundError):
        await plane.assets.get(uuid.uuid4())


# -- refused before any request --------------------------------------------------------------


class _Pipe(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False


@pytest.mark.parametrize(
    ("file", "kwargs", "message"),
    [
        (b"", {"name": "a.txt"}, "empty"),
        (b"abc", {}, "needs name="),
        ("/no/such/file.txt", {}, "cannot read"),
        (io.StringIO("text"), {"name": "a.txt"}, "text mode"),
        (_Pipe(), {"name": "a.txt"}, "not seekable"),
        (12, {}, "must be a path, bytes"),
        (b"abc", {"name": " "}, "name must be"),
        (b"abc", {"name": "a.txt", "content_type": "text"}, "MIME type"),
        (b"abc", {"name": "a.txt", "external_id": "1"}, "external_source"),
    ],
)
def test_bad_uploads_are_refused_before_any_request(
    mocked: aioresponses, file: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(PlaneValueError, match=message):
        run(lambda plane: plane.attachments.upload(PID, IID, file, **kwargs))
    assert mocked.requests == {}


def test_listing_refuses_fields_the_server_would_ignore(mocked: aioresponses) -> None:
    with pytest.raises(PlaneValueError, match="ignores fields/expand"):
        run(lambda plane: collect(plane.attachments.list(PID, IID, fields=["id"])))
    assert mocked.requests == {}


def test_download_destinations_are_checked(mocked: aioresponses, tmp_path: Path) -> None:
    location = STORAGE + "k?X-Amz-Signature=s"
    mocked.get(re.compile(re.escape(BASE) + ".*"), status=302, headers={"Location": location},
               repeat=True)  # fmt: skip
    with pytest.raises(PlaneValueError, match="is a directory"):
        run(lambda plane: plane.attachments.download(PID, IID, AID, tmp_path))
    with pytest.raises(PlaneValueError, match="binary file"):
        run(lambda plane: plane.attachments.download(PID, IID, AID, io.StringIO()))


def test_the_storage_post_carries_the_signed_fields_and_no_key(mocked: aioresponses) -> None:
    ticket = {
        "upload_data": {"url": STORAGE, "fields": {"key": "k/a.txt", "policy": "p",
                                                   "Content-Type": "text/plain"}},
        "asset_id": AID,
        "asset_url": "/api/assets/v2/x/",
        "attachment": {"id": AID, "size": 3.0, "attributes": {"name": "a.txt"}},
    }  # fmt: skip
    attachments = f"{BASE[:-8]}{PROJECT}work-items/{IID}/attachments/"
    mocked.post(attachments, payload=ticket)
    mocked.post(STORAGE, status=204)
    mocked.patch(attachments + f"{AID}/", status=204)
    att = run(lambda plane: plane.attachments.upload(PID, IID, b"abc", name="a.txt"))
    assert att.id == uuid.UUID(AID) and att.is_uploaded
    calls = {(m, str(u)): c for (m, u), c in mocked.requests.items()}
    (create,) = calls[("POST", attachments)]
    assert create.kwargs["headers"]["X-API-Key"] == KEY
    (upload,) = calls[("POST", STORAGE)]
    headers = upload.kwargs.get("headers") or {}
    assert not any(k.lower() == "x-api-key" for k in headers)
    assert KEY not in repr(upload.kwargs)
    (mark,) = calls[("PATCH", attachments + f"{AID}/")]
    assert mark.kwargs["data"] == b'{"is_uploaded":true}'


def _ticket() -> dict[str, Any]:
    return {
        "upload_data": {"url": STORAGE, "fields": {"key": "k/a.txt"}},
        "asset_id": AID,
        "asset_url": "/api/assets/v2/x/",
        "attachment": {"id": AID, "size": 3.0, "attributes": {"name": "a.txt"}},
    }


def test_the_create_is_retried_after_a_dropped_connection_only_without_external_ids(
    mocked: aioresponses,
) -> None:
    attachments = f"{BASE[:-8]}{PROJECT}work-items/{IID}/attachments/"
    mocked.post(attachments, exception=aiohttp.ServerDisconnectedError())
    mocked.post(attachments, payload=_ticket())
    mocked.post(STORAGE, status=204)
    mocked.patch(attachments + f"{AID}/", status=204)
    att = run(lambda plane: plane.attachments.upload(PID, IID, b"abc", name="a.txt"))
    assert att.is_uploaded

    mocked.post(attachments, exception=aiohttp.ServerDisconnectedError())
    with pytest.raises(TransportError):
        run(lambda plane: plane.attachments.upload(
            PID, IID, b"abc", name="a.txt", external_source="jira", external_id="A-1",
        ))  # fmt: skip


def test_a_storage_network_failure_names_no_signature(mocked: aioresponses) -> None:
    attachments = f"{BASE[:-8]}{PROJECT}work-items/{IID}/attachments/"
    ticket = _ticket()
    ticket["upload_data"]["url"] = STORAGE + "?X-Amz-Signature=secret"
    mocked.post(attachments, payload=ticket)
    failure = aiohttp.ClientConnectionError(f"cannot reach {ticket['upload_data']['url']}")
    mocked.post(re.compile(re.escape(STORAGE) + ".*"), exception=failure, repeat=True)
    with pytest.raises(StorageError) as info:
        run(lambda plane: plane.attachments.upload(PID, IID, b"abc", name="a.txt"))
    assert info.value.attempts == 4 and info.value.status == 0
    assert "secret" not in str(info.value) and info.value.__cause__ is None


# -- presigned downloads are bounded in time and size ------------------------------------------


def _storage_answering(server: FakePlane, respond: Any) -> None:
    """Have the fake storage answer every download with ``respond(request)``; call it
    before the server starts (the server binds its handler then)."""
    from aiohttp import web

    handle = server._handle

    async def storage(request: web.Request) -> web.StreamResponse:
        if request.method == "GET" and request.path.startswith("/storage/"):
            return await respond(request)  # type: ignore[no-any-return]
        return await handle(request)

    server._handle = storage  # type: ignore[method-assign]


@pytest.mark.slow  # the storage drips in real time
async def test_a_download_that_drips_forever_ends_at_its_timeout(tmp_path: Path) -> None:
    from aiohttp import web

    async def drip(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        while True:  # one byte per 0.1 s: never a stalled read
            await response.write(b"x")
            await asyncio.sleep(0.1)

    server = FakePlane(rate_limit=None)
    _storage_answering(server, drip)
    async with server, AsyncPlane(api_key=server.api_key, workspace=server.workspace,
                                  base_url=server.base_url, timeout=0.5,
                                  max_retries=0) as plane:  # fmt: skip
        asset = await plane.assets.upload(b"abc", name="a.txt")
        dest = tmp_path / "a.txt"
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(StorageError, match=r"timed out after 0\.5 s"):
            await asyncio.wait_for(plane.assets.download(asset.asset_id, dest), 10)
        assert loop.time() - started < 3
        with pytest.raises(StorageError, match=r"timed out after 0\.3 s"):
            await asyncio.wait_for(
                plane.assets.download(asset.asset_id, io.BytesIO(), timeout=0.3), 10
            )
    assert _names(tmp_path) == []  # no partial file left behind


async def test_a_download_larger_than_max_bytes_is_refused_and_not_kept(tmp_path: Path) -> None:
    from aiohttp import web

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        chunk = b"x" * 65536
        with contextlib.suppress(ConnectionError):
            for _ in range(10_000):  # 655 MB if nobody hangs up
                await response.write(chunk)
        return response

    async def announced(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"y" * 3000)

    server = FakePlane(rate_limit=None)
    answers = [endless, announced]
    _storage_answering(server, lambda request: answers.pop(0)(request))
    async with server, AsyncPlane(api_key=server.api_key, workspace=server.workspace,
                                  base_url=server.base_url) as plane:  # fmt: skip
        asset = await plane.assets.upload(b"abc", name="a.txt")
        with pytest.raises(DownloadTooLargeError, match="more than 1000000 bytes") as info:
            await plane.assets.download(asset.asset_id, tmp_path / "a.txt", max_bytes=1_000_000)
        assert info.value.limit == 1_000_000 and info.value.attempts == 1
        with pytest.raises(DownloadTooLargeError, match="3000 bytes"):
            await plane.assets.download(asset.asset_id, io.BytesIO(), max_bytes=2000)
    assert _names(tmp_path) == []


async def test_a_file_name_of_250_characters_downloads(tmp_path: Path) -> None:
    async with FakePlane(rate_limit=None) as server, AsyncPlane(
        api_key=server.api_key, workspace=server.workspace, base_url=server.base_url
    ) as plane:  # fmt: skip
        asset = await plane.assets.upload(b"abc", name="a.txt")
        for name in ("n" * 250 + ".txt", "é" * 127):  # 254 bytes, the second in UTF-8
            dest = tmp_path / name
            assert await plane.assets.download(asset.asset_id, dest) == 3
            assert dest.read_bytes() == b"abc"
    assert len(_names(tmp_path)) == 2
