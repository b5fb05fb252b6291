"""What the transport reports while it works: one ``Exchange`` per request, told about
each attempt, and the observers that turn that into logs, hooks and telemetry.

The transport calls the exchange at a few points (queued for the limiter, admitted, an
attempt's outcome, a retry, the end); everything that watches requests is an observer
in a list, so the retry loop holds no ``if telemetry:``. Logging (``_logs.py``) is always
an observer; OpenTelemetry (``_telemetry.py``) is one when enabled; users' ``on_request``
and ``on_response`` hooks receive a frozen :class:`RequestEvent`.

A logical call (``plane.issues.list``) is an :class:`Operation`, set in a context
variable by ``_operations.py`` while the call (or one step of its generator) runs; the
requests it sends find it there.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

import attrs

from .._errors import APIError, PlaneValueError, TransportError

__all__ = [
    "Attempt",
    "Exchange",
    "Hook",
    "Hooks",
    "Observer",
    "Observers",
    "Operation",
    "RequestEvent",
    "current_operation",
    "path_template",
]


class Attempt:
    """What one attempt produced, as the observers see it: a status with raw bytes, or a
    transport error (``error``), and the seconds it took once admitted (``elapsed``)."""

    __slots__ = ("elapsed", "error", "headers", "raw", "status")

    def __init__(self) -> None:
        self.elapsed = 0.0
        self.status = 0
        self.headers: Mapping[str, str] = {}
        self.raw = b""
        self.error: TransportError | APIError | None = None


logger = logging.getLogger("plane_async")

#: an ``on_request`` / ``on_response`` callable: async (or a plain function)
Hook = Callable[["RequestEvent"], Awaitable[None] | None]

_EMPTY: Mapping[str, str] = {}


@attrs.frozen(slots=True)
class RequestEvent:
    """What a hook sees of one attempt (read-only; never the API key).

    ``path`` is relative to ``/api/v1/`` with its real ids, ``path_template`` the same
    with ids replaced (``workspaces/{workspace_slug}/projects/{project_id}/``), for metric
    labels. ``operation`` is the call that sent it (``"issues.list"``; ``"request"`` for
    ``plane.request()``). ``attempt`` counts from 1. ``limiter_wait`` is the seconds this
    attempt waited for the rate limiter (a 429's pause included). ``status``, ``elapsed``
    (seconds of the HTTP exchange) and ``headers`` (the response's) are None/empty in
    ``on_request``, and ``status`` is None when no response came (``error`` then names
    the exception type, e.g. ``"RequestTimeoutError"``).
    """

    method: str
    path: str
    path_template: str
    operation: str
    attempt: int
    limiter_wait: float
    status: int | None = None
    elapsed: float | None = None
    error: str | None = None
    headers: Mapping[str, str] = _EMPTY


class Operation:
    """One logical call (``issues.list``): the requests it sends, the items it yields."""

    __slots__ = ("items", "name", "scope")

    def __init__(self, name: str) -> None:
        self.name = name
        self.items = 0
        #: what the OpenTelemetry observer keeps for this call (its span)
        self.scope: Any = None


current_operation: contextvars.ContextVar[Operation | None] = contextvars.ContextVar(
    "plane_async_operation", default=None
)


class Observer(Protocol):
    """Told about every logical call and every request; must not raise or block."""

    def operation_started(self, op: Operation) -> None: ...
    def operation_finished(self, op: Operation, error: BaseException | None) -> None: ...
    def started(self, ex: Exchange) -> None: ...
    def sending(self, ex: Exchange) -> None: ...
    def received(self, ex: Exchange, out: Attempt) -> None: ...
    def retrying(self, ex: Exchange, reason: str, delay: float) -> None: ...
    def finished(self, ex: Exchange, error: BaseException | None) -> None: ...


# ---------------------------------------------------------------------------- hooks


def _as_hooks(value: object, name: str) -> tuple[Hook, ...]:
    if value is None:
        return ()
    hooks = tuple(value) if isinstance(value, Sequence) and not isinstance(value, str) else (value,)
    for hook in hooks:
        if not callable(hook):
            raise PlaneValueError(
                f"{name} must be an async function taking a RequestEvent (or a list of them), "
                f"got {hook!r}"
            )
    return hooks


@attrs.frozen
class Hooks:
    """Users' ``on_request`` / ``on_response`` callables, checked."""

    on_request: tuple[Hook, ...] = ()
    on_response: tuple[Hook, ...] = ()

    @classmethod
    def of(cls, on_request: object, on_response: object) -> Hooks | None:
        hooks = cls(_as_hooks(on_request, "on_request"), _as_hooks(on_response, "on_response"))
        return hooks if hooks.on_request or hooks.on_response else None


async def _call_hooks(hooks: tuple[Hook, ...], event: RequestEvent, kind: str) -> None:
    for hook in hooks:
        try:
            result = hook(event)
            if inspect.isawaitable(result):
                await result
        except Exception:
            # a hook is the user's code: its bug is logged, the request goes on
            logger.exception(
                "%s hook %s failed for %s %s",
                kind, getattr(hook, "__qualname__", repr(hook)), event.method, event.path,
            )  # fmt: skip


# ---------------------------------------------------------------------------- the exchange


class Observers:
    """The observers of one client, and its hooks; ``begin`` starts a request's exchange."""

    __slots__ = ("hooks", "observers", "traced")

    def __init__(self, observers: Sequence[Observer], hooks: Hooks | None = None) -> None:
        self.observers = tuple(observers)
        self.hooks = hooks
        #: whether logical calls need to be tracked (anything beyond logging)
        self.traced = hooks is not None or len(self.observers) > 1

    def begin(self, method: str, path: str, params: Mapping[str, str] | None) -> Exchange:
        return Exchange(self, method, path, params)

    def operation_started(self, op: Operation) -> None:
        for o in self.observers:
            o.operation_started(op)

    def operation_finished(self, op: Operation, error: BaseException | None) -> None:
        for o in self.observers:
            o.operation_finished(op, error)


class Exchange:
    """One request with all its attempts, as the transport reports it."""

    __slots__ = (
        "_hub",
        "_queued_at",
        "_template",
        "_time",
        "attempt",
        "backoff",
        "limiter_wait",
        "limiter_wait_total",
        "method",
        "op",
        "params",
        "path",
        "retries",
        "scope",
        "sent_at",
        "started_at",
        "status",
    )

    def __init__(
        self, hub: Observers, method: str, path: str, params: Mapping[str, str] | None
    ) -> None:
        self._hub = hub
        self.method = method
        self.path = path
        self.params = params
        self.op = current_operation.get()
        self._template: str | None = None
        self._time = asyncio.get_running_loop().time
        self.started_at = self._queued_at = self.sent_at = self._time()
        self.attempt = 0
        #: seconds the current attempt waited for the limiter; the request's total
        self.limiter_wait = self.limiter_wait_total = 0.0
        #: seconds slept before retries (backoff and Retry-After of 5xx)
        self.backoff = 0.0
        #: why each retry happened: "429", "503", "TransportError", ...
        self.retries: list[str] = []
        self.status: int | None = None
        #: what the OpenTelemetry observer keeps for this request
        self.scope: Any = None
        for o in hub.observers:
            o.started(self)

    @property
    def template(self) -> str:
        """The path with its ids replaced; computed on first use."""
        if self._template is None:
            self._template = path_template(self.path)
        return self._template

    @property
    def operation(self) -> str:
        return self.op.name if self.op is not None else "request"

    def now(self) -> float:
        """The event loop's clock (what the limiter and the retry pauses run on)."""
        return self._time()

    def queued(self) -> None:
        """An attempt starts: it now waits for a limiter slot."""
        self.attempt += 1
        self._queued_at = self._time()

    async def admitted(self) -> None:
        """The attempt holds its slot and is about to be sent."""
        self.sent_at = self._time()
        self.limiter_wait = self.sent_at - self._queued_at
        self.limiter_wait_total += self.limiter_wait
        for o in self._hub.observers:
            o.sending(self)
        hooks = self._hub.hooks
        if hooks is not None and hooks.on_request:
            await _call_hooks(hooks.on_request, self._event(None), "on_request")

    async def received(self, out: Attempt) -> None:
        """The attempt ended: a response (any status) or a network error in ``out.error``."""
        self.status = out.status if out.error is None else None
        for o in self._hub.observers:
            o.received(self, out)
        hooks = self._hub.hooks
        if hooks is not None and hooks.on_response:
            await _call_hooks(hooks.on_response, self._event(out), "on_response")

    def retrying(self, reason: str, delay: float) -> None:
        """The request will be sent again after ``delay`` seconds (0: the limiter's pause)."""
        self.retries.append(reason)
        self.backoff += delay
        for o in self._hub.observers:
            o.retrying(self, reason, delay)

    def finished(self, error: BaseException | None) -> None:
        for o in self._hub.observers:
            o.finished(self, error)

    def _event(self, out: Attempt | None) -> RequestEvent:
        if out is None:
            return RequestEvent(self.method, self.path, self.template, self.operation,
                                self.attempt, self.limiter_wait)  # fmt: skip
        error = type(out.error).__name__ if out.error is not None else None
        return RequestEvent(
            self.method, self.path, self.template, self.operation, self.attempt,
            self.limiter_wait, self.status, out.elapsed, error, out.headers,
        )  # fmt: skip


# ---------------------------------------------------------------------------- templates

_UUID = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
)
_IDENTIFIER = re.compile(r"[A-Za-z0-9_]{1,12}-\d{1,10}")
#: whole segments that are certainly ids (UUIDs, decimal numbers), and identifiers not
#: starting with a digit: one pass each over a path turns its ids into stand-ins that
#: template the same, so the paths of one endpoint share one cached template
_ID_SEGMENTS = re.compile(rf"(?<![^/])(?:{_UUID.pattern}|\d+)(?![^/])")
_IDENTIFIER_SEGMENTS = re.compile(rf"(?<![^/])(?![0-9]){_IDENTIFIER.pattern}(?![^/])")


@functools.lru_cache(maxsize=512)
def path_template(path: str) -> str:
    """The path with its ids replaced, e.g. ``workspaces/acme/projects/<uuid>/`` ->
    ``workspaces/{workspace_slug}/projects/{project_id}/``.

    Ids (UUIDs, numbers, ``WEB-12`` identifiers) and the workspace slug become
    placeholders named after the collection before them, so a template has no per-object
    cardinality.
    """
    return _template(_IDENTIFIER_SEGMENTS.sub("A-1", _ID_SEGMENTS.sub("0", path)))


@functools.lru_cache(maxsize=512)
def _template(path: str) -> str:
    out: list[str] = []
    previous = ""
    for segment in path.strip("/").split("/"):
        if previous == "workspaces":
            out.append("{workspace_slug}")
        elif _UUID.fullmatch(segment) or segment.isdigit():
            out.append("{" + _singular(previous) + "_id}" if previous else "{id}")
        elif _IDENTIFIER.fullmatch(segment) and not segment[0].isdigit():
            out.append("{identifier}")
        else:
            out.append(segment)
        previous = segment if not out[-1].startswith("{") else ""
    return "/".join(out) + "/"


def _singular(collection: str) -> str:
    name = collection.replace("-", "_")
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") else name
