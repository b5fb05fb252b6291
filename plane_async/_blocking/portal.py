"""The blocking client's engine: one event loop in a background thread, shared by every
blocking client of the process.

A blocking call submits the async client's coroutine to that loop and waits for its result
in the calling thread, so any number of threads (a thread pool, Django's workers, Celery's
threads) use one loop, one connection pool per client, and the process-wide limiter the
async clients share. After ``fork()`` (Celery's prefork pool, gunicorn) the child starts a
loop of its own on first use.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Future
from types import TracebackType
from typing import ParamSpec, TypeVar

from .._errors import PlaneError

__all__ = ["BlockingStream", "Portal", "portal"]

P = ParamSpec("P")
T = TypeVar("T")


class Portal:
    """Runs coroutines on a daemon thread's event loop for callers in other threads."""

    __slots__ = ("_lock", "_loop", "_thread")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _reset(self) -> None:  # in a forked child: the parent's thread does not exist here
        self._lock = threading.Lock()
        self._loop = None
        self._thread = None

    def loop(self) -> asyncio.AbstractEventLoop:
        """The portal's loop, started on first use."""
        loop = self._loop
        if loop is not None:
            return loop
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()
                thread = threading.Thread(
                    target=_run, args=(loop, ready), name="plane-async-blocking", daemon=True
                )
                thread.start()
                ready.wait()
                self._thread, self._loop = thread, loop
            return self._loop

    def _check_thread(self) -> None:
        if threading.current_thread() is self._thread:
            raise PlaneError(
                "a blocking Plane call was made from inside the client's own event loop (in a "
                "hook?); in async code use AsyncPlane and `await` its calls instead"
            )

    def call(self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``await fn(*args, **kwargs)`` on the portal's loop; its result or its error here.

        Interrupting the wait (Ctrl-C) cancels the call on the loop.
        """
        self._check_thread()

        async def run() -> T:
            return await fn(*args, **kwargs)

        return _wait(asyncio.run_coroutine_threadsafe(run(), self.loop()))

    def call_sync(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` run on the portal's loop thread (what needs a running loop)."""
        self._check_thread()

        async def run() -> T:
            return fn(*args, **kwargs)

        return _wait(asyncio.run_coroutine_threadsafe(run(), self.loop()))

    def stream(
        self, fn: Callable[P, AsyncIterator[T]], /, *args: P.args, **kwargs: P.kwargs
    ) -> BlockingStream[T]:
        """The async iterator ``fn(...)`` returns, as a blocking iterator.

        ``fn`` runs now (on the loop), so bad arguments raise here, as the async call does.
        """
        return BlockingStream(self, self.call_sync(fn, *args, **kwargs))


def _run(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
    asyncio.set_event_loop(loop)
    loop.call_soon(ready.set)
    loop.run_forever()


def _wait(future: Future[T]) -> T:
    try:
        return future.result()
    except BaseException:
        future.cancel()  # KeyboardInterrupt, SystemExit in the waiting thread: stop the call
        raise


class BlockingStream(Iterator[T]):
    """What a blocking ``list()`` or ``pages()`` returns: an iterator of items (or pages).

    ``for issue in plane.issues.list(project_id): ...``. Leaving the loop early is fine; to
    release the read at once (an open page read-ahead), use ``with`` or call ``close()``.
    """

    __slots__ = ("_aiter", "_buffered", "_done", "_portal")

    def __init__(self, portal: Portal, aiter: AsyncIterator[T]) -> None:
        self._portal = portal
        self._aiter = aiter
        self._done = False
        #: items fetched with the last one handed out (the rest of its page)
        self._buffered: deque[T] = deque()

    def __repr__(self) -> str:
        return f"<BlockingStream of {self._aiter!r}>"

    def __iter__(self) -> BlockingStream[T]:
        return self

    def __next__(self) -> T:
        buffered = self._buffered
        if buffered:
            return buffered.popleft()
        if self._done:
            raise StopIteration
        try:
            # one hop to the loop for the next item and the rest of its page, if fetched
            first, rest = self._portal.call(_next_ready, self._aiter)
        except StopAsyncIteration:
            self._done = True
            raise StopIteration from None
        if rest:
            buffered.extend(rest)
        return first

    def close(self) -> None:
        """Stop the read (idempotent)."""
        self._buffered.clear()
        if self._done:
            return
        self._done = True
        aclose = getattr(self._aiter, "aclose", None)
        if aclose is not None:
            self._portal.call(aclose)

    def __enter__(self) -> BlockingStream[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


async def _next_ready(aiter: AsyncIterator[T]) -> tuple[T, list[T]]:
    """The next item, and those the stream has ready after it (the rest of its page)."""
    first = await anext(aiter)
    take = getattr(aiter, "take_ready", None)
    return first, [] if take is None else take()


#: the process's portal (one loop thread for every blocking client)
portal = Portal()

if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=portal._reset)
