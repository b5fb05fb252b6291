"""Who holds a RedisLimiter reservation, and the heartbeat that says it is still alive.

Each event loop that uses a ``RedisLimiter`` is one *owner* in Redis; its reservations are
named ``owner:random``. Every script call renews the owner for ``ALIVE_FOR`` seconds, and
while it holds reservations of a key a beat renews it at least every ``BEAT_EVERY``. When
a process is killed the beats stop: ``ALIVE_FOR`` later the next call of any process ends
its reservations (the script's ``settle``), instead of leaving them to their leases.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable

__all__ = ["ALIVE_FOR", "BEAT_EVERY", "Owner"]

#: How long an owner counts as alive after its last call; the script's ALIVE_FOR.
ALIVE_FOR = 1.0
#: A holder that made no other call for this long beats: four chances before it is dead.
BEAT_EVERY = ALIVE_FOR / 4


class _Beat:
    """One key's beat: the reservations held, and the timer or the call that renews."""

    __slots__ = ("beat", "held", "task", "timer")

    def __init__(self, beat: Callable[[], Awaitable[bool]]) -> None:
        self.beat = beat
        self.held = 0
        self.timer: asyncio.TimerHandle | None = None
        self.task: asyncio.Task[None] | None = None


class Owner:
    """One event loop's name in Redis, and a beat per key while it holds reservations.

    The beat is a timer, not a task: a request that ends within ``BEAT_EVERY`` (most do)
    costs one ``call_later`` and its cancellation; a call to Redis only happens when the
    owner made no other call for ``BEAT_EVERY``.
    """

    __slots__ = ("_beats", "_closed", "_renewed", "name")

    def __init__(self) -> None:
        self.name = uuid.uuid4().hex[:16]
        self._beats: dict[str, _Beat] = {}
        self._renewed: dict[str, float] = {}  # key -> monotonic time a renewing call left
        self._closed = False

    def token(self) -> str:
        return f"{self.name}:{uuid.uuid4().hex}"

    def renewed(self, key: str, asked: float) -> None:
        """A script call on ``key`` that left at ``asked`` (monotonic) renewed this owner."""
        self._renewed[key] = max(self._renewed.get(key, 0.0), asked)

    def hold(self, key: str, beat: Callable[[], Awaitable[bool]]) -> None:
        """One more reservation of ``key``; the first starts its beat (``beat()`` renews, and
        says False when Redis could not be reached)."""
        self._closed = False
        state = self._beats.get(key)
        if state is None:
            state = self._beats[key] = _Beat(beat)
        state.held += 1
        if state.timer is None and state.task is None:
            self._arm(key, state, BEAT_EVERY)

    def drop(self, key: str) -> None:
        """One reservation of ``key`` fewer; after the last, its beat stops."""
        state = self._beats.get(key)
        if state is None:
            return
        state.held = max(state.held - 1, 0)
        if state.held == 0 and state.timer is not None:
            state.timer.cancel()
            state.timer = None

    async def close(self) -> None:
        """Stop every beat (the loop's connections are closing)."""
        self._closed = True
        beats = list(self._beats.values())
        self._beats.clear()
        for state in beats:
            if state.timer is not None:
                state.timer.cancel()
                state.timer = None
        tasks = [state.task for state in beats if state.task is not None]
        await asyncio.gather(*tasks, return_exceptions=True)

    def _arm(self, key: str, state: _Beat, delay: float) -> None:
        loop = asyncio.get_running_loop()
        state.timer = loop.call_later(delay, self._due, key, state)

    def _due(self, key: str, state: _Beat) -> None:
        state.timer = None
        if state.held <= 0 or self._closed:
            return
        wait = self._renewed.get(key, 0.0) + BEAT_EVERY - time.monotonic()
        if wait > 0:  # another call renewed it meanwhile
            self._arm(key, state, wait)
            return
        state.task = asyncio.ensure_future(self._run(key, state))

    async def _run(self, key: str, state: _Beat) -> None:
        asked = time.monotonic()
        try:
            ok = await state.beat()
        finally:
            state.task = None
        if ok:
            self.renewed(key, asked)
        # (Redis away: the calls that need it report that; the beat tries again, and a
        # reservation it could not keep alive ends as a killed process's would)
        if state.held > 0 and not self._closed:
            self._arm(key, state, BEAT_EVERY)
