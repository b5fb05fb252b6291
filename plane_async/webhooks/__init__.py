"""Plane's webhooks: verify the signature, parse typed events, collapse retries.

Pure functions over the request body; no web framework is imported here. The receivers
for aiohttp.web (:func:`aiohttp_handler`) and FastAPI/Starlette (:class:`WebhookDependency`)
load their framework only when first used.

::

    from plane_async.webhooks import verify_event, IssueEvent

    event = verify_event(secret, body, headers.get("X-Plane-Signature"))  # raw body bytes
    if isinstance(event, IssueEvent) and event.action == "updated":
        print(event.activity.field, event.data.name)

What Plane signs: ``hex(HMAC-SHA256(secret, body))`` over the exact bytes it sends (Python's
``json.dumps(payload)``), lowercase, no prefix, no timestamp. Verify the raw body: parsed
and re-serialised JSON does not give the same bytes.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from .._errors import PlaneError, PlaneValueError
from .._models._base import structure
from .._models.webhooks import (
    CommentEvent,
    CycleEvent,
    IssueEvent,
    ModuleEvent,
    ProjectEvent,
    WebhookAction,
    WebhookActivity,
    WebhookEvent,
    event_class,
)

if TYPE_CHECKING:
    from .aiohttp import aiohttp_handler
    from .asgi import WebhookDependency

__all__ = [
    "CommentEvent",
    "CycleEvent",
    "Deduplicator",
    "IssueEvent",
    "ModuleEvent",
    "ProjectEvent",
    "WebhookAction",
    "WebhookActivity",
    "WebhookDependency",
    "WebhookEvent",
    "WebhookPayloadError",
    "WebhookVerificationError",
    "aiohttp_handler",
    "parse_event",
    "sign",
    "verify_event",
    "verify_signature",
]

#: the headers Plane sends with every delivery
SIGNATURE_HEADER = "X-Plane-Signature"
DELIVERY_HEADER = "X-Plane-Delivery"
EVENT_HEADER = "X-Plane-Event"

Secret = str | bytes


class WebhookVerificationError(PlaneError):
    """The signature is missing or does not match the body (answer 401)."""


class WebhookPayloadError(PlaneError, ValueError):
    """The body is not a Plane webhook payload: not JSON, not an object, no ``event``
    (answer 400)."""


def _key(secret: Secret) -> bytes:
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    elif not isinstance(secret, bytes):
        raise PlaneValueError(
            f"the webhook secret must be str or bytes, not {type(secret).__name__}"
        )
    if not secret:
        raise PlaneValueError(
            "the webhook secret is empty: pass the secret Plane shows for this webhook "
            "(plane_wh_...); an empty key would accept anyone's signature"
        )
    if secret != secret.strip() or any(b < 0x20 or b == 0x7F for b in secret):
        raise PlaneValueError(
            "the webhook secret has whitespace or control characters (a trailing newline "
            "from a file or an environment variable?): strip it; Plane signs with the "
            "secret exactly as it shows it"
        )
    return secret


def _body(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    raise PlaneValueError(
        f"pass the raw request body as bytes, not {type(body).__name__}: Plane signs the "
        "exact bytes it sent, and decoded or re-serialised JSON does not match them "
        "(aiohttp: await request.read(); Starlette: await request.body())"
    )


def sign(secret: Secret, body: bytes) -> str:
    """The signature Plane sends for ``body``: lowercase hex HMAC-SHA256."""
    return hmac.new(_key(secret), _body(body), hashlib.sha256).hexdigest()


def verify_signature(secret: Secret, body: bytes, signature: str | None) -> bool:
    """Whether ``signature`` (the ``X-Plane-Signature`` header) signs ``body`` with
    ``secret``. Constant-time; a missing or malformed signature is False. An empty secret
    raises :class:`~plane_async.PlaneValueError`."""
    expected = sign(secret, body).encode("ascii")
    if not isinstance(signature, str):
        return False
    given = signature.strip().lower().encode("ascii", "replace")
    return hmac.compare_digest(expected, given)


def parse_event(body: bytes | str, *, delivery_id: str | None = None) -> WebhookEvent:
    """The typed event in a delivery's body (does not verify it: see :func:`verify_event`).

    Returns ``IssueEvent``, ``ProjectEvent``, ``CycleEvent``, ``ModuleEvent`` or
    ``CommentEvent``, or a plain ``WebhookEvent`` for a kind this client does not know.
    Fields are converted when read, as in every model. ``delivery_id`` is the
    ``X-Plane-Delivery`` header, kept for logging.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    body = _body(body)
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise WebhookPayloadError(f"the webhook body is not JSON: {exc}") from None
    if type(payload) is not dict:
        raise WebhookPayloadError(
            f"the webhook body is a JSON {type(payload).__name__}, not an object"
        )
    kind = payload.get("event")
    if type(kind) is not str or not kind:
        raise WebhookPayloadError('the webhook body has no "event": not a Plane delivery')
    event = structure(event_class(kind), payload)
    object.__setattr__(event, "_dedupe_key", hashlib.sha256(body).hexdigest())
    if delivery_id is not None:
        object.__setattr__(event, "_delivery_id", delivery_id)
    return event


def verify_event(
    secret: Secret, body: bytes, signature: str | None, *, delivery_id: str | None = None
) -> WebhookEvent:
    """Verify, then parse: the strict form every receiver should use.

    Raises :class:`WebhookVerificationError` when the signature is missing or wrong and
    :class:`WebhookPayloadError` when the body is not a Plane delivery.
    """
    if not signature:
        raise WebhookVerificationError(
            f"no {SIGNATURE_HEADER} header: the request is not from Plane, or the webhook "
            "has no secret"
        )
    if not verify_signature(secret, body, signature):
        raise WebhookVerificationError(
            f"{SIGNATURE_HEADER} does not match the body: a different secret, a body "
            "changed on the way (decoded or re-serialised?), or not from Plane"
        )
    return parse_event(body, delivery_id=delivery_id)


class Deduplicator:
    """Remembers the last ``maxsize`` :attr:`~WebhookEvent.dedupe_key` values, in memory.

    Plane re-sends a delivery (same body, new ``X-Plane-Delivery``) when the connection
    fails or the receiver takes longer than 30 s, up to 5 times over about an hour:
    ``first(event)`` is True once per body. It is per process: workers behind a load
    balancer need a shared store (for example Redis ``SET key 1 NX EX 7200``).
    """

    __slots__ = ("_keys", "maxsize")

    def __init__(self, maxsize: int = 10_000) -> None:
        if type(maxsize) is not int or maxsize < 1:
            raise PlaneValueError(f"maxsize must be a positive int, not {maxsize!r}")
        self.maxsize = maxsize
        self._keys: collections.OrderedDict[str, None] = collections.OrderedDict()

    def first(self, event: WebhookEvent | str) -> bool:
        """True the first time this event (or dedupe key) is seen; it is then remembered."""
        key = event if isinstance(event, str) else event.dedupe_key
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        if len(self._keys) > self.maxsize:
            self._keys.popitem(last=False)
        return True

    def forget(self, event: WebhookEvent | str) -> None:
        """Forget an event, so that a re-delivery is handled again (after a failure)."""
        self._keys.pop(event if isinstance(event, str) else event.dedupe_key, None)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"<Deduplicator {len(self._keys)}/{self.maxsize} keys>"


_LAZY: dict[str, Callable[[], Any]] = {
    "aiohttp_handler": lambda: (
        __import__("plane_async.webhooks.aiohttp", fromlist=["x"]).aiohttp_handler
    ),
    "WebhookDependency": lambda: (
        __import__("plane_async.webhooks.asgi", fromlist=["x"]).WebhookDependency
    ),
}


def __getattr__(name: str) -> Any:
    # The receivers import their web framework: only when asked for.
    loader = _LAZY.get(name)
    if loader is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = loader()
    globals()[name] = value
    return value
