"""Rate limiting: one window per (server, API key), kept in this process or in Redis.

What the package offers:

- ``RateLimit`` (what a key may send) and ``Quota`` (what a limiter has left): ``rate``;
- ``Limiter`` (one key's limiter: ``slot()`` around each attempt, ``quota()``) and
  ``SlotHandle`` (what a slot hears of the response): ``backend``;
- ``LimiterBackend``, where a client's limiter comes from, with its implementations:
  ``LocalLimiters``, the in-process registry of sliding windows (``registry``, the
  windows themselves in ``window``), ``RedisLimiter``, one window for a whole fleet
  (``redis``, with ``redis.lua``), and ``OneLimiter``, around a limiter a user built;
- ``limiter_backend()``, which turns what a user passes as ``limiter=`` into a backend
  (``resolve``).

The rest says how: ``headers`` reads what a response tells a limiter, ``keys`` names a
key's window without showing the key, ``window_slot`` and the ``redis_*`` modules are the
two backends' parts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .backend import Limiter, LimiterBackend, OneLimiter, SlotHandle
from .rate import Quota, RateLimit
from .registry import LocalLimiters, process_registry, shared_limiter, use_registry
from .resolve import limiter_backend

if TYPE_CHECKING:
    from .redis import RedisLimiter

__all__ = [
    "Limiter",
    "LimiterBackend",
    "LocalLimiters",
    "OneLimiter",
    "Quota",
    "RateLimit",
    "RedisLimiter",
    "SlotHandle",
    "limiter_backend",
    "process_registry",
    "shared_limiter",
    "use_registry",
]


def __getattr__(name: str) -> object:
    if name == "RedisLimiter":
        # Loaded on first use, to keep `import plane_async` fast: the Redis backend brings
        # its script and its connection code, which only a fleet needs.
        from .redis import RedisLimiter

        globals()["RedisLimiter"] = RedisLimiter
        return RedisLimiter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
