"""What every webhook receiver does with a request, framework aside: verify, parse, dedupe."""

from __future__ import annotations

from .._errors import PlaneValueError, WebhookPayloadError, WebhookVerificationError
from .._models.webhooks import WebhookEvent
from ._dedupe import Deduplicator
from ._verify import Secret, secret_key, verify_event

__all__ = ["Outcome", "Receiver"]

#: (status to answer, text to answer, the event to hand to the application or None)
Outcome = tuple[int, str, WebhookEvent | None]


class Receiver:
    """The secret (checked once, never shown) and the deduplicator of one endpoint."""

    __slots__ = ("_key", "dedupe")

    def __init__(self, secret: Secret, dedupe: Deduplicator | bool) -> None:
        self._key = secret_key(secret)  # refuses an empty secret now, not on the first call
        if dedupe is True:
            dedupe = Deduplicator()
        elif dedupe is not False and not isinstance(dedupe, Deduplicator):
            raise PlaneValueError(
                f"dedupe must be True, False or a Deduplicator, not {type(dedupe).__name__}"
            )
        # not `dedupe or None`: an empty Deduplicator is falsy (it has a length)
        self.dedupe: Deduplicator | None = None if dedupe is False else dedupe

    def __repr__(self) -> str:
        return f"<webhook receiver dedupe={self.dedupe!r}>"

    def receive(self, body: bytes, signature: str | None, delivery_id: str | None) -> Outcome:
        """401 on a bad signature, 400 on a bad body, 200 and no event for a repeat."""
        try:
            event = verify_event(self._key, body, signature, delivery_id=delivery_id)
        except WebhookVerificationError as exc:
            return 401, str(exc), None
        except WebhookPayloadError as exc:
            return 400, str(exc), None
        if self.dedupe is not None and not self.dedupe.first(event):
            return 200, "duplicate delivery ignored", None
        return 200, "ok", event

    def failed(self, event: WebhookEvent) -> None:
        """The application failed on ``event``: let a re-delivery through."""
        if self.dedupe is not None:
            self.dedupe.forget(event)
