"""A virtual-time event loop: timers fire at once, so no test sleeps for real.

``run(coro)`` runs a coroutine on a fresh loop whose ``time()`` only moves when the loop
would otherwise wait for its next timer; ``asyncio.sleep(60)`` returns immediately with
``loop.time()`` 60 s later. Only for tests without real sockets (aioresponses is fine).
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

#: one virtual week; no test needs more
MAX_VIRTUAL_SECONDS = 7 * 24 * 3600.0


class _VirtualSelector(selectors.DefaultSelector):
    def __init__(self) -> None:
        super().__init__()
        self.loop: VirtualClockLoop | None = None

    def select(self, timeout: float | None = None) -> list[Any]:
        events = super().select(0)
        if not events and self.loop is not None and timeout is not None and timeout > 0:
            self.loop.advance(timeout)
        return events


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """Event loop on a virtual clock that starts at 1000.0 seconds."""

    def __init__(self) -> None:
        selector = _VirtualSelector()
        super().__init__(selector)
        selector.loop = self
        self._now = 1000.0

    def time(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds
        if self._now - 1000.0 > MAX_VIRTUAL_SECONDS:
            # a test waiting for something that never comes would otherwise spin forever
            raise RuntimeError(f"virtual clock ran past {MAX_VIRTUAL_SECONDS} s: a test is stuck")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on a new virtual-clock loop."""
    loop = VirtualClockLoop()
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(coro)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        asyncio.set_event_loop(None)
        loop.close()
