"""What the client refuses or meets on its own side: input, a closed client, a wait budget,
the shared limiter's store, a model's fields, a paged read, the network."""

from __future__ import annotations

from .base import Cursor, PlaneError, PlaneValueError, as_cursor

__all__ = [
    "ClientClosedError",
    "FieldError",
    "FieldNotExpandedError",
    "FieldNotRequestedError",
    "FieldValueError",
    "LimiterUnavailableError",
    "PaginationError",
    "PaginationStalledError",
    "RequestTimeoutError",
    "TransportError",
    "UnknownFieldError",
    "WaitBudgetExceededError",
]


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
        self.cursor = as_cursor(cursor)
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
        self.cursor = as_cursor(cursor)


class RequestTimeoutError(TransportError, TimeoutError):
    """The request timed out (connect or total timeout)."""
