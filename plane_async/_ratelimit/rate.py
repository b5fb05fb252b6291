"""The rate-limit value types: ``RateLimit`` (what a key may send) and ``Quota`` (what a
limiter has left), and the pauses every limiter shares.

Plane (Django REST framework's ``SimpleRateThrottle``) keeps, per API key, the times of the
requests it accepted and refuses a request when ``requests`` of them fall in the last
``period`` seconds. A token bucket that bursts and then refills at a steady rate is refused
for most of the following window, and a steady pacer wastes the burst. The limiters here keep
the same log as the server: a request may go when fewer than ``requests`` of our own stamps
(plus requests still in flight) fall in the window, so the first ``requests`` go at once and
each next one as soon as the oldest stamp leaves.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs

from .._errors import PlaneValueError

__all__ = ["DEFAULT_PAUSE", "MIN_PAUSE", "Quota", "RateLimit", "default_margin"]

#: Pause after a 429 that carries no usable ``Retry-After`` (Plane's default window).
DEFAULT_PAUSE = 60.0
#: A 429 always pauses at least this long: the server truncates or rounds to whole seconds.
MIN_PAUSE = 1.0
#: The default margin is this share of the period, and never more than MAX_DEFAULT_MARGIN.
MARGIN_SHARE = 0.01
MAX_DEFAULT_MARGIN = 0.1


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
