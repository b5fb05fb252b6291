"""The exception tree. Everything the client raises is a ``PlaneError``.

::

    PlaneError
    ├── PlaneValueError (also ValueError)   refused before any request: bad id, per_page,
    │   │                                   cursor, field name, key, URL
    │   └── UnknownFieldError               a fields/expand name the model does not know
    ├── ClientClosedError                   the AsyncPlane was closed
    ├── WaitBudgetExceededError (also TimeoutError)  the call's ``wait_budget`` ran out
    │                                       (``retry_after``: seconds until a slot frees)
    ├── LimiterUnavailableError             the shared rate limiter's store (Redis) failed
    ├── FieldError (also AttributeError)    reading a model attribute failed
    │   ├── FieldNotRequestedError          the item was fetched without that field
    │   ├── FieldNotExpandedError           ``*_detail`` of a relation read without expand=
    │   └── FieldValueError                 the server sent a value of an unexpected shape
    ├── PaginationError                     a paged read cannot go on safely
    │   └── PaginationStalledError          the server returned the same page/cursor again
    ├── TransportError                      network fault: no usable HTTP response
    │   └── RequestTimeoutError
    ├── WebhookVerificationError            a webhook's signature is missing or wrong
    ├── WebhookPayloadError (also ValueError)  a webhook body that is not a Plane delivery
    ├── StorageError                        the file storage (S3, MinIO) refused an upload
    │   │                                   or a download
    │   ├── UploadTooLargeError             the file exceeds the server's upload limit
    │   └── DownloadTooLargeError           the file exceeds the download's ``max_bytes``
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

import copy
import json
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ._paging.cursor import Cursor

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "DownloadTooLargeError",
    "ErrorResponse",
    "FieldError",
    "FieldNotExpandedError",
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
    "StorageError",
    "TransportError",
    "UnknownFieldError",
    "UploadTooLargeError",
    "WaitBudgetExceededError",
    "WebhookPayloadError",
    "WebhookVerificationError",
]


class PlaneError(Exception):
    """Base class of every error raised by plane_async.

    ``cursor`` is set when the error ended a paged read: pass it back as ``cursor=`` (or
    save ``str(exc.cursor)``) to resume exactly where the read stopped. ``None`` otherwise.

    Every error pickles with its attributes (``ProcessPoolExecutor`` and
    ``multiprocessing`` send errors between processes): the message and whatever the
    instance holds, including attributes a subclass adds. Tracebacks and chained causes
    are not pickled, as for any exception.
    """

    #: for a paged read, the cursor to resume from (``None`` when no read was under way)
    cursor: Cursor | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own reduce calls cls(*args), which fails for the keyword-only
        # __init__ of most subclasses; rebuild without __init__ and restore __dict__.
        return _rebuild, (type(self), self.args), self.__dict__


def _as_cursor(cursor: Cursor | str | None) -> Cursor | None:
    """A ``Cursor`` from a cursor or its string form (``str(cursor)`` round-trips)."""
    if cursor is None or not isinstance(cursor, str):
        return cursor
    from ._paging.cursor import Cursor  # _cursor imports this module

    return Cursor.parse(cursor)


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


class WaitBudgetExceededError(PlaneError, TimeoutError):
    """The call's ``wait_budget`` ran out: waiting for a rate-limit slot, pausing before a
    retry, or waiting for the answer took longer than the caller allowed.

    ``retry_after``: seconds until the client's limiter expects a slot to be free for a new
    call (0.0 when one is free now), what a service puts in its ``Retry-After``.
    ``budget``: the wait budget in seconds. ``sent``: True when an attempt of this call may
    have reached the server (it was in flight or got an answer that was to be retried); a
    write with ``sent`` False was certainly not made.
    """

    def __init__(self, message: str, *, retry_after: float, budget: float, sent: bool) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.budget = budget
        self.sent = sent


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


class FieldNotExpandedError(FieldError):
    """A relation's ``*_detail`` was read, but the item was fetched without ``expand=`` for
    it (the server sent only the id). The message names the ``expand=`` to add."""


class FieldValueError(FieldError):
    """The server sent this attribute in a shape the model does not expect."""


class PaginationError(PlaneError):
    """A paginated read cannot continue safely. ``cursor`` resumes where it stopped."""

    def __init__(
        self, message: str, *, cursor: Cursor | str | None = None, page: int | None = None
    ) -> None:
        super().__init__(message)
        self.cursor = _as_cursor(cursor)
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
        cursor: Cursor | str | None = None,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.attempts = attempts
        self.cursor = _as_cursor(cursor)


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
        self.cursor = _as_cursor(cursor)

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
        from ._protocol.wire import parse_retry_after

        seconds = parse_retry_after(self.headers)
        if seconds is None:
            return None
        return min(max(seconds, 1.0), self.max_retry_after)


class ServerError(APIError):
    """5xx: the server failed."""


class ResponseDecodeError(APIError):
    """The body is not the JSON it should be (an HTML proxy page, a truncated body)."""


E = TypeVar("E", bound=PlaneError)


def reworded(exc: E, message: str) -> E:
    """A copy of ``exc`` (same class, every attribute) whose message is ``message``: for
    re-raising a server's error with what to do about it."""
    new = copy.copy(exc)  # through __reduce__: every attribute, whoever added it
    new.args = (message,)
    if isinstance(new, APIError):
        new.message = message
    return new


def _rebuild(cls: type[PlaneError], args: tuple[Any, ...]) -> PlaneError:
    """Unpickle a PlaneError: a bare instance with ``args``; pickle then sets ``__dict__``."""
    err = cls.__new__(cls, *args)
    err.args = args  # OSError's __new__ (RequestTimeoutError is a TimeoutError) may not set it
    return err


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
        return "" if self._body is None else json.dumps(self._body)

    def __repr__(self) -> str:
        return f"<ErrorResponse [{self.status_code}] {self.method} {self.url}>"


class StorageError(PlaneError):
    """The file storage Plane hands uploads and downloads to (S3, MinIO) failed.

    ``status`` is the storage's HTTP status (0 for a network fault), ``code`` its error code
    (e.g. ``"AccessDenied"``, ``"EntityTooLarge"``), ``url`` the storage URL without its
    signature, ``body`` its response text.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        url: str | None = None,
        code: str | None = None,
        body: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.url = url
        self.code = code
        self.body = body
        self.attempts = attempts


class DownloadTooLargeError(StorageError):
    """The file is larger than the download's ``max_bytes``: refused when the storage
    announces its size, else once that many bytes arrived (a path destination is then
    removed). ``limit`` is ``max_bytes``; ``size`` the announced size, when known."""

    def __init__(self, message: str, *, limit: int, size: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.limit = limit
        self.size = size


class UploadTooLargeError(StorageError):
    """The file is larger than the server accepts (Plane's ``FILE_SIZE_LIMIT``, 5 MiB by
    default). ``size`` is the file's size and ``limit`` the server's, in bytes, when known."""

    def __init__(self, message: str, *, size: int, limit: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.size = size
        self.limit = limit


class WebhookVerificationError(PlaneError):
    """A webhook delivery's signature is missing or does not match the body (answer 401)."""


class WebhookPayloadError(PlaneError, ValueError):
    """The body is not a Plane webhook payload: not JSON, not an object, no ``event``
    (answer 400)."""
