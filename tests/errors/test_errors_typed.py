"""What user code reads on errors: one typed ``.cursor``, ``status_code`` and ``response``."""

from __future__ import annotations

import inspect
import pickle

import pytest

import plane_async
from plane_async import (
    APIError,
    AsyncPlane,
    Cursor,
    ErrorResponse,
    NotFoundError,
    PaginationError,
    PlaneError,
    ResponseDecodeError,
    ServerError,
)
from plane_async.testing import FakePlane


def _instances() -> list[PlaneError]:
    out: list[PlaneError] = []
    for name in plane_async.__all__:
        cls = getattr(plane_async, name)
        if not (inspect.isclass(cls) and issubclass(cls, PlaneError)):
            continue
        if issubclass(cls, APIError):
            out.append(cls("m", status=400, method="GET", url="http://x/"))
        elif issubclass(cls, plane_async.FieldError):
            out.append(cls("m", model="Issue", field="name"))
        elif issubclass(cls, plane_async.UnknownFieldError):
            out.append(cls("m", name="nmae"))
        elif issubclass(cls, plane_async.DownloadTooLargeError):
            out.append(cls("m", limit=1 << 30))
        elif issubclass(cls, plane_async.UploadTooLargeError):
            out.append(cls("m", size=6_000_000, limit=5_242_880))
        elif issubclass(cls, plane_async.WaitBudgetExceededError):
            out.append(cls("m", retry_after=1.0, budget=5.0, sent=False))
        else:
            out.append(cls("m"))
    return out


def test_every_error_has_a_cursor_that_is_none_outside_a_paged_read() -> None:
    errors = _instances()
    assert len(errors) >= 20
    for exc in errors:
        assert exc.cursor is None, type(exc).__name__


def test_a_cursor_given_as_text_is_kept_as_a_cursor() -> None:
    exc = PaginationError("stalled", cursor="100:3:0")
    assert exc.cursor == Cursor(100, 3) and str(exc.cursor) == "100:3:0"
    assert ServerError("x", status=503, method="GET", url="u", cursor=Cursor(5, 1)).cursor == (
        Cursor(5, 1)
    )


def test_status_code_and_response_read_like_httpx_clients() -> None:
    exc = NotFoundError(
        "gone",
        status=404,
        method="GET",
        url="https://api.plane.so/api/v1/x/",
        body={"error": "gone"},
        headers={"Content-Type": "application/json"},
    )
    assert exc.status_code == exc.status == 404
    response = exc.response
    assert isinstance(response, ErrorResponse)
    assert response.status_code == 404 and response.method == "GET"
    assert response.json() == {"error": "gone"} and response.text == '{"error": "gone"}'
    assert response.headers["Content-Type"] == "application/json"
    assert repr(response) == "<ErrorResponse [404] GET https://api.plane.so/api/v1/x/>"
    html = ResponseDecodeError("html", status=200, method="GET", url="u", body="<html>")
    assert html.response.text == "<html>"
    with pytest.raises(ValueError, match="not JSON"):
        html.response.json()
    empty = ServerError("x", status=502, method="GET", url="u")
    assert empty.response.json() is None and empty.response.text == ""


@pytest.mark.plane_server(rate_limit=None, listen=False)
async def test_a_failed_paged_read_carries_a_cursor_that_resumes_it(
    plane_server: FakePlane,
) -> None:
    # max_retries=0: the 503 ends the read at once (no retry pause)
    async with plane_server.client(max_retries=0) as plane:
        await _read_fail_resume(plane, plane_server)


async def _read_fail_resume(plane: AsyncPlane, plane_server: FakePlane) -> None:
    (project,) = [p async for p in plane.projects.list()]
    got: list[str] = []
    with pytest.raises(PlaneError) as info:
        async for issue in plane.issues.list(project.id, per_page=10):
            got.append(str(issue.id))
            if len(got) == 10:
                plane_server.faults.fail_rate_503 = 1.0
    cursor = info.value.cursor
    assert isinstance(cursor, Cursor) and cursor.wire == "10:1:0"  # plus the last key
    assert Cursor.parse(str(cursor)) == cursor  # a checkpoint survives as text
    plane_server.faults.fail_rate_503 = 0.0
    got += [str(i.id) async for i in plane.issues.list(project.id, cursor=cursor)]
    assert len(got) == len(set(got)) == 25
    again = pickle.loads(pickle.dumps(cursor))
    assert again == cursor
