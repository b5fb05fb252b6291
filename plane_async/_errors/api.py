"""The server's error answers (``APIError`` and its subclasses, one per status), the
response behind them, and the ``Retry-After`` header a 429 carries."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from .base import Cursor, PlaneError, as_cursor

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ErrorResponse",
    "InvalidAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ServerError",
    "parse_retry_after",
    "reworded",
]


class APIError(PlaneError):
    """The server answered with an error status.

    ``status``, ``method``, ``url``, the parsed ``body`` (dict, list, str or None) and the
    response ``headers`` are kept for inspection.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        url: str,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        attempts: int = 1,
        cursor: Cursor | str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.url = url
        self.body = body
        self.headers: Mapping[str, str] = dict(headers or {})
        self.attempts = attempts
        self.cursor = as_cursor(cursor)

    @property
    def status_code(self) -> int:
        """The HTTP status (an alias of ``status``, as in httpx and openai-python)."""
        return self.status

    @property
    def response(self) -> ErrorResponse:
        """The response as a read-only record (``exc.response.status_code``, ``.headers``,
        ``.json()``), for code written against httpx-based clients. The request's headers,
        and so the API key, are not part of it."""
        return ErrorResponse(self.status, self.method, self.url, self.headers, self.body)

    def __str__(self) -> str:
        return f"{self.status} {self.method} {self.url}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, method={self.method!r}, "
            f"url={self.url!r}, message={self.message!r})"
        )


class BadRequestError(APIError):
    """400: the server refused the input. ``field_errors`` maps field names to messages."""

    @property
    def field_errors(self) -> dict[str, list[str]]:
        body = self.body
        if not isinstance(body, dict):
            return {}
        out: dict[str, list[str]] = {}
        for key, value in body.items():
            if key in ("detail", "error", "error_message", "message", "code", "status"):
                continue
            out[key] = _flatten_messages(value)
        return out


class AuthenticationError(APIError):
    """401: no API key was sent."""


class PermissionDeniedError(APIError):
    """403: not allowed. Plane also answers 403 for an unknown workspace or project."""


class InvalidAPIKeyError(PermissionDeniedError):
    """403 because the API key is wrong, expired or deactivated."""


class NotFoundError(APIError):
    """404: no such object (or no such route: a malformed id, an older server)."""


class ConflictError(APIError):
    """409: a duplicate. ``existing_id`` is the id of the object that already exists."""

    @property
    def existing_id(self) -> uuid.UUID | None:
        body = self.body
        if isinstance(body, dict):
            # workspace assets name it "asset_id"
            raw = body.get("id", body.get("asset_id"))
            if isinstance(raw, str):
                try:
                    return uuid.UUID(raw)
                except ValueError:
                    return None
        return None


class RateLimitError(APIError):
    """429: too many requests. ``retry_after`` is in seconds (None if not sent)."""

    #: the longest ``retry_after`` reports: the client sets its ``RateLimit.max_retry_after``
    max_retry_after: float = 300.0

    @property
    def retry_after(self) -> float | None:
        """The pause the server asked for, as the client's limiter applies it: at least one
        second and at most ``max_retry_after`` (a hostile or broken ``Retry-After`` such as
        ``inf`` or a million seconds would hang a caller that sleeps on it)."""
        seconds = parse_retry_after(self.headers)
        if seconds is None:
            return None
        return min(max(seconds, 1.0), self.max_retry_after)


class ServerError(APIError):
    """5xx: the server failed."""


class ResponseDecodeError(APIError):
    """The body is not the JSON it should be (an HTML proxy page, a truncated body)."""


class ResponseTooLargeError(ResponseDecodeError):
    """The body is larger than the client's ``max_response_bytes``; it was not read."""


class ErrorResponse:
    """The HTTP response behind an ``APIError`` (see ``APIError.response``)."""

    __slots__ = ("_body", "headers", "method", "status_code", "url")

    def __init__(
        self, status_code: int, method: str, url: str, headers: Mapping[str, str], body: Any
    ) -> None:
        self.status_code = status_code
        self.method = method
        self.url = url
        self.headers: Mapping[str, str] = headers
        self._body = body

    def json(self) -> Any:
        """The parsed JSON body (``None`` for an empty one); ``ValueError`` if it was not JSON."""
        if isinstance(self._body, str):
            raise ValueError(
                f"the {self.status_code} response body is not JSON: {self.text!r:.200}"
            )
        return self._body

    @property
    def text(self) -> str:
        """The body as text (JSON bodies re-encoded)."""
        if isinstance(self._body, str):
            return self._body
        if self._body is None:
            return ""
        import json  # here, where an error is shown, to keep `import plane_async` fast

        return json.dumps(self._body)

    def __repr__(self) -> str:
        return f"<ErrorResponse [{self.status_code}] {self.method} {self.url}>"


E = TypeVar("E", bound=PlaneError)


def reworded(exc: E, message: str) -> E:
    """A copy of ``exc`` (same class, every attribute) whose message is ``message``: for
    re-raising a server's error with what to do about it."""
    new = copy.copy(exc)  # through __reduce__: every attribute, whoever added it
    new.args = (message,)
    if isinstance(new, APIError):
        new.message = message
    return new


def _flatten_messages(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [m for v in value for m in _flatten_messages(v)]
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _flatten_messages(v)]
    return [str(value)]


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a ``Retry-After`` header (integer seconds or an HTTP date); None if absent."""
    value = None
    for name, v in headers.items():
        if name.lower() == "retry-after":
            value = v
            break
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            # email.utils is imported here, on the rare HTTP-date Retry-After, to keep
            # `import plane_async` fast.
            from email.utils import parsedate_to_datetime

            when = parsedate_to_datetime(value)
            seconds = (when - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError, IndexError):
            return None
    if seconds != seconds:  # NaN; an infinite value stays infinite for the caller's cap
        return None
    return max(0.0, seconds)
