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

import contextlib
import hashlib
import logging
import math
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from email.utils import parsedate_to_datetime
from typing import Protocol
from urllib.parse import urlsplit

import attrs

from .._errors import PlaneValueError
from .._protocol.wire import parse_retry_after

__all__ = [
    "DEFAULT_PAUSE",
    "Limiter",
    "Quota",
    "RateLimit",
    "SlotHandle",
    "default_margin",
    "key_digest",
    "learned_limit",
    "merge_learned",
    "parse_rate_remaining",
    "parse_retry_after_pause",
    "shared_limiter",
]

#: Pause after a 429 that carries no usable ``Retry-After`` (Plane's default window).
DEFAULT_PAUSE = 60.0
#: A 429 always pauses at least this long: the server truncates or rounds to whole seconds.
MIN_PAUSE = 1.0
#: The default margin is this share of the period, and never more than MAX_DEFAULT_MARGIN.
MARGIN_SHARE = 0.01
MAX_DEFAULT_MARGIN = 0.1
#: The windows Plane's throttle (DRF's ``parse_rate``) can be configured with: s, m, h, d.
DRF_PERIODS = (1.0, 60.0, 3600.0, 86400.0)
#: ``Reset - Date`` up to ``period * DATE_LAG_SHARE + DATE_LAG_SLACK`` reads as ``period``
#: (the smallest that fits): a server's ``Date`` lags its clock, never by half a window.
DATE_LAG_SHARE = 1.5
DATE_LAG_SLACK = 5.0

logger = logging.getLogger("plane_async")
#: the odd headers already warned about in this process (one WARNING each)
_warned: set[str] = set()


def default_margin(period: float) -> float:
    """The margin used when none is given: 1% of the period, at most 0.1 s.

    It absorbs clock differences between the server's workers and network jitter; a fixed
    0.1 s cost 10% of the throughput of a 1 s window.
    """
    return min(period * MARGIN_SHARE, MAX_DEFAULT_MARGIN)


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
    sent, to absorb clock differences between the server's workers and network jitter; by
    default 1% of ``period``, at most 0.1 s.
    ``max_retry_after`` caps the pause a 429's ``Retry-After`` can impose.
    """

    requests: int = attrs.field(default=60, validator=_check_requests)
    period: float = attrs.field(
        default=60.0, converter=_to_seconds, validator=_check_seconds(allow_zero=False)
    )
    margin: float = attrs.field(
        default=attrs.Factory(lambda self: default_margin(self.period), takes_self=True),
        converter=_to_seconds,
        validator=_check_seconds(allow_zero=True),
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

    def unsent(self) -> None:
        """The request never left: the connection could not be made (refused, DNS, TLS).

        The server cannot count it, so its slot frees at once (a request that may have
        been sent and got no response keeps its slot until its timeout).
        """


class Limiter(Protocol):
    """The backend protocol: the in-process limiter, or one shared across processes.

    ``async with limiter.slot(timeout=30.0) as handle:`` waits for a slot (first come,
    first served), holds it while the request is in flight, and stamps it when the block
    exits however it exits. Inside, ``handle.observe(status, headers)`` reports the
    response. A block left without a response (cancelled, timed out, connection lost) may
    still be counted by the server as late as the request's ``timeout`` allows, so its
    slot is held until then.
    """

    def slot(self, *, timeout: float | None = None) -> AbstractAsyncContextManager[SlotHandle]: ...

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


def _rate_period(headers: Mapping[str, str], wall: Callable[[], float]) -> float | None:
    """The server's window in seconds, from ``X-RateLimit-Reset`` (always now + window).

    Plane's throttle is DRF's: its window is exactly 1 s, 1 min, 1 h or 1 day and its Reset
    is ``int(now + window)``. ``Reset - Date`` reads a little more than the window, because
    the ``Date`` of Plane's uvicorn/gunicorn lags the clock by a second or two (more under
    load), or a little less (both are whole seconds): it is snapped to the DRF window it
    belongs to, so the learned window is exactly the server's and never drifts. A value that
    fits none (more than a day and a half: a Reset years ahead or in milliseconds, a proxy's
    Date far off) is ignored (None), with one WARNING per process. Without a ``Date`` the
    client's wall clock stands in.
    """
    raw = _header(headers, "X-RateLimit-Reset")
    if raw is None:
        return None
    try:
        reset = float(raw.strip())
    except ValueError:
        return None
    date = _header(headers, "Date")
    now: float | None = None
    if date is not None:
        try:
            now = float(int(parsedate_to_datetime(date).timestamp()))
        except (TypeError, ValueError, IndexError, OverflowError):
            now = None
    if now is None:
        now = wall()
    seconds = reset - now
    if math.isfinite(seconds) and seconds >= -1:
        for period in DRF_PERIODS:
            # a Date that lags by up to half the window (and 5 s more) still reads as it
            if seconds <= period * DATE_LAG_SHARE + DATE_LAG_SLACK:
                return period
    _warn_once(
        "reset",
        "ignoring X-RateLimit-Reset %r: %s after the response's Date (or this machine's clock), "
        "which fits no rate-limit window of Plane's (1 s, 1 min, 1 h or 1 day); the window is "
        "taken as one minute until a response says otherwise. A proxy may be rewriting the "
        "header, or its clock may be off",
        raw[:40],
        f"{seconds:.0f} s" if math.isfinite(seconds) else "unreadable",
    )
    return None


def _warn_once(reason: str, message: str, *args: object) -> None:
    """A WARNING the first time ``reason`` happens in this process, DEBUG after that: an
    odd header repeats on every response, and one line says it all."""
    level = logging.DEBUG if reason in _warned else logging.WARNING
    _warned.add(reason)
    logger.log(level, message, *args)


def learned_limit(
    headers: Mapping[str, str], *, wall: Callable[[], float] = time.time
) -> RateLimit | None:
    """The smallest limit a response's rate headers prove: ``Remaining + 1`` requests (the
    remaining ones and this one) per the window ``X-RateLimit-Reset`` names; None without
    ``X-RateLimit-Remaining``. Without a ``X-RateLimit-Reset`` (or with one that fits no
    window of Plane's) Plane's 60 s window is assumed.
    """
    remaining = parse_rate_remaining(headers)
    if remaining is None:
        return None
    period = _rate_period(headers, wall) or 60.0
    return RateLimit(remaining + 1, period)


def merge_learned(old: RateLimit, seen: RateLimit) -> RateLimit:
    """The learned limit after a response whose headers prove ``seen``.

    ``Remaining + 1`` never exceeds the server's limit, so within one window the largest
    count seen stays. The window follows the latest response: periods are DRF's exact ones,
    so a change means the server's setting changed (or one odd response passed), and the
    next response brings it back; keeping the largest ever seen would let one outlier slow
    the key for good. ``RedisLimiter``'s script applies the same rule.
    """
    if seen.period != old.period:
        return seen
    if seen.requests > old.requests:
        return seen
    return old


# One limiter per (base URL, key) per process, shared by every event loop and thread. Kept
# while its window holds anything (a script that runs asyncio.run() once per batch must find
# the previous batch's requests still in the window) or while a client holds it (two
# limiters for one key would double its quota); an idle one nobody holds goes, so a process
# that sees many keys stays bounded. The keys are hashes; the API key itself is never stored.
_registry: dict[str, Limiter] = {}
# Idle limiters, kept only as long as a client still holds them.
_idle: weakref.WeakValueDictionary[str, Limiter] = weakref.WeakValueDictionary()
_registry_lock = threading.Lock()
#: the registry is swept for idle limiters when it reaches this size (then twice what stays)
SWEEP_FROM = 256
_sweep_at = SWEEP_FROM
#: The clock every in-process limiter reads; monotonic, and the same in every thread.
_clock: Callable[[], float] = time.monotonic


def canonical_origin(base_url: str) -> str:
    """One spelling per server: ``scheme://host[:port][/path]``, lower-case scheme and host,
    the host in its IDNA (ASCII) form without a trailing dot, no default port, no ``/api/v1``.

    ``https://api.plane.so``, ``https://API.plane.so:443/api/v1/`` and ``https://api.plane.so.``
    are one server with one rate-limit window; another port, scheme or path is another.
    """
    text = base_url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not host.isascii():
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    try:
        port = parts.port
    except ValueError:  # not a number: keep the text as it is, still one spelling
        port = None
        host = parts.netloc.lower()
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    path = parts.path.rstrip("/")
    if path.lower().endswith("/api/v1"):
        path = path[: -len("/api/v1")]
    return f"{scheme}://{netloc}{path}"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def key_digest(base_url: str, api_key: str) -> str:
    """A hex SHA-256 of (the server's canonical origin, API key): names a key's window, never
    shows it."""
    digest = hashlib.sha256()
    digest.update(canonical_origin(base_url).encode())
    digest.update(b"\x00")
    digest.update(api_key.encode())
    return digest.hexdigest()


def shared_limiter(base_url: str, api_key: str, rate: RateLimit | None) -> Limiter:
    """The process-wide limiter for (``base_url``, ``api_key``).

    Every caller with the same server and key gets the same object, whatever its event loop
    or thread, so all clients of one key share one log of requests and one 429 pause, and a
    second ``asyncio.run()`` finds the first one's requests still in the window. If callers
    pass different limits, every one of them applies to all callers from then on: a request
    goes only when each window has room. ``rate=None`` learns the limit from the server's
    headers. The key itself is never stored.
    """
    from .window import SlidingWindowLimiter

    key = key_digest(base_url, api_key)
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is None:
            limiter = _idle.pop(key, None)  # idle, but a client still holds it: the same one
            if limiter is None:
                limiter = SlidingWindowLimiter(rate, clock=_clock)
                _registry[key] = limiter
                if len(_registry) >= _sweep_at:
                    _sweep()
                return limiter
            _registry[key] = limiter
    if isinstance(limiter, SlidingWindowLimiter):
        limiter.tighten(rate)
    return limiter


def _sweep() -> None:
    """Move the idle limiters out of the registry (locked): only their holders keep them.

    Amortised O(1) per new key: the next sweep waits until the registry has doubled.
    """
    from .window import SlidingWindowLimiter

    global _sweep_at
    for key, limiter in list(_registry.items()):
        if isinstance(limiter, SlidingWindowLimiter) and limiter.idle():
            del _registry[key]
            _idle[key] = limiter
    _sweep_at = max(SWEEP_FROM, 2 * len(_registry))
