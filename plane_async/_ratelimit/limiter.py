"""The names the client, the transport and the public root import from this module's
earlier self: the value types, the limiter protocol and ``shared_limiter``.

New code imports them from ``plane_async._ratelimit``; what each is lives in ``rate``,
``backend`` and ``registry``.
"""

from __future__ import annotations

from .backend import Limiter, SlotHandle
from .rate import Quota, RateLimit
from .registry import shared_limiter

__all__ = ["Limiter", "Quota", "RateLimit", "SlotHandle", "shared_limiter"]
