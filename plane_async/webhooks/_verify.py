"""Verify a delivery's signature and parse its typed event: pure functions over the body.

What Plane signs: ``hex(HMAC-SHA256(secret, body))`` over the exact bytes it sends (Python's
``json.dumps(payload)``), lowercase, no prefix, no timestamp. Verify the raw body: parsed
and re-serialised JSON does not give the same bytes.
"""

from __future__ import annotations

import hashlib
import hmac

import orjson

from .._errors import PlaneValueError, WebhookPayloadError, WebhookVerificationError
from .._models._base import structure
from .._models.webhooks import WebhookEvent, event_class

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "Secret",
    "parse_event",
    "secret_key",
    "sign",
    "verify_event",
    "verify_signature",
]

#: the headers Plane sends with every delivery
SIGNATURE_HEADER = "X-Plane-Signature"
DELIVERY_HEADER = "X-Plane-Delivery"
EVENT_HEADER = "X-Plane-Event"

Secret = str | bytes


def secret_key(secret: Secret) -> bytes:
    """``secret`` as the HMAC key, refused (``PlaneValueError``) if it cannot be Plane's."""
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
    return hmac.new(secret_key(secret), _body(body), hashlib.sha256).hexdigest()


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
