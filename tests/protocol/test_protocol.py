"""The pure protocol functions: URLs, paths, ids, keys, error mapping, retries."""

from __future__ import annotations

import contextlib
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plane_async._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    PlaneValueError,
    RateLimitError,
    ServerError,
)
from plane_async._protocol import checks
from plane_async._protocol import wire as proto


class TestBaseUrl:
    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            ("https://api.plane.so", "https://api.plane.so/api/v1/"),
            ("https://api.plane.so/", "https://api.plane.so/api/v1/"),
            ("https://api.plane.so/api/v1", "https://api.plane.so/api/v1/"),
            ("https://api.plane.so/api/v1/", "https://api.plane.so/api/v1/"),
            ("https://example.com/plane", "https://example.com/plane/api/v1/"),
            ("http://127.0.0.1:8000", "http://127.0.0.1:8000/api/v1/"),
            ("http://localhost:8000/", "http://localhost:8000/api/v1/"),
            ("http://[::1]:8000", "http://[::1]:8000/api/v1/"),
        ],
    )
    def test_normalised_to_api_v1(self, given: str, expected: str) -> None:
        assert proto.normalize_base_url(given) == expected

    def test_plain_http_to_remote_host_is_refused(self) -> None:
        with pytest.raises(PlaneValueError, match="allow_insecure_http"):
            proto.normalize_base_url("http://plane.example.com")

    def test_plain_http_allowed_on_opt_in(self) -> None:
        url = proto.normalize_base_url("http://plane.example.com", allow_insecure_http=True)
        assert url == "http://plane.example.com/api/v1/"

    @pytest.mark.parametrize(
        "bad", ["", "api.plane.so", "ftp://x.org", "https://", "https://u:p@x.org", "https://x?a=1"]
    )
    def test_malformed_urls_are_refused(self, bad: str) -> None:
        with pytest.raises(PlaneValueError):
            proto.normalize_base_url(bad)


class TestKeysSlugsIds:
    def test_missing_key_says_how_to_set_it(self) -> None:
        with pytest.raises(PlaneValueError, match="PLANE_API_KEY"):
            checks.check_api_key(None)

    @pytest.mark.parametrize("bad", ["plane_api_x y", "plane_api_x\r\nX-Evil: 1", "k\t", "ключ"])
    def test_key_with_whitespace_or_control_chars_refused_without_echo(self, bad: str) -> None:
        with pytest.raises(PlaneValueError) as info:
            checks.check_api_key(bad)
        assert bad not in str(info.value)

    def test_good_key_accepted(self) -> None:
        assert checks.check_api_key("plane_api_" + "a" * 32) == "plane_api_" + "a" * 32

    @pytest.mark.parametrize("bad", ["", "../x", "a/b", "a b", "ws\r\n", "-x"])
    def test_bad_slug_refused(self, bad: str) -> None:
        with pytest.raises(PlaneValueError, match="workspace"):
            checks.check_slug(bad)

    def test_ids_accept_uuid_and_str(self) -> None:
        u = uuid.uuid4()
        assert checks.check_id(u) == u
        assert checks.check_id(str(u)) == u
        assert checks.check_id(str(u).upper()) == u

    @pytest.mark.parametrize("bad", ["", "not-a-uuid", "../etc", 42, None, b"x"])
    def test_bad_ids_refused_with_an_example(self, bad: object) -> None:
        with pytest.raises(PlaneValueError, match="project_id must be a UUID"):
            checks.check_id(bad, "project_id")

    @given(st.text(max_size=50))
    def test_any_text_is_an_id_or_a_value_error(self, text: str) -> None:
        with contextlib.suppress(PlaneValueError):
            assert isinstance(checks.check_id(text), uuid.UUID)


class TestPaths:
    def test_build_path_ends_with_slash(self) -> None:
        pid = uuid.UUID("90c8a8c4-5082-40e9-b5dd-5c964aa7fb7b")
        assert (
            proto.build_path("workspaces", "acme", "projects", pid, "work-items")
            == f"workspaces/acme/projects/{pid}/work-items/"
        )

    @pytest.mark.parametrize("bad", ["", ".", ".."])
    def test_dot_segments_refused(self, bad: str) -> None:
        with pytest.raises(PlaneValueError):
            proto.build_path("workspaces", bad)

    def test_segments_are_percent_encoded(self) -> None:
        assert proto.build_path("a/b", "c d") == "a%2Fb/c%20d/"

    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            ("users/me", "users/me/"),
            ("/users/me/", "users/me/"),
            ("/api/v1/users/me/", "users/me/"),
        ],
    )
    def test_raw_paths_normalised(self, given: str, expected: str) -> None:
        assert proto.normalize_raw_path(given) == expected

    @pytest.mark.parametrize(
        "bad", ["", "/", "../secrets/", "a/../b", "a//b", "https://evil.example/x", "a?b=1"]
    )
    def test_raw_paths_that_escape_are_refused(self, bad: str) -> None:
        with pytest.raises(PlaneValueError):
            proto.normalize_raw_path(bad)


class TestErrors:
    def _err(self, status: int, body: object, headers: dict[str, str] | None = None) -> APIError:
        return proto.error_for_status(
            status, method="GET", url="https://x/api/v1/a/", body=body, headers=headers or {}
        )

    @pytest.mark.parametrize(
        ("status", "body", "cls"),
        [
            (400, {"name": ["This field is required."]}, BadRequestError),
            (401, {"detail": "Authentication credentials were not provided."}, AuthenticationError),
            (403, {"detail": "Given API token is not valid"}, InvalidAPIKeyError),
            (
                403,
                {"detail": "You do not have permission to perform this action."},
                PermissionDeniedError,
            ),
            (404, {"error": "Page not found."}, NotFoundError),
            (409, {"error": "exists", "id": "86f3bc45-4af1-4464-aaa8-0a5bc9432e64"}, ConflictError),
            (429, {"error_code": 5900, "error_message": "RATE_LIMIT_EXCEEDED"}, RateLimitError),
            (500, {"error": "Something went wrong please try again later"}, ServerError),
            (502, "<html>Bad gateway</html>", ServerError),
            (405, {"detail": 'Method "PUT" not allowed.'}, APIError),
        ],
    )
    def test_status_maps_to_typed_error(self, status: int, body: object, cls: type) -> None:
        err = self._err(status, body, {"X-Request-Id": "r1"})
        assert type(err) is cls
        assert err.status == status and err.method == "GET" and err.body == body
        assert err.url == "https://x/api/v1/a/" and err.headers == {"X-Request-Id": "r1"}

    def test_permission_403_is_not_reported_as_bad_key(self) -> None:
        err = self._err(403, {"detail": "You do not have permission to perform this action."})
        assert not isinstance(err, InvalidAPIKeyError)

    def test_bad_key_message_says_what_to_do(self) -> None:
        err = self._err(403, {"detail": "Given API token is not valid"})
        assert "expired" in str(err) and "API tokens" in str(err)

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"detail": "Invalid cursor parameter."}, "Invalid cursor parameter."),
            ({"error": "URL already exists for this Issue"}, "URL already exists for this Issue"),
            ({"error_code": 5900, "error_message": "RATE_LIMIT_EXCEEDED"}, "RATE_LIMIT_EXCEEDED"),
            ({"message": "Activity not found.", "code": "NOT_FOUND"}, "Activity not found."),
            ({"priority": ['"x" is not a valid choice.']}, 'priority: "x" is not a valid choice.'),
            ({"error": ["html content is not valid"]}, "html content is not valid"),
        ],
    )
    def test_message_taken_from_any_known_key(self, body: object, message: str) -> None:
        assert proto.error_message(body, 400) == message

    def test_field_errors_of_a_400(self) -> None:
        err = self._err(400, {"name": ["This field is required."], "assignees": {"0": ["bad"]}})
        assert isinstance(err, BadRequestError)
        assert err.field_errors == {"name": ["This field is required."], "assignees": ["0: bad"]}

    def test_conflict_carries_existing_id(self) -> None:
        err = self._err(409, {"error": "dup", "id": "86f3bc45-4af1-4464-aaa8-0a5bc9432e64"})
        assert isinstance(err, ConflictError)
        assert err.existing_id == uuid.UUID("86f3bc45-4af1-4464-aaa8-0a5bc9432e64")

    def test_rate_limit_error_has_retry_after(self) -> None:
        err = self._err(429, {}, {"Retry-After": "57"})
        assert isinstance(err, RateLimitError)
        assert err.retry_after == 57.0


class TestRetries:
    @pytest.mark.parametrize(
        ("headers", "expected"),
        [
            ({"Retry-After": "2"}, 2.0),
            ({"retry-after": "0"}, 0.0),
            ({}, None),
            ({"Retry-After": "x"}, None),
        ],
    )
    def test_parse_retry_after(self, headers: dict[str, str], expected: float | None) -> None:
        assert proto.parse_retry_after(headers) == expected
