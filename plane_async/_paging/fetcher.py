"""Sending the page requests of a paged read, with read-ahead, and naming the failed page."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from .._errors import PaginationError, PlaneError
from .cursor import Cursor

__all__ = ["FetchPage", "Fetcher", "annotate"]

#: given the query parameters (``per_page``, ``cursor``), returns the parsed JSON body
FetchPage = Callable[[dict[str, str]], Awaitable[Any]]


def annotate(exc: BaseException, cursor: Cursor) -> None:
    """Tell the caller which page failed and how to resume."""
    text = str(cursor)
    if isinstance(exc, PlaneError):
        exc.cursor = cursor
    if isinstance(exc, PaginationError):
        exc.page = cursor.offset
    exc.add_note(
        f"while reading page {cursor.offset} (0-based) of {cursor.per_page} items; "
        f"resume with cursor={text!r}"
    )


class Fetcher:
    """Sends page requests, keeping up to ``prefetch`` of the following pages in flight."""

    def __init__(self, fetch: FetchPage, paginated: bool) -> None:
        self._fetch = fetch
        self._paginated = paginated
        self._ahead: deque[tuple[Cursor, asyncio.Future[Any]]] = deque()

    def _params(self, cursor: Cursor, send_cursor: bool) -> dict[str, str]:
        if not self._paginated:
            return {}
        params = {"per_page": str(cursor.per_page)}
        if send_cursor:
            params["cursor"] = cursor.wire
        return params

    async def get(self, cursor: Cursor, send_cursor: bool, resume: Cursor | None = None) -> Any:
        """The body of the page at ``cursor``; errors carry ``resume`` (default ``cursor``)."""
        try:
            if self._ahead and self._ahead[0][0] != cursor:
                # The server led elsewhere than guessed: those requests are wasted.
                await self.cancel()
            if self._ahead:
                # Kept in the deque while awaited, so cancel() still reaches it.
                body = await self._ahead[0][1]
                self._ahead.popleft()
                return body
            return await self._fetch(self._params(cursor, send_cursor))
        except Exception as exc:
            annotate(exc, resume or cursor)
            raise

    def read_ahead(self, cursors: list[Cursor]) -> None:
        """Start fetching the pages at ``cursors``, in order (those not in flight yet)."""
        for target in cursors:
            if all(c != target for c, _ in self._ahead):
                self._ahead.append(
                    (
                        target,
                        asyncio.ensure_future(self._fetch(self._params(target, target.offset > 0))),
                    )
                )

    async def cancel(self) -> None:
        """Cancel the read-ahead and wait for it, so no task or error is left behind."""
        tasks = [task for _, task in self._ahead]
        self._ahead.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        for task in tasks:
            if not task.cancelled():
                task.exception()  # retrieved: an unneeded page's error is not logged
