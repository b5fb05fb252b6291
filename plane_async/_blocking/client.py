"""Plane: the blocking client, for scripts, Celery tasks, Django views and notebooks.

It is the async client run on a background event loop (see ``_portal.py``): the same
namespaces, methods, parameters, models and errors, generated into ``api.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from types import TracebackType
from typing import Any

from .._client import AsyncPlane
from .._errors import ClientClosedError
from .._http.transport import RequestStats
from .._ratelimit.limiter import Quota, RateLimit
from .api import BlockingClientBase
from .portal import portal

__all__ = ["Plane"]


class Plane(BlockingClientBase):
    """A blocking session with one Plane server, one API key and (optionally) one workspace.

    ``with Plane(...) as plane: plane.issues.get(project_id, issue_id)``, or call
    ``plane.close()`` when done. It takes ``AsyncPlane``'s arguments and offers its
    namespaces and methods, returning results instead of coroutines; ``list()`` and
    ``pages()`` return iterators. It shares the process-wide rate limit (or the
    ``RedisLimiter``) with every async client of the key, and works from any thread, a
    thread pool, a Celery task, a Django view or a notebook. Inside async code, use
    ``AsyncPlane`` and ``await`` instead: a blocking call there stops the event loop.
    """

    @classmethod
    def _wrap(cls, client: AsyncPlane) -> Plane:
        plane = cls.__new__(cls)
        plane._attach(portal, client)
        return plane

    def __repr__(self) -> str:
        client = getattr(self, "_async", None)
        if client is None:
            return "Plane(base_url=None, workspace=None)"
        return "Plane" + repr(client).removeprefix("AsyncPlane")

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> Plane:
        if self.closed:
            raise ClientClosedError("this Plane is closed; create a new one")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections (a caller's ``session=`` is left open). Idempotent."""
        self._portal.call(self._async.aclose)

    def __del__(self, _warn: Any = warnings.warn) -> None:
        client = getattr(self, "_async", None)
        if client is not None and client._parent is None and client._transport.holds_connections:
            _warn(
                f"unclosed {self!r}: use `with Plane(...) as plane:` or `plane.close()` when done",
                ResourceWarning,
                source=self,
            )
            # Close it on the loop without waiting: its connections would otherwise stay
            # open (and warn again) until the process ends.
            with contextlib.suppress(Exception):  # the interpreter may be shutting down
                asyncio.run_coroutine_threadsafe(client.aclose(), self._portal.loop())

    def with_options(self, *, wait_budget: float | None = None) -> Plane:
        """A view of this client whose calls use other options (see ``AsyncPlane``); it
        shares the connections, the limiter and the lifecycle."""
        return Plane._wrap(self._async.with_options(wait_budget=wait_budget))

    # ------------------------------------------------------------------ properties

    @property
    def base_url(self) -> str:
        """The API root this client talks to, ending in ``/api/v1/``."""
        return self._async.base_url

    @property
    def workspace(self) -> str:
        """The workspace slug; PlaneValueError if none was configured."""
        return self._async.workspace

    @property
    def rate_limit(self) -> RateLimit | None:
        """The cap given as ``rate_limit=``; None when the client follows the server's limit."""
        return self._async.rate_limit

    @property
    def wait_budget(self) -> float | None:
        """Seconds a call may take in all (None: unbounded)."""
        return self._async.wait_budget

    @property
    def max_per_page(self) -> int:
        return self._async.max_per_page

    @property
    def closed(self) -> bool:
        return self._async.closed

    @property
    def stats(self) -> RequestStats:
        """Counters of this client's requests: attempts, retries, 429s, network failures."""
        return self._async.stats

    def quota(self) -> Quota:
        """The current request quota of the key: remaining requests, when the next slot frees."""
        return self._portal.call_sync(self._async.quota)
