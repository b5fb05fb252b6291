"""Plane's webhooks: verify the signature, parse typed events, collapse retries.

Pure functions over the request body; no web framework is imported here. The receivers
are submodules that import their framework: ``plane_async.webhooks.aiohttp`` (the
:func:`~plane_async.webhooks.aiohttp.aiohttp_handler` for aiohttp.web) and
``plane_async.webhooks.asgi`` (the
:class:`~plane_async.webhooks.asgi.WebhookDependency` for FastAPI and Starlette).

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

import warnings
from typing import TYPE_CHECKING, Any

from .._errors import WebhookPayloadError, WebhookVerificationError
from .._models.webhooks import (
    CommentEvent,
    CycleEvent,
    IssueEvent,
    ModuleEvent,
    ProjectEvent,
    WebhookAction,
    WebhookActivity,
    WebhookEvent,
)
from ._dedupe import Deduplicator
from ._verify import DELIVERY_HEADER as DELIVERY_HEADER
from ._verify import EVENT_HEADER as EVENT_HEADER
from ._verify import SIGNATURE_HEADER as SIGNATURE_HEADER
from ._verify import Secret as Secret
from ._verify import parse_event, sign, verify_event, verify_signature

if TYPE_CHECKING:  # the old paths still type-check while they are deprecated
    from .aiohttp import aiohttp_handler as aiohttp_handler
    from .asgi import WebhookDependency as WebhookDependency

__all__ = [
    "CommentEvent",
    "CycleEvent",
    "Deduplicator",
    "IssueEvent",
    "ModuleEvent",
    "ProjectEvent",
    "WebhookAction",
    "WebhookActivity",
    "WebhookEvent",
    "WebhookPayloadError",
    "WebhookVerificationError",
    "parse_event",
    "sign",
    "verify_event",
    "verify_signature",
]


def __getattr__(name: str) -> Any:
    # Deprecated: the receivers were attributes of this package; they are submodules now,
    # imported by the user, because each loads its web framework.
    if name == "aiohttp_handler":
        from . import aiohttp as receiver
    elif name == "WebhookDependency":
        from . import asgi as receiver  # type: ignore[no-redef]
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"plane_async.webhooks.{name} is deprecated and will be removed in the next "
        f"release: import it from {receiver.__name__} instead",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(receiver, name)
