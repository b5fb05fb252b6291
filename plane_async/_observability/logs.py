"""The ``plane_async`` logger as an observer of requests (see ``_observe.py``)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .bus import Exchange, Operation, logger

if TYPE_CHECKING:
    from .bus import Attempt

__all__ = ["LogObserver"]


class LogObserver:
    """The ``plane_async`` logger: a DEBUG line per attempt; one INFO line for a request
    that needed more than one attempt, with what happened and how long it waited.

    Every record carries the fields as ``extra`` attributes (``plane_method``,
    ``plane_path``, ...) for JSON log formatters.
    """

    __slots__ = ("_remaining",)

    def __init__(self, remaining: Callable[[Mapping[str, str]], str]) -> None:
        self._remaining = remaining

    def operation_started(self, op: Operation) -> None:
        pass

    def operation_finished(self, op: Operation, error: BaseException | None) -> None:
        pass

    def started(self, ex: Exchange) -> None:
        pass

    def sending(self, ex: Exchange) -> None:
        pass

    def retrying(self, ex: Exchange, reason: str, delay: float) -> None:
        pass

    def received(self, ex: Exchange, out: Attempt) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        extra = _extra(ex, status=ex.status, elapsed=out.elapsed)
        elapsed_ms = out.elapsed * 1000
        if out.error is not None:
            extra["plane_error"] = type(out.error).__name__
            logger.debug("%s %s failed in %.1f ms: %s", ex.method, ex.path, elapsed_ms,
                         type(out.error).__name__, extra=extra)  # fmt: skip
            return
        remaining = self._remaining(out.headers)
        extra["plane_remaining"] = remaining
        logger.debug("%s %s -> %d in %.1f ms (remaining %s)", ex.method, ex.path, out.status,
                     elapsed_ms, remaining, extra=extra)  # fmt: skip

    def finished(self, ex: Exchange, error: BaseException | None) -> None:
        if ex.attempt <= 1 or not logger.isEnabledFor(logging.INFO):
            return
        elapsed = ex.now() - ex.started_at
        extra = _extra(ex, status=ex.status, elapsed=elapsed)
        extra.update(
            plane_attempts=ex.attempt,
            plane_retries=list(ex.retries),
            plane_limiter_wait=ex.limiter_wait_total,
            plane_backoff=ex.backoff,
            plane_error=type(error).__name__ if error is not None else None,
        )
        outcome = f"failed ({type(error).__name__})" if error is not None else f"-> {ex.status}"
        logger.info(
            "%s %s %s after %d attempts in %.2f s (retried: %s; waited %.2f s for the rate "
            "limiter, %.2f s backing off)",
            ex.method, ex.path, outcome, ex.attempt, elapsed, _count(ex.retries),
            ex.limiter_wait_total, ex.backoff, extra=extra,
        )  # fmt: skip


def _extra(ex: Exchange, *, status: int | None, elapsed: float) -> dict[str, Any]:
    return {
        "plane_method": ex.method,
        "plane_path": ex.path,
        "plane_path_template": ex.template,
        "plane_operation": ex.operation,
        "plane_attempt": ex.attempt,
        "plane_status": status,
        "plane_elapsed": elapsed,
        "plane_limiter_wait": ex.limiter_wait,
    }


def _count(reasons: list[str]) -> str:
    """``["429", "503", "503"]`` -> ``"429, 503 x2"``."""
    seen: dict[str, int] = {}
    for r in reasons:
        seen[r] = seen.get(r, 0) + 1
    return ", ".join(r if n == 1 else f"{r} x{n}" for r, n in seen.items()) or "none"
