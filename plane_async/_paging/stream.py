"""What ``list()`` and ``pages()`` return: an async generator that explains its misuse.

``for x in plane.issues.list(...)`` and ``await plane.issues.list(...)`` would raise
Python's bare "'async_generator' object is not iterable"; this one says to use
``async for``. ``async for`` itself iterates the wrapped generator directly, at no cost
per item. ``take_ready()`` hands over, without waiting, the items an item stream already
fetched (the rest of its current page): the blocking client moves a page to its thread
in one hop instead of one hop per item.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator
from types import TracebackType
from typing import Any, NoReturn, TypeVar

__all__ = ["ResultStream"]

T = TypeVar("T")


class ResultStream(AsyncGenerator[T, None]):
    """An async generator of results (``async for item in plane.issues.list(...)``)."""

    __slots__ = ("_agen", "_ready", "_what")

    _agen: AsyncGenerator[T, None]
    _ready: Callable[[], list[T]] | None
    _what: str

    def __init__(
        self,
        agen: AsyncGenerator[T, None],
        what: str,
        ready: Callable[[], list[T]] | None = None,
    ) -> None:
        if isinstance(agen, ResultStream):  # the engine's stream, named by its caller
            ready = ready or agen._ready
            agen = agen._agen
        self._agen = agen
        self._what = what
        self._ready = ready

    def __repr__(self) -> str:
        return f"<ResultStream of {self._what}>"

    def wrapped(
        self, wrap: Callable[[AsyncGenerator[T, None]], AsyncGenerator[T, None]]
    ) -> ResultStream[T]:
        """The same stream with its generator passed through ``wrap`` (telemetry): every
        item then goes through ``wrap``, so ``take_ready`` hands over none."""
        return ResultStream(wrap(self._agen), self._what)

    def take_ready(self) -> list[T]:
        """The items the next ``__anext__`` calls would return at once (fetched, not yet
        handed out), taken now, in order; ``[]`` when the next item needs a request."""
        ready = self._ready
        return [] if ready is None else ready()

    def __aiter__(self) -> AsyncGenerator[T, None]:
        return self._agen

    def __anext__(self) -> Any:
        return self._agen.__anext__()

    def asend(self, value: None) -> Any:
        return self._agen.asend(value)

    def athrow(
        self,
        typ: Any,
        val: Any = None,
        tb: TracebackType | None = None,
    ) -> Any:
        if val is None and tb is None:  # the one-argument form (the others are deprecated)
            return self._agen.athrow(typ)
        return self._agen.athrow(typ, val, tb)

    def aclose(self) -> Any:
        return self._agen.aclose()

    def __iter__(self) -> NoReturn:
        raise TypeError(
            f"{self._what} is read with `async for`, not `for`: "
            f"`async for item in {self._what}:` inside an async function, or "
            f"`[item async for item in {self._what}]` to collect the items"
        )

    def __await__(self) -> Generator[Any, None, NoReturn]:
        raise TypeError(
            f"{self._what} cannot be awaited: read it with `async for item in {self._what}:`, "
            f"or collect it with `[item async for item in {self._what}]`"
        )
