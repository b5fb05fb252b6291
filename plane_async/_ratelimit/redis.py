"""RedisLimiter: one rate limit per API key for every process and machine sharing a Redis.

The window is the same exact sliding log as the in-process limiter, kept in Redis and
changed only by one Lua script (``redis.lua`` beside this file), which stamps
with the Redis server's ``TIME``: the machines' clocks do not matter. Each event loop is an
owner that renews its liveness with every call (and a beat while it holds slots, see
``redis_owner.py``); a second after a process dies, its slots end: a moment it
reserved ahead but never sent is free at once, a request it may have sent counts as
stamped as late as its timeout allows. A slot also has a lease (the request's timeout plus
``lease_margin``) for an owner that stays alive but never hands it back. A waiter sleeps
until the computed next slot, or until another process publishes a release on the key's
channel.

Only the head of each process's queue talks to Redis (a FIFO gate per event loop), so a
thousand queued coroutines cost one round trip per admission, not a thousand.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import weakref
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from .._errors import LimiterUnavailableError, PlaneValueError
from .._protocol.checks import check_positive_number
from .backend import Limiter, LimiterBackend
from .keys import key_digest
from .rate import Quota, RateLimit
from .redis_conn import LoopConn, close_conn, load_script, redis_errors
from .redis_key import KeyLimiter
from .registry import shared_limiter

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisLimiter"]

logger = logging.getLogger("plane_async")

#: After Redis failed with fallback="local", try it again after this many seconds.
RETRY_REDIS_AFTER = 5.0
_INSTALL_HINT = "RedisLimiter needs redis-py: pip install 'plane-async[redis]'"


class RedisLimiter(LimiterBackend):
    """A limiter shared through Redis by every process and machine that uses a key.

    ``AsyncPlane(..., limiter=RedisLimiter.from_url("redis://host:6379/0"))`` in each of
    them; or ``RedisLimiter(redis)`` with a ``redis.asyncio.Redis`` you own (and close).
    Keys in Redis are ``{prefix}{<hash of base URL and API key>}:...``, never the key.

    ``fallback="error"`` (default): when Redis is unreachable or fails, a request raises
    :class:`LimiterUnavailableError` before it is sent. ``fallback="local"``: it goes
    through the in-process limiter instead, with one WARNING per outage.
    """

    def __init__(
        self,
        redis: Redis | None = None,
        *,
        url: str | None = None,
        prefix: str = "plane_async:",
        fallback: Literal["error", "local"] = "error",
        lease_margin: float = 10.0,
        **redis_options: Any,
    ) -> None:
        if (redis is None) == (url is None):
            raise PlaneValueError("RedisLimiter needs a redis.asyncio.Redis or url=, not both")
        if fallback not in ("error", "local"):
            raise PlaneValueError(f"fallback must be 'error' or 'local', got {fallback!r}")
        if not isinstance(prefix, str):
            raise PlaneValueError(f"prefix must be a string, got {prefix!r}")
        margin = check_positive_number(lease_margin, "lease_margin", allow_zero=True)
        if not math.isfinite(margin):  # a lease must end, or a killed worker's slots never free
            raise PlaneValueError(f"lease_margin must be a finite number of seconds, got {margin}")
        try:
            import redis.asyncio as _redis_asyncio
        except ImportError:
            raise PlaneValueError(_INSTALL_HINT) from None
        del _redis_asyncio
        self._redis = redis
        self._url = url
        self._options = {"socket_connect_timeout": 5.0, "socket_timeout": 5.0, **redis_options}
        self.prefix = prefix
        self.fallback = fallback
        self.lease_margin = margin
        self._conns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopConn] = (
            weakref.WeakKeyDictionary()
        )
        self._down_until = -1.0  # monotonic; while Redis is known down (fallback="local")
        # Redis failures so far, and the latest: a waiter that sees the count change while it
        # waited in line takes that answer at once instead of trying the dead Redis again
        self._failures = 0
        self._last_failure: BaseException | None = None
        # the latest quota Redis sent per key, with the monotonic time it came
        self._snapshots: dict[str, tuple[Quota, float]] = {}

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = "plane_async:",
        fallback: Literal["error", "local"] = "error",
        lease_margin: float = 10.0,
        **redis_options: Any,
    ) -> RedisLimiter:
        """A limiter on the Redis at ``url`` (``redis://host:6379/0``, ``rediss://``,
        ``unix://``); it opens one connection pool per event loop that uses it."""
        if not isinstance(url, str) or "://" not in url:
            raise PlaneValueError(f"url must look like redis://host:6379/0, got {url!r}")
        return cls(url=url, prefix=prefix, fallback=fallback, lease_margin=lease_margin,
                   **redis_options)  # fmt: skip

    def __repr__(self) -> str:
        where = "a caller's Redis" if self._url is None else _redact(self._url)
        return f"RedisLimiter({where}, prefix={self.prefix!r}, fallback={self.fallback!r})"

    async def __aenter__(self) -> RedisLimiter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close what this limiter opened on the running loop (never a caller's Redis)."""
        conn = self._conns.pop(asyncio.get_running_loop(), None)
        if conn is not None:
            await close_conn(conn)

    async def check(self) -> None:
        """Connect and load the script now (at start-up, or as a health check); raises
        :class:`LimiterUnavailableError` if Redis cannot be reached or fails.

        The connection it opens stays for the clients of the running loop; on a loop that no
        client uses (``asyncio.run(limiter.check())`` at a worker's start) it is closed again.
        """
        loop = asyncio.get_running_loop()
        opened = loop not in self._conns
        conn = self._conn()
        try:
            await conn.client.ping()
            await conn.client.script_load(load_script())
        except redis_errors() as exc:
            raise LimiterUnavailableError(
                f"the rate limiter's Redis failed a check ({type(exc).__name__}: {str(exc)[:200]})"
            ) from exc
        finally:
            if opened and conn.users <= 0 and self._conns.get(loop) is conn:
                self._conns.pop(loop, None)
                await close_conn(conn)

    def for_key(self, base_url: str, api_key: str, rate: RateLimit | None) -> Limiter:
        """The limiter of one (base URL, API key); AsyncPlane calls this for you."""
        return KeyLimiter(self, key_digest(base_url, api_key), rate,
                           shared_limiter(base_url, api_key, rate))  # fmt: skip

    async def release_key(self, limiter: Limiter) -> None:
        """Called when a client that got ``limiter`` from :meth:`for_key` closes, on its
        event loop: after that loop's last client, the connections opened for it close."""
        if isinstance(limiter, KeyLimiter):
            await limiter.aclose()

    # -- connections ----------------------------------------------------------------------

    def _conn(self) -> LoopConn:
        loop = asyncio.get_running_loop()
        conn = self._conns.get(loop)
        if conn is None:
            if self._redis is not None:
                conn = LoopConn(self._redis, owned=False)
            else:
                import redis.asyncio
                from redis.asyncio.retry import Retry
                from redis.backoff import ExponentialBackoff
                from redis.exceptions import ConnectionError, TimeoutError

                assert self._url is not None
                options = {
                    # a pooled connection that a Redis restart closed fails once: try again
                    # on a new one before calling Redis unavailable
                    "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
                    "retry_on_error": [ConnectionError, TimeoutError],
                    **self._options,
                }
                conn = LoopConn(redis.asyncio.from_url(self._url, **options), owned=True)
            self._conns[loop] = conn
        return conn

    async def _detach(self) -> None:
        """One client of this loop is done: close the loop's connections after the last."""
        loop = asyncio.get_running_loop()
        conn = self._conns.get(loop)
        if conn is None:
            return
        conn.users -= 1
        if conn.users <= 0:
            self._conns.pop(loop, None)
            await close_conn(conn)

    def _unavailable(self, exc: BaseException, doing: str) -> None:
        """Raise LimiterUnavailableError, or (fallback="local") note the outage and warn."""
        self._failures += 1
        self._last_failure = exc
        if self.fallback == "error":
            raise self._error(exc, doing) from exc
        if self._down_until < 0:
            logger.warning(
                "rate limiter's Redis failed (%s: %s); using the in-process limiter until it "
                "is back", type(exc).__name__, str(exc)[:200],
            )  # fmt: skip
        self._down_until = time.monotonic() + RETRY_REDIS_AFTER

    def _error(self, exc: BaseException, doing: str) -> LimiterUnavailableError:
        return LimiterUnavailableError(
            f"the rate limiter's Redis failed while {doing} ({type(exc).__name__}: "
            f"{str(exc)[:200]}); no request was sent. Check that Redis is reachable, or "
            "pass fallback='local' to RedisLimiter to use the in-process limiter then"
        )

    def _failed_since(self, seen: int) -> bool:
        """True if Redis failed since the failure count was ``seen`` (a waiter queued then):
        with fallback="error" this raises that failure's error, else the caller goes local."""
        if self._failures == seen:
            return False
        exc = self._last_failure
        if self.fallback == "error" and exc is not None:
            raise self._error(exc, "this request waited for a slot") from exc
        return True

    def _redis_up(self) -> bool:
        """False while Redis is known down (fallback="local"). When it is time to try it
        again, the caller is the one probe: the others stay local until it has an answer,
        rather than queue behind a connection that may take seconds to fail."""
        if self._down_until < 0:
            return True
        now = time.monotonic()
        if now < self._down_until:
            return False
        self._down_until = now + RETRY_REDIS_AFTER
        return True

    def _recovered(self) -> None:
        if self._down_until >= 0:
            self._down_until = -1.0
            logger.info("rate limiter's Redis is back; the fleet shares one window again")


def _redact(url: str) -> str:
    scheme, _, rest = url.partition("://")
    _creds, at, host = rest.rpartition("@")
    return f"{scheme}://{'***@' if at else ''}{host}"
