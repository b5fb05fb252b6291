"""Who holds a RedisLimiter reservation, and the heartbeat that says it is still alive.

Each event loop that uses a ``RedisLimiter`` is one *owner* in Redis; its reservations are
named ``owner:random``. Every script call renews the owner for ``ALIVE_FOR`` seconds, and
while it holds reservations of a key a beat renews it at least every ``BEAT_EVERY``. When
a process is killed the beats stop: ``ALIVE_FOR`` later the next call of any process ends
its reservations (the script's ``settle``), instead of leaving them to their leases.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable

__all__ = ["ALIVE_FOR", "BEAT_EVERY", "Owner"]

#: How long an owner counts as alive after its last call; the script's ALIVE_FOR.
ALIVE_FOR = 1.0
#: A holder that made no other call for this long beats: four chances before it is dead.
BEAT_EVERY = ALIVE_FOR / 4


class _Beat:
    __slots__ = ("held", "stop", "task")

    def __init__(self) -> None:
        self.held = 0
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None


class Owner:
    """One event loop's name in Redis, and a beat per key while it holds reservations."""

    __slots__ = ("_beats", "_renewed", "name")

    def __init__(self) -> None:
        self.name = uuid.uuid4().hex[:16]
        self._beats: dict[str, _Beat] = {}
        self._renewed: dict[str, float] = {}  # key -> monotonic time a renewing call left

    def token(self) -> str:
        return f"{self.name}:{uuid.uuid4().hex}"

    def renewed(self, key: str, asked: float) -> None:
        """A script call on ``key`` that left at ``asked`` (monotonic) renewed this owner."""
        self._renewed[key] = max(self._renewed.get(key, 0.0), asked)

    def hold(self, key: str, beat: Callable[[], Awaitable[bool]]) -> None:
        """One more reservation of ``key``; the first starts its beat (``beat()`` renews, and
        says False when Redis could not be reached)."""
        state = self._beats.get(key)
        if state is None:
            state = self._beats[key] = _Beat()
        state.held += 1
        if state.held == 1:
            state.stop.clear()
        if state.task is None:
            state.task = asyncio.ensure_future(self._run(key, state, beat))

    def drop(self, key: str) -> None:
        """One reservation of ``key`` fewer; after the last, its beat stops."""
        state = self._beats.get(key)
        if state is None:
            return
        state.held -= 1
        if state.held <= 0:
            state.held = 0
            state.stop.set()

    async def close(self) -> None:
        """Stop every beat (the loop's connections are closing)."""
        beats = list(self._beats.values())
        self._beats.clear()
        for state in beats:
            state.stop.set()
        tasks = [state.task for state in beats if state.task is not None]
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, key: str, state: _Beat, beat: Callable[[], Awaitable[bool]]) -> None:
        try:
            # stop: the last reservation was handed back, or the connections are closing
            while state.held > 0 and not state.stop.is_set():
                wait = self._renewed.get(key, 0.0) + BEAT_EVERY - time.monotonic()
                if wait > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(state.stop.wait(), wait)
                    continue
                asked = time.monotonic()
                if not await beat():
                    # Redis is away: the calls that need it report that; the beat tries
                    # again, and a reservation it could not keep alive ends as a killed
                    # process's would (sent: stamped as late as the server could count it)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(state.stop.wait(), BEAT_EVERY)
                    continue
                self.renewed(key, asked)
        finally:
            state.task = None
