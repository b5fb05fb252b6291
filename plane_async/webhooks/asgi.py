"""The FastAPI/Starlette receiver for Plane's webhooks (imports Starlette when first used).

No ``from __future__ import annotations`` here: FastAPI reads the annotation of
``__call__`` at run time to know that it wants the ``Request``.
"""

from starlette.exceptions import HTTPException
from starlette.requests import Request

from .._errors import PlaneValueError
from .._models.webhooks import WebhookEvent
from ._dedupe import Deduplicator
from ._receive import Receiver
from ._verify import DELIVERY_HEADER, SIGNATURE_HEADER, Secret

__all__ = ["WebhookDependency"]

#: The default ``max_body_bytes``: far above any delivery Plane sends (one object as JSON).
MAX_BODY_BYTES = 10 * 2**20


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
    A body over ``max_body_bytes`` (default 10 MiB) is answered 413 without being read
    whole: the endpoint is open to anyone until the signature is checked.
    """

    __slots__ = ("_receiver", "max_body_bytes")

    def __init__(
        self,
        secret: Secret,
        *,
        dedupe: Deduplicator | bool = True,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        if type(max_body_bytes) is not int or max_body_bytes < 1:
            raise PlaneValueError(f"max_body_bytes must be a positive int, got {max_body_bytes!r}")
        self._receiver = Receiver(secret, dedupe)
        #: the largest body read; a larger one is answered 413
        self.max_body_bytes = max_body_bytes

    def __repr__(self) -> str:
        return f"<WebhookDependency dedupe={self._receiver.dedupe!r}>"

    @property
    def dedupe(self) -> Deduplicator | None:
        """The deduplicator (None with ``dedupe=False``): ``forget(event)`` after a failure."""
        return self._receiver.dedupe

    async def __call__(self, request: Request) -> WebhookEvent:
        body = await self._read(request)
        status, text, event = self._receiver.receive(
            body, request.headers.get(SIGNATURE_HEADER), request.headers.get(DELIVERY_HEADER)
        )
        if event is None:
            raise HTTPException(status_code=status, detail=text)
        return event

    async def _read(self, request: Request) -> bytes:
        limit = self.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self._too_large()
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise self._too_large()
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self) -> HTTPException:
        return HTTPException(
            status_code=413,
            detail=f"body over {self.max_body_bytes} bytes: not a Plane delivery "
            "(raise WebhookDependency(max_body_bytes=...) if yours are larger)",
        )
