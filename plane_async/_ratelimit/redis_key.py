"""One key's limiter through Redis and one request's slot.

The backend (``RedisLimiter``, in ``redis.py``) hands each client a
:class:`KeyLimiter`; it talks to Redis through the script in ``redis.lua``, on the
connection of its event loop (``redis_conn.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
import weakref
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from .._errors import LimiterUnavailableError
from .backend import Limiter
from .headers import learned_limit, parse_rate_remaining, parse_retry_after_pause
from .rate import DEFAULT_PAUSE, Quota, RateLimit
from .redis_conn import LoopConn, redis_errors, reset_conn

if TYPE_CHECKING:
    from redis.asyncio.client import PubSub

__all__ = ["KeyBackend", "KeyLimiter"]


class KeyBackend(Protocol):
    """What a key's limiter uses of its backend (``RedisLimiter``): the connection of the
    running loop, the state of Redis (up, failed, recovered) and the latest snapshots."""

    prefix: str
    lease_margin: float
    _failures: int
    _snapshots: dict[str, tuple[Quota, float]]

    def _conn(self) -> LoopConn: ...

    async def _detach(self) -> None: ...

    def _unavailable(self, exc: BaseException, doing: str) -> None: ...

    def _failed_since(self, seen: int) -> bool: ...

    def _redis_up(self) -> bool: ...

    def _recovered(self) -> None: ...


class KeyLimiter:
    """The limiter of one key through Redis (a :class:`plane_async.types.Limiter`)."""

    __slots__ = ("_attached", "_backend", "_keys", "_local", "_rate", "_waiting")

    def __init__(
        self, backend: KeyBackend, digest: str, rate: RateLimit | None, local: Limiter
    ) -> None:
        self._backend = backend
        base = f"{backend.prefix}{{{digest}}}"  # a hash tag: one cluster slot per key
        self._keys = [f"{base}:log", f"{base}:res", f"{base}:state", f"{base}:wake",
                      f"{base}:held", f"{base}:live"]  # fmt: skip
        self._rate = rate
        self._local = local
        self._waiting = 0
        self._attached: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()

    def __repr__(self) -> str:
        return f"<RedisLimiter key {self._keys[0].rsplit(':', 1)[0]!r}>"

    def slot(self, *, timeout: float | None = None) -> _RedisSlot:
        """``async with limiter.slot(timeout=...) as handle:`` around one request attempt."""
        return _RedisSlot(self, timeout)

    def quota(self) -> Quota:
        """The last snapshot Redis sent (taken at this process's latest acquire/release)."""
        snapshot = self._backend._snapshots.get(self._keys[0])
        if snapshot is None:
            rate = self._rate
            if rate is None:
                return Quota(1, DEFAULT_PAUSE, 1, 0.0, 0.0, 0, self._waiting)
            return Quota(rate.requests, rate.period, rate.requests, 0.0, 0.0, 0, self._waiting)
        quota, at = snapshot
        aged = time.monotonic() - at
        return Quota(
            limit=quota.limit,
            period=quota.period,
            remaining=quota.remaining,
            next_slot_in=max(quota.next_slot_in - aged, 0.0),
            paused_for=max(quota.paused_for - aged, 0.0),
            in_flight=quota.in_flight,
            waiting=self._waiting,
        )

    async def aclose(self) -> None:
        """AsyncPlane.aclose(): the backend closes the loop's connections after the last."""
        loop = asyncio.get_running_loop()
        if loop in self._attached:
            self._attached.discard(loop)
            await self._backend._detach()

    # -- script calls -----------------------------------------------------------------------

    def _args(self, op: str, *rest: str | float) -> list[str | float]:
        rate = self._rate
        windows: list[str | float] = []
        if rate is not None:
            windows = [rate.requests, rate.period + rate.margin, rate.period]
        return [op, 1 if rate is None else 0, 1 if rate is not None else 0, *windows, *rest]

    def _conn(self) -> LoopConn:
        conn = self._backend._conn()
        loop = asyncio.get_running_loop()
        if loop not in self._attached:
            self._attached.add(loop)
            conn.users += 1
        return conn

    async def _call(self, conn: LoopConn, op: str, *rest: str | float) -> list[Any]:
        asked = time.monotonic()
        reply = await conn.script(keys=self._keys, args=self._args(op, *rest), client=conn.client)
        conn.owner.renewed(self._keys[0], asked)  # every call renews the caller's owner
        return list(reply)

    def _hold(self, conn: LoopConn) -> None:
        conn.owner.hold(self._keys[0], functools.partial(self._beat, conn))

    async def _beat(self, conn: LoopConn) -> bool:
        try:
            await self._call(conn, "beat", conn.owner.name)
        except redis_errors():
            return False
        return True

    def _keep(self, snap: list[Any]) -> None:
        limit, period, remaining, next_in, paused, in_flight = snap[:6]
        self._backend._snapshots[self._keys[0]] = (
            Quota(
                int(limit),
                float(period),
                int(remaining),
                float(next_in),
                float(paused),
                int(in_flight),
            ),
            time.monotonic(),
        )

    async def _acquire(self, timeout: float, lease: float) -> tuple[str, float, float] | None:
        """(token, Redis's time when its request may go, this process's monotonic time before
        it asked); None: use the local fallback."""
        backend = self._backend
        if not backend._redis_up():
            return None
        failures = backend._failures
        self._waiting += 1
        try:
            conn = self._conn()
            gate = conn.gates.setdefault(self._keys[0], asyncio.Lock())
            while True:
                async with gate:  # FIFO: only the head of this loop's queue talks to Redis
                    if backend._failures != failures and backend._failed_since(failures):
                        return None  # Redis failed while this one waited: go local at once
                    try:
                        got = await self._acquire_head(conn, timeout, lease)
                    except redis_errors():
                        # After a Redis restart every pooled connection is dead: drop them
                        # all and try once more on a fresh one before calling Redis unavailable.
                        await reset_conn(conn)
                        got = await self._acquire_head(conn, timeout, lease)
                token, redis_now, asked, delay = got
                if delay <= 0:
                    return token, redis_now, asked
                # a ticket: the next in line asks for the moment after this one
                sent = await self._send(conn, token, delay, timeout, lease)
                if sent is not None:
                    return sent
                # The ticket lapsed: this loop was too slow to use it in time (blocked, or
                # taken for dead), and the moment may have gone to another. Ask again.
        except redis_errors() as exc:
            backend._unavailable(exc, "waiting for a slot")
            return None
        finally:
            self._waiting -= 1

    async def _send(
        self, conn: LoopConn, token: str, delay: float, timeout: float, lease: float
    ) -> tuple[str, float, float] | None:
        """Sleep until a ticket's moment, then tell Redis its request goes now; None if the
        ticket lapsed meanwhile. Until this call a killed process's ticket is known unsent,
        and frees at once."""
        try:
            await asyncio.sleep(delay)
        except asyncio.CancelledError:
            self._undo(conn, token, None)
            raise
        asked = time.monotonic()
        call = asyncio.ensure_future(self._call(conn, "send", token, lease, timeout))
        try:
            reply = await asyncio.shield(call)
        except asyncio.CancelledError:
            call.add_done_callback(lambda _: self._undo(conn, token, None))
            conn.outlive(call)  # after the hand-back it starts: close waits for both
            raise
        except BaseException:
            conn.owner.drop(self._keys[0])
            raise
        if int(reply[0]) != 1:
            conn.owner.drop(self._keys[0])
            return None
        return token, float(reply[1]), asked

    async def _acquire_head(
        self, conn: LoopConn, timeout: float, lease: float
    ) -> tuple[str, float, float, float]:
        pubsub: PubSub | None = conn.pubsubs.get(self._keys[0])
        while True:
            if pubsub is not None:  # releases seen before this look are already counted
                while await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.0):
                    pass
            token = conn.owner.token()
            asked = time.monotonic()  # before Redis's TIME, so durations from it are longer
            # known: this process has seen the key's state, so its absence means it was lost
            known = 1 if self._keys[0] in self._backend._snapshots else 0
            call = asyncio.ensure_future(self._call(conn, "acquire", token, lease, known, timeout))
            try:
                reply = await asyncio.shield(call)
            except asyncio.CancelledError:
                call.add_done_callback(functools.partial(self._undo, conn, token))
                conn.outlive(call)
                raise
            self._backend._recovered()
            self._keep(reply[3:])
            if int(reply[0]) == 1:
                self._hold(conn)
                return token, float(reply[1]), asked, float(reply[2])
            wait, on_release = float(reply[1]), int(reply[2]) == 1
            if not on_release:
                await asyncio.sleep(wait)
                continue
            if pubsub is None:
                pubsub = conn.client.pubsub()
                await pubsub.subscribe(self._keys[3])
                conn.pubsubs[self._keys[0]] = pubsub
                continue  # a release may have come before the subscription: look again
            await pubsub.get_message(ignore_subscribe_messages=True, timeout=wait)

    def _undo(self, conn: LoopConn, token: str, done: asyncio.Future[list[Any]] | None) -> None:
        """An acquire cancelled while Redis answered it (``done``), or while it waited for
        its ticket or its confirmation (None): hand back the slot it got, unused."""
        if done is not None:
            if done.cancelled() or done.exception() is not None or int(done.result()[0]) != 1:
                return
            self._hold(conn)  # admitted after all: held until the hand-back below
        conn.outlive(asyncio.ensure_future(self._release(conn, token, _NOT_COUNTED, 0.0)))

    async def _release(
        self,
        conn: LoopConn,
        token: str,
        stamp: int,
        at: float,
        *,
        response: tuple[int, Mapping[str, str]] | None = None,
    ) -> None:
        observed: list[str | float] = [0, -1, 0, 0, 0]
        if response is not None:
            status, headers = response
            remaining = parse_rate_remaining(headers)
            seen = learned_limit(headers)
            cap = (self._rate or RateLimit()).max_retry_after
            pause = parse_retry_after_pause(headers, cap=cap) if status == 429 else 0.0
            observed = [status, -1 if remaining is None else remaining, pause,
                        seen.requests if seen else 0, seen.period if seen else 0]  # fmt: skip
        try:
            snap = await self._call(conn, "release", token, stamp, at, *observed)
        except redis_errors() as exc:
            # The request is done; with no beat left for it, its reservation ends as a
            # killed process's does. Say so once.
            with contextlib.suppress(LimiterUnavailableError):
                self._backend._unavailable(exc, "recording a response")
            return
        finally:
            conn.owner.drop(self._keys[0])
        self._keep(snap)


#: how a release stamps its request: not at all, at its response, or as late as it could
_NOT_COUNTED, _ANSWERED, _ABANDONED = 0, 1, 2


class _RedisSlot:
    """One request attempt's reservation in Redis (or in the local fallback)."""

    __slots__ = ("_admitted", "_admitted_at", "_answered_at", "_conn", "_limiter",
                 "_local", "_response", "_timeout", "_token", "_unsent")  # fmt: skip

    def __init__(self, limiter: KeyLimiter, timeout: float | None) -> None:
        self._limiter = limiter
        self._timeout = timeout
        self._token: str | None = None
        self._admitted_at = 0.0  # Redis's clock: when the request may go (granted, or confirmed)
        # when the admitting call left, on this process's monotonic clock (as _answered_at):
        # before Redis stamped the admission, so a duration from it never comes out short
        self._admitted = 0.0
        self._answered_at = 0.0
        self._unsent = False
        self._response: tuple[int, Mapping[str, str]] | None = None
        self._local: Any = None
        self._conn: LoopConn | None = None

    async def __aenter__(self) -> _RedisSlot:
        if self._token is not None or self._local is not None:
            raise RuntimeError("a limiter slot is single-use; call limiter.slot() again")
        timeout = self._timeout if self._timeout is not None else DEFAULT_PAUSE
        got = await self._limiter._acquire(timeout, timeout + self._limiter._backend.lease_margin)
        if got is None:
            self._local = self._limiter._local.slot(timeout=self._timeout)
            await self._local.__aenter__()
            return self
        self._token, redis_now, self._admitted = got
        self._admitted_at = redis_now
        self._conn = self._limiter._conn()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._local is not None:
            await self._local.__aexit__(exc_type, exc, tb)
            return
        assert self._token is not None and self._conn is not None
        response = self._response
        if self._unsent:
            stamp, at = _NOT_COUNTED, 0.0
        elif response is None:
            # Left without a response: the server may count it until its timeout is over.
            timeout = self._timeout if self._timeout is not None else DEFAULT_PAUSE
            stamp, at = _ABANDONED, self._admitted_at + timeout
        elif response[0] == 429 or (
            response[0] in (401, 403) and parse_rate_remaining(response[1]) is None
        ):
            stamp, at = _NOT_COUNTED, 0.0  # the server did not log it
        else:
            # Stamped when the response arrived (the server counted it before), in Redis's
            # time: a duration on this machine's clock added to Redis's admission time.
            stamp, at = _ANSWERED, self._admitted_at + (self._answered_at - self._admitted)
        release = asyncio.ensure_future(
            self._limiter._release(self._conn, self._token, stamp, at, response=response)
        )
        try:
            await asyncio.shield(release)
        except asyncio.CancelledError:
            self._conn.outlive(release)
            raise

    def unsent(self) -> None:
        """The connection could not be made: the release frees the slot unstamped."""
        if self._local is not None:
            self._local.unsent()
            return
        self._unsent = True

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Report the response; it reaches Redis with the release, as the block exits."""
        if self._local is not None:
            self._local.observe(status, headers)
            return
        self._answered_at = time.monotonic()
        self._response = (status, dict(headers))
