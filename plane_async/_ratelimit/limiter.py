"""The limiter's names as the client, the transport and the public root import them: the
value types, the limiter protocol and ``shared_limiter``.

They live in ``rate``, ``backend`` and ``registry``; new code imports them from
``plane_async._ratelimit``, and this module goes once nothing imports it.
"""

from __future__ import annotations

from .backend import Limiter, SlotHandle
from .rate import Quota, RateLimit
from .registry import shared_limiter

__all__ = ["Limiter", "Quota", "RateLimit", "SlotHandle", "shared_limiter"]
