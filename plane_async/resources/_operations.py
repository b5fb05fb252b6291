"""Logical calls: ``plane.issues.list(...)`` as one :class:`Operation` for the observers.

Only a client with telemetry or hooks is instrumented: its namespaces get, per public
method, an instance attribute that wraps the class's method. A coroutine call runs with
the operation in a context variable, so the requests it sends report to it; a list's page
fetcher is bound to it when the generator is made (``bind_operation``), so its pages,
read-ahead tasks included, do too. A client without them keeps the plain methods: no
cost per call or per item.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Mapping
from typing import Any, TypeVar

from .._observability.bus import Observers, Operation, current_operation
from .._paging.page import Page
from .._paging.stream import ResultStream

__all__ = ["bind_operation", "instrument"]

T = TypeVar("T")
P = TypeVar("P")
R = TypeVar("R")


def instrument(namespaces: Mapping[str, object], hub: Observers) -> None:
    """Wrap every public method of each namespace (``{"issues": plane.issues, ...}``)."""
    for ns_name, namespace in namespaces.items():
        for name, _ in inspect.getmembers(type(namespace), inspect.isfunction):
            if name.startswith("_"):
                continue
            bound = getattr(namespace, name)
            setattr(namespace, name, _wrap(bound, f"{ns_name}.{name}", hub))


def _wrap(method: Callable[..., Any], name: str, hub: Observers) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(method):
        return _wrap_coroutine_function(method, name, hub)

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        if current_operation.get() is not None:
            return method(*args, **kwargs)  # called by another call: its requests are that one's
        op = Operation(name)
        # current while the method builds its generator, so the page fetcher it makes
        # binds to this call (bind_operation)
        token = current_operation.set(op)
        try:
            result = method(*args, **kwargs)
        finally:
            current_operation.reset(token)
        if isinstance(result, ResultStream):
            return result.wrapped(lambda gen: _generator(gen, op, hub))
        if inspect.isasyncgen(result):
            return _generator(result, op, hub)
        if inspect.iscoroutine(result):
            return _coroutine(result, op, hub)
        return result

    return call


def _wrap_coroutine_function(
    method: Callable[..., Coroutine[Any, Any, Any]], name: str, hub: Observers
) -> Callable[..., Coroutine[Any, Any, Any]]:
    """An ``async def`` method stays one (``inspect.iscoroutinefunction`` is True): FastAPI's
    ``BackgroundTasks`` and other frameworks decide by it whether to await a callable or
    to run it in a thread, where a plain wrapper's coroutine would be dropped unawaited."""

    @functools.wraps(method)
    async def call(*args: Any, **kwargs: Any) -> Any:
        if current_operation.get() is not None:
            return await method(*args, **kwargs)  # called by another call: its requests are its
        op = Operation(name)
        # the operation stays current from making the coroutine to its end (one set and
        # reset, one frame: what ``_coroutine`` does, inline)
        token = current_operation.set(op)
        try:
            coro = method(*args, **kwargs)
        except BaseException:
            current_operation.reset(token)
            raise
        hub.operation_started(op)
        try:
            result = await coro
        except BaseException as exc:
            hub.operation_finished(op, exc)
            raise
        finally:
            current_operation.reset(token)
        hub.operation_finished(op, None)
        return result

    return call


async def _coroutine(coro: Coroutine[Any, Any, T], op: Operation, hub: Observers) -> T:
    hub.operation_started(op)
    token = current_operation.set(op)
    try:
        result = await coro
    except BaseException as exc:
        hub.operation_finished(op, exc)
        raise
    finally:
        current_operation.reset(token)
    hub.operation_finished(op, None)
    return result


async def _generator(
    gen: AsyncGenerator[T, Any], op: Operation, hub: Observers
) -> AsyncGenerator[T]:
    # The requests find the call through the page fetcher bound to it, not through the
    # context: setting a context variable around every step would cost ~0.2 µs per item.
    hub.operation_started(op)
    error: BaseException | None = None
    try:
        async for item in gen:
            op.items += len(item.results) if isinstance(item, Page) else 1
            yield item
    except BaseException as exc:
        error = exc
        raise
    finally:
        try:
            await gen.aclose()
        finally:
            # GeneratorExit (the caller stopped early) is not a failure of the call
            hub.operation_finished(op, None if isinstance(error, GeneratorExit) else error)


def bind_operation(fetch: Callable[[P], Awaitable[R]]) -> Callable[[P], Awaitable[R]]:
    """``fetch`` as is, or, when made inside an instrumented call, run with that call
    current (its pages are fetched in the caller's context, or in read-ahead tasks)."""
    op = current_operation.get()
    if op is None:
        return fetch

    async def bound(arg: P) -> R:
        token = current_operation.set(op)
        try:
            return await fetch(arg)
        finally:
            current_operation.reset(token)

    return bound
