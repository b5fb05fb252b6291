"""The aiohttp.web receiver for Plane's webhooks (imports aiohttp.web when first used)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from .._models.webhooks import WebhookEvent
from ._dedupe import Deduplicator
from ._receive import Receiver
from ._verify import DELIVERY_HEADER, SIGNATURE_HEADER, Secret

__all__ = ["aiohttp_handler"]

OnEvent = Callable[[WebhookEvent], Awaitable[object]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def aiohttp_handler(
    secret: Secret, on_event: OnEvent, *, dedupe: Deduplicator | bool = True
) -> Handler:
    """An aiohttp.web handler for Plane's deliveries::

        app.router.add_post("/plane/webhook", aiohttp_handler(secret, on_event))

    It reads the raw body once, answers 401 on a missing or wrong signature and 400 on a
    body that is not a Plane delivery, awaits ``on_event(event)`` and answers 200. A
    repeated delivery (same body, see ``WebhookEvent.dedupe_key``) is answered 200
    without calling ``on_event`` unless ``dedupe=False``; pass a shared
    :class:`Deduplicator` to share memory between endpoints. Plane waits 30 s at most:
    keep ``on_event`` short (put the event on a queue).
    """
    receiver = Receiver(secret, dedupe)

    async def plane_webhook(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        status, text, event = receiver.receive(
            body, request.headers.get(SIGNATURE_HEADER), request.headers.get(DELIVERY_HEADER)
        )
        if event is not None:
            try:
                await on_event(event)
            except BaseException:
                receiver.failed(event)
                raise
        return web.Response(status=status, text=text)

    return plane_webhook
