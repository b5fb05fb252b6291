"""What the transport hands out: the decoded ``Response``, the client's checked
``TransportSettings`` and its ``RequestStats``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .._secret import redact_url
from .._version import __version__

__all__ = ["USER_AGENT", "RequestStats", "Response", "TransportSettings"]

USER_AGENT = f"plane-async/{__version__}"


@attrs.frozen
class Response:
    """A decoded response: ``body`` is the parsed JSON, or None for an empty body."""

    method: str
    url: str
    status: int
    headers: Mapping[str, str]
    body: Any


@attrs.frozen
class TransportSettings:
    """A client's checked settings; the defaults are AsyncPlane's and RateLimit's."""

    base_url: str  # normalised, ends with /api/v1/
    api_key: str = attrs.field(repr=False)
    max_retries: int
    timeout: float | None
    connect_timeout: float | None
    retry_post: bool
    max_retry_after: float
    max_response_bytes: int
    verify_ssl: bool
    proxy: str | None = attrs.field(repr=lambda url: repr(url and redact_url(url)))
    backoff_base: float
    backoff_cap: float
    #: seconds a whole call may take, limiter queue and retry pauses included (None: no bound)
    wait_budget: float | None = None


@attrs.define
class RequestStats:
    """Counters of what a client sent: attempts (retries included), retries, 429s, failures."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    transport_errors: int = 0
