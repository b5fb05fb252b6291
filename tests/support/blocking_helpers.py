"""FakePlane on its own event loop in a thread, for tests of the blocking client (whose
calls block the test's thread)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

from plane_async.testing import FakePlane


@contextmanager
def threaded_fake(**options: Any) -> Iterator[FakePlane]:
    """A started FakePlane served by a background thread's loop until the block exits."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fake-plane", daemon=True)
    thread.start()
    server = FakePlane(**options)
    started: Future[Any] = asyncio.run_coroutine_threadsafe(server.__aenter__(), loop)
    started.result(timeout=30)
    try:
        yield server
    finally:
        stop = asyncio.run_coroutine_threadsafe(server.__aexit__(None, None, None), loop)
        stop.result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
