"""Client-side rate limiting that mirrors Plane's sliding window.

Plane (Django REST framework's ``SimpleRateThrottle``) keeps, per API key, the times of the
requests it accepted and refuses a request when ``requests`` of them fall in the last
``period`` seconds. A token bucket that bursts and then refills at a steady rate is refused
for most of the following window, and a steady pacer wastes the burst. The limiter here keeps
the same log as the server: a request may go when fewer than ``requests`` of our own stamps
(plus requests still in flight) fall in the window, so the first ``requests`` go at once and
each next one as soon as the oldest stamp leaves.

This module holds the public value types, the backend protocol a limiter implements, the
header parsing, and :func:`shared_limiter`; the in-process limiter is in
``_ratelimit_window.py``.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import weakref
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Protocol

import attrs

from ._errors import PlaneValueError
from ._protocol import parse_retry_after

__all__ = [
    "DEFAULT_PAUSE",
    "Limiter",
    "Quota",
    "RateLimit",
    "SlotHandle",
    "parse_rate_remaining",
    "parse_retry_after_pause",
    "shared_limiter",
]

#: Pause after a 429 that carries no usable ``Retry-After`` (Plane's default window).
DEFAULT_PAUSE = 60.0
#: A 429 always pauses at least this long: the server truncates or rounds to whole seconds.
MIN_PAUSE = 1.0


def _check_requests(_inst: object, _attr: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PlaneValueError(
            f"RateLimit.requests must be an int >= 1 (requests per period), got {value!r}"
        )


def _check_seconds(*, allow_zero: bool) -> Callable[[object, attrs.Attribute[float], object], None]:
    bound = ">= 0" if allow_zero else "> 0"

    def check(_inst: object, attr: attrs.Attribute[float], value: object) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
            or (value == 0 and not allow_zero)
        ):
            raise PlaneValueError(
                f"RateLimit.{attr.name} must be a finite number of seconds {bound}, got {value!r}"
            )

    return check


def _to_seconds(value: object) -> float:
    # a converter runs before the validators: refuse what float() would quietly accept
    # (True, "60") so the error is a PlaneValueError naming the accepted form
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlaneValueError(f"RateLimit durations are numbers of seconds, got {value!r}")
    return float(value)


@attrs.frozen
class RateLimit:
    """At most ``requests`` requests in any ``period`` seconds, per API key.

    Plane's default is ``RateLimit(60, 60.0)``; self-hosted servers change it with
    ``API_KEY_RATE_LIMIT`` and service tokens get ``RateLimit(300, 60.0)``.

    ``margin`` is added after the oldest request leaves the window before the next one is
    sent, to absorb clock differences between the server's workers and network jitter.
    ``max_retry_after`` caps the pause a 429's ``Retry-After`` can impose.
    """

    requests: int = attrs.field(default=60, validator=_check_requests)
    period: float = attrs.field(
        default=60.0, converter=_to_seconds, validator=_check_seconds(allow_zero=False)
    )
    margin: float = attrs.field(
        default=0.1, converter=_to_seconds, validator=_check_seconds(allow_zero=True)
    )
    max_retry_after: float = attrs.field(
        default=300.0, converter=_to_seconds, validator=_check_seconds(allow_zero=False)
    )

    @property
    def per_second(self) -> float:
        """The long-run rate this limit allows, in requests per second."""
        return self.requests / self.period


@attrs.frozen
class Quota:
    """A snapshot of one key's limiter: what is left and when more frees up.

    ``remaining`` is how many requests may start now by the window's count;
    ``next_slot_in`` is the number of seconds until a slot frees (0.0 if one is free now);
    ``paused_for`` is what is left of a pause after a 429 (0.0 if none);
    ``in_flight`` counts requests holding a slot now, ``waiting`` the coroutines queued.
    """

    limit: int
    period: float
    remaining: int
    next_slot_in: float
    paused_for: float
    in_flight: int = 0
    waiting: int = 0


class SlotHandle(Protocol):
    """What the transport tells the limiter about the response to its request."""

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Feed the status and headers of the response.

        A 429 must pause every sender of the key (the transport retries a 429 at once and
        relies on the limiter for the wait); ``X-RateLimit-Remaining`` resyncs the count; a
        401/403 without rate headers was not counted by the server.
        """


class Limiter(Protocol):
    """The backend protocol: the in-process limiter, or one shared across processes.

    ``async with limiter.slot() as handle:`` waits for a slot (first come, first served),
    holds it while the request is in flight, and stamps it when the block exits however it
    exits. Inside, ``handle.observe(status, headers)`` reports the response.
    """

    def slot(self) -> AbstractAsyncContextManager[SlotHandle]: ...

    def quota(self) -> Quota: ...


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    lower = name.lower()
    # A plain dict is case-sensitive; aiohttp's headers are not.
    for key, item in headers.items():
        if key.lower() == lower:
            return item
    return None


def parse_retry_after_pause(
    headers: Mapping[str, str], *, cap: float = 300.0, default: float = DEFAULT_PAUSE
) -> float:
    """The pause a 429 imposes, in seconds, from its ``Retry-After`` header.

    Plane sends whole seconds (an HTTP date is read too); a missing or unreadable value
    gives ``default``, a value below one second gives one second (``0`` means "less than a
    second" once truncated), and nothing pauses longer than ``cap``.
    """
    seconds = parse_retry_after(headers)
    if seconds is None:
        seconds = default
    return min(max(seconds, MIN_PAUSE), cap)


def parse_rate_remaining(headers: Mapping[str, str]) -> int | None:
    """``X-RateLimit-Remaining`` as an int >= 0, or None if absent or unreadable."""
    raw = _header(headers, "X-RateLimit-Remaining")
    if raw is None:
        return None
    try:
        return max(int(raw.strip()), 0)
    except ValueError:
        return None


# One limiter per (base URL, key) per event loop. Loops are weak keys, so a closed loop that
# nothing else references is dropped together with its limiters; the inner keys are hashes.
_registry: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Limiter]] = (
    weakref.WeakKeyDictionary()
)


def _registry_key(base_url: str, api_key: str) -> str:
    url = base_url.strip().rstrip("/")
    if url.lower().endswith("/api/v1"):
        url = url[: -len("/api/v1")]
    scheme, sep, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    url = f"{scheme.lower()}{sep}{host.lower()}{slash}{path}"
    digest = hashlib.sha256()
    digest.update(url.encode())
    digest.update(b"\x00")
    digest.update(api_key.encode())
    return digest.hexdigest()


def shared_limiter(base_url: str, api_key: str, rate: RateLimit) -> Limiter:
    """The process-wide limiter for (``base_url``, ``api_key``) on the running event loop.

    Every caller with the same server and key on this loop gets the same object, so all
    clients of one key share one log of requests and one 429 pause. If callers pass
    different limits, every one of them applies to all callers from then on: a request goes
    only when each window has room (a limit that another one implies is dropped).
    Must be called with an event loop running; the key itself is never stored.
    """
    from ._ratelimit_window import SlidingWindowLimiter

    loop = asyncio.get_running_loop()
    for old in [lp for lp in _registry if lp.is_closed()]:
        _registry.pop(old, None)
    per_loop = _registry.setdefault(loop, {})
    key = _registry_key(base_url, api_key)
    limiter = per_loop.get(key)
    if limiter is None:
        limiter = SlidingWindowLimiter(rate)
        per_loop[key] = limiter
    elif isinstance(limiter, SlidingWindowLimiter):
        limiter.tighten(rate)
    return limiter
