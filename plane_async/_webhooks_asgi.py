"""The FastAPI/Starlette receiver for Plane's webhooks (imports Starlette when first used).

No ``from __future__ import annotations`` here: FastAPI reads the annotation of
``__call__`` at run time to know that it wants the ``Request``.
"""

from starlette.exceptions import HTTPException
from starlette.requests import Request

from ._models.webhooks import WebhookEvent
from ._webhooks_receive import Receiver
from .webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, Deduplicator, Secret

__all__ = ["WebhookDependency"]


class WebhookDependency:
    """A FastAPI dependency that yields the verified, parsed event::

        plane_event = WebhookDependency(os.environ["PLANE_WEBHOOK_SECRET"])

        @app.post("/plane/webhook")
        async def receive(event: Annotated[WebhookEvent, Depends(plane_event)]) -> None:
            queue.put_nowait(event)

    It reads the raw body once and answers 401 on a missing or wrong signature, 400 on a
    body that is not a Plane delivery, and 200 without calling the endpoint for a
    repeated delivery (unless ``dedupe=False``). In plain Starlette, ``await
    plane_event(request)`` inside an endpoint does the same (it raises ``HTTPException``).
    """

    __slots__ = ("_receiver",)

    def __init__(self, secret: Secret, *, dedupe: Deduplicator | bool = True) -> None:
        self._receiver = Receiver(secret, dedupe)

    def __repr__(self) -> str:
        return f"<WebhookDependency dedupe={self._receiver.dedupe!r}>"

    @property
    def dedupe(self) -> Deduplicator | None:
        """The deduplicator (None with ``dedupe=False``): ``forget(event)`` after a failure."""
        return self._receiver.dedupe

    async def __call__(self, request: Request) -> WebhookEvent:
        body = await request.body()
        status, text, event = self._receiver.receive(
            body, request.headers.get(SIGNATURE_HEADER), request.headers.get(DELIVERY_HEADER)
        )
        if event is None:
            raise HTTPException(status_code=status, detail=text)
        return event
