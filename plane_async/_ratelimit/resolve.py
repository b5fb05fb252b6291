"""From what a user passes as ``AsyncPlane(limiter=...)`` to the backend a client uses."""

from __future__ import annotations

from .._errors import PlaneValueError
from .backend import Limiter, LimiterBackend, OneLimiter
from .registry import process_registry

__all__ = ["limiter_backend"]


def limiter_backend(limiter: Limiter | LimiterBackend | None) -> LimiterBackend:
    """The backend for ``limiter=``: the process's in-process registry for None, a backend
    (``RedisLimiter``) as it is, a :class:`Limiter` of the user's behind :class:`OneLimiter`.

    Anything else is refused with a ``PlaneValueError`` before any request.
    """
    if limiter is None:
        return process_registry()
    if isinstance(limiter, LimiterBackend):
        return limiter
    if isinstance(limiter, Limiter) and callable(limiter.slot) and callable(limiter.quota):
        return OneLimiter(limiter)
    raise PlaneValueError(
        "limiter must be a RedisLimiter, implement plane_async.types.Limiter (slot() and "
        f"quota()), or be None; got {type(limiter).__name__}"
    )
