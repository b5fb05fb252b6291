"""What a response's headers tell a limiter: the pause a 429 imposes (``Retry-After``), the
server's count (``X-RateLimit-Remaining``) and its window (``X-RateLimit-Reset``)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping

from .._errors import parse_retry_after
from .rate import DEFAULT_PAUSE, MIN_PAUSE, RateLimit

__all__ = [
    "learned_limit",
    "merge_learned",
    "parse_rate_remaining",
    "parse_retry_after_pause",
]

#: The windows Plane's throttle (DRF's ``parse_rate``) can be configured with: s, m, h, d.
DRF_PERIODS = (1.0, 60.0, 3600.0, 86400.0)
#: ``Reset - Date`` up to ``period * DATE_LAG_SHARE + DATE_LAG_SLACK`` reads as ``period``
#: (the smallest that fits): a server's ``Date`` lags its clock, never by half a window.
DATE_LAG_SHARE = 1.5
DATE_LAG_SLACK = 5.0

logger = logging.getLogger("plane_async")
#: the odd headers already warned about in this process (one WARNING each)
_warned: set[str] = set()


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
            # Imported here to keep `import plane_async` fast (aiohttp loads it anyway).
            from email.utils import parsedate_to_datetime

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
