"""The in-process backend: one sliding window per (base URL, API key) per process.

One ``LocalLimiters`` serves the whole process (``process_registry()``): every client of a
key, whatever its event loop or thread, gets the same ``SlidingWindowLimiter``, so they
share one log of requests and one 429 pause, and a second ``asyncio.run()`` finds the
first one's requests still in the window. A test makes its own with a clock of its choice
and puts it in place for a block with ``use_registry()``.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections.abc import Callable, Iterator

from .backend import LimiterBackend
from .keys import key_digest
from .rate import RateLimit
from .window import SlidingWindowLimiter

__all__ = [
    "SWEEP_FROM",
    "LocalLimiters",
    "process_registry",
    "shared_limiter",
    "use_registry",
]

#: the registry is swept for idle limiters when it reaches this size (then twice what stays)
SWEEP_FROM = 256


class LocalLimiters(LimiterBackend):
    """The in-process limiters, one per (base URL, API key), shared by every event loop and
    thread of the process.

    A limiter is kept while its window holds anything (a script that runs ``asyncio.run()``
    once per batch must find the previous batch's requests still in the window) or while a
    client holds it (two limiters for one key would double its quota); an idle one nobody
    holds goes, so a process that sees many keys stays bounded. The entries are named by
    hashes; the API key itself is never stored.

    ``clock`` is what every limiter made here reads: monotonic, and the same in every thread.
    """

    __slots__ = ("_clock", "_idle", "_live", "_lock", "_sweep_at")

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._live: dict[str, SlidingWindowLimiter] = {}
        # idle limiters, kept only as long as a client still holds them
        self._idle: weakref.WeakValueDictionary[str, SlidingWindowLimiter] = (
            weakref.WeakValueDictionary()
        )
        self._lock = threading.Lock()
        self._sweep_at = SWEEP_FROM

    def __repr__(self) -> str:
        return f"<LocalLimiters {len(self._live)} keys>"

    def count(self) -> int:
        """How many limiters the registry keeps (idle ones only their holders keep)."""
        return len(self._live)

    def limiters(self) -> dict[str, SlidingWindowLimiter]:
        """A copy of the kept limiters, by the hash they are filed under (never a key)."""
        with self._lock:
            return dict(self._live)

    def for_key(self, base_url: str, api_key: str, rate: RateLimit | None) -> SlidingWindowLimiter:
        """The limiter of (``base_url``, ``api_key``) in this process.

        Every caller with the same server and key gets the same object. If callers pass
        different limits, every one of them applies to all callers from then on: a request
        goes only when each window has room. ``rate=None`` learns the limit from the
        server's headers.
        """
        key = key_digest(base_url, api_key)
        with self._lock:
            limiter = self._live.get(key)
            if limiter is None:
                limiter = self._idle.pop(key, None)  # idle, but a client still holds it
                if limiter is None:
                    limiter = SlidingWindowLimiter(rate, clock=self._clock)
                    self._live[key] = limiter
                    if len(self._live) >= self._sweep_at:
                        self._sweep()
                    return limiter
                self._live[key] = limiter
        limiter.tighten(rate)
        return limiter

    def _sweep(self) -> None:
        """Move the idle limiters out of the registry (locked): only their holders keep them.

        Amortised O(1) per new key: the next sweep waits until the registry has doubled.
        """
        for key, limiter in list(self._live.items()):
            if limiter.idle():
                del self._live[key]
                self._idle[key] = limiter
        self._sweep_at = max(SWEEP_FROM, 2 * len(self._live))


_process = [LocalLimiters()]


def process_registry() -> LocalLimiters:
    """The registry a client uses when it is given no ``limiter=``."""
    return _process[0]


@contextlib.contextmanager
def use_registry(registry: LocalLimiters) -> Iterator[LocalLimiters]:
    """Make ``registry`` the process's for the block (a test's fresh one), then put the
    previous one back. Clients made inside the block keep the one they got."""
    previous, _process[0] = _process[0], registry
    try:
        yield registry
    finally:
        _process[0] = previous


def shared_limiter(base_url: str, api_key: str, rate: RateLimit | None) -> SlidingWindowLimiter:
    """The process-wide limiter for (``base_url``, ``api_key``): see
    :meth:`LocalLimiters.for_key`."""
    return process_registry().for_key(base_url, api_key, rate)
