"""The exception tree. Everything the client raises is a ``PlaneError``.

::

    PlaneError
    ├── PlaneValueError (also ValueError)   refused before any request: bad id, per_page,
    │   │                                   cursor, field name, key, URL
    │   └── UnknownFieldError               a fields/expand name the model does not know
    ├── ClientClosedError                   the AsyncPlane was closed
    ├── LimiterUnavailableError             the shared rate limiter's store (Redis) failed
    ├── FieldError (also AttributeError)    reading a model attribute failed
    │   ├── FieldNotRequestedError          the item was fetched without that field
    │   └── FieldValueError                 the server sent a value of an unexpected shape
    ├── PaginationError                     a paged read cannot go on safely
    │   └── PaginationStalledError          the server returned the same page/cursor again
    ├── TransportError                      network fault: no usable HTTP response
    │   └── RequestTimeoutError
    └── APIError                            the server answered with an error status
        ├── BadRequestError          400
        ├── AuthenticationError      401 (missing key)
        ├── PermissionDeniedError    403
        │   └── InvalidAPIKeyError   403 whose body says the key is invalid or expired
        ├── NotFoundError            404
        ├── ConflictError            409 (``existing_id``)
        ├── RateLimitError           429 (``retry_after``)
        ├── ServerError              5xx
        └── ResponseDecodeError      a body that is not the JSON it claims to be
            └── ResponseTooLargeError  a body larger than ``max_response_bytes``

No exception ever carries the API key: requests are described by method and URL only,
and headers are copied from the *response*.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "FieldError",
    "FieldNotRequestedError",
    "FieldValueError",
    "InvalidAPIKeyError",
    "LimiterUnavailableError",
    "NotFoundError",
    "PaginationError",
    "PaginationStalledError",
    "PermissionDeniedError",
    "PlaneError",
    "PlaneValueError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ServerError",
    "TransportError",
    "UnknownFieldError",
]


class PlaneError(Exception):
    """Base class of every error raised by plane_async."""


class PlaneValueError(PlaneError, ValueError):
    """Input refused before any request was sent; the message says what is accepted."""


class UnknownFieldError(PlaneValueError):
    """A ``fields``/``expand`` name the resource's model does not know."""

    def __init__(self, message: str, *, name: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.name = name
        self.suggestions = suggestions


class ClientClosedError(PlaneError, RuntimeError):
    """The client was closed; create a new ``AsyncPlane`` to send more requests."""


class LimiterUnavailableError(PlaneError):
    """The shared rate limiter cannot reach its store (Redis): no request was sent.

    Sending anyway could burst past the key's limit for the whole fleet; pass
    ``fallback="local"`` to ``RedisLimiter`` to fall back to the in-process limiter instead.
    """


class FieldError(PlaneError, AttributeError):
    """Reading one attribute of a model failed; the item's other attributes still work."""

    def __init__(self, message: str, *, model: str, field: str, item_id: object = None) -> None:
        super().__init__(message)
        self.model = model
        self.field = field
        self.item_id = item_id


class FieldNotRequestedError(FieldError):
    """The item was fetched with ``fields=`` that did not include this attribute."""


class FieldValueError(FieldError):
    """The server sent this attribute in a shape the model does not expect."""


class PaginationError(PlaneError):
    """A paginated read cannot continue safely. ``cursor`` resumes where it stopped."""

    def __init__(self, message: str, *, cursor: str | None = None, page: int | None = None) -> None:
        super().__init__(message)
        self.cursor = cursor
        self.page = page


class PaginationStalledError(PaginationError):
    """The server returned the same cursor or the same page twice (it would loop forever)."""


class TransportError(PlaneError):
    """The request got no usable HTTP response (connection refused or reset, DNS, TLS...)."""

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        attempts: int = 1,
        cursor: str | None = None,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.attempts = attempts
        #: for a paginated read, the cursor to resume from
        self.cursor = cursor


class RequestTimeoutError(TransportError, TimeoutError):
    """The request timed out (connect or total timeout)."""


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
        cursor: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.url = url
        self.body = body
        self.headers: Mapping[str, str] = dict(headers or {})
        self.attempts = attempts
        #: for a paginated read, the cursor to resume from
        self.cursor = cursor

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
            raw = body.get("id")
            if isinstance(raw, str):
                try:
                    return uuid.UUID(raw)
                except ValueError:
                    return None
        return None


class RateLimitError(APIError):
    """429: too many requests. ``retry_after`` is in seconds (None if not sent)."""

    @property
    def retry_after(self) -> float | None:
        from ._protocol import parse_retry_after

        return parse_retry_after(self.headers)


class ServerError(APIError):
    """5xx: the server failed."""


class ResponseDecodeError(APIError):
    """The body is not the JSON it should be (an HTML proxy page, a truncated body)."""


def _flatten_messages(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [m for v in value for m in _flatten_messages(v)]
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _flatten_messages(v)]
    return [str(value)]


class ResponseTooLargeError(ResponseDecodeError):
    """The body is larger than the client's ``max_response_bytes``; it was not read."""
