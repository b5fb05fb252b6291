"""Logical calls: ``plane.issues.list(...)`` as one :class:`Operation` for the observers.

Only a client with telemetry or hooks is instrumented: its namespaces get, per public
method, an instance attribute that wraps the class's method. A call (or each step of the
async generator it returns) runs with the operation in a context variable, so the
requests it sends, read-ahead tasks included, report to it. A client without them keeps
the plain methods: no cost per call or per item.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncGenerator, Callable, Coroutine, Mapping
from typing import Any, TypeVar

from ._observe import Observers, Operation, current_operation
from ._page import Page

__all__ = ["instrument"]

T = TypeVar("T")


def instrument(namespaces: Mapping[str, object], hub: Observers) -> None:
    """Wrap every public method of each namespace (``{"issues": plane.issues, ...}``)."""
    for ns_name, namespace in namespaces.items():
        for name, _ in inspect.getmembers(type(namespace), inspect.isfunction):
            if name.startswith("_"):
                continue
            bound = getattr(namespace, name)
            setattr(namespace, name, _wrap(bound, f"{ns_name}.{name}", hub))


def _wrap(method: Callable[..., Any], name: str, hub: Observers) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        result = method(*args, **kwargs)
        if current_operation.get() is not None:
            return result  # called by another operation: its requests are that one's
        if inspect.isasyncgen(result):
            return _generator(result, name, hub)
        if inspect.iscoroutine(result):
            return _coroutine(result, name, hub)
        return result

    return call


async def _coroutine(coro: Coroutine[Any, Any, T], name: str, hub: Observers) -> T:
    op = Operation(name)
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


async def _generator(gen: AsyncGenerator[T, Any], name: str, hub: Observers) -> AsyncGenerator[T]:
    op = Operation(name)
    hub.operation_started(op)
    error: BaseException | None = None
    try:
        while True:
            token = current_operation.set(op)
            try:
                item = await gen.__anext__()
            except StopAsyncIteration:
                break
            finally:
                current_operation.reset(token)
            op.items += len(item.results) if isinstance(item, Page) else 1
            yield item
    except BaseException as exc:
        error = exc
        raise
    finally:
        try:
            token = current_operation.set(op)
            try:
                await gen.aclose()
            finally:
                current_operation.reset(token)
        finally:
            # GeneratorExit (the caller stopped early) is not a failure of the call
            hub.operation_finished(op, None if isinstance(error, GeneratorExit) else error)
