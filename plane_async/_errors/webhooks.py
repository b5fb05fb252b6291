"""Errors of a webhook receiver: a delivery that is not Plane's, or not what it says."""

from __future__ import annotations

from .base import PlaneError

__all__ = ["WebhookPayloadError", "WebhookVerificationError"]


class WebhookVerificationError(PlaneError):
    """A webhook delivery's signature is missing or does not match the body (answer 401)."""


class WebhookPayloadError(PlaneError, ValueError):
    """The body is not a Plane webhook payload: not JSON, not an object, no ``event``
    (answer 400)."""
