"""The final attempt's answer: its decoded body, or the error its status means."""

from __future__ import annotations

import logging
from typing import Any

import orjson

from .._errors import RateLimitError, ResponseDecodeError
from .._observability.bus import Attempt
from .._protocol import wire as proto
from .body import decode, text
from .exchange import HttpRequest
from .retry import RetryPolicy
from .values import Response, TransportSettings

__all__ = ["answer", "error_for"]

logger = logging.getLogger("plane_async")


def error_for(
    request: HttpRequest, result: Attempt, attempt: int, body: Any, max_retry_after: float
) -> Exception:
    """The APIError for an answered attempt that is not a success."""
    error = proto.error_for_status(
        result.status, method=request.method, url=request.url, body=body,
        headers=result.headers, attempts=attempt,
    )  # fmt: skip
    if isinstance(error, RateLimitError):
        error.max_retry_after = max_retry_after
    return error


def answer(
    request: HttpRequest,
    result: Attempt,
    attempt: int,
    uncertain: bool,
    policy: RetryPolicy,
    settings: TransportSettings,
) -> Response:
    """The decoded response of the final attempt, or its error (ResponseDecodeError for a
    success that is not JSON: the caller may retry it)."""
    method, url, status, raw = request.method, request.url, result.status, result.raw
    success = 200 <= status < 300  # 1xx and 3xx are not answers either
    try:
        body = decode(raw)
    except orjson.JSONDecodeError as exc:
        if success:
            raise ResponseDecodeError(
                f"the {status} response is not valid JSON ({len(raw)} bytes, "
                f"starts {raw[:40]!r})",
                status=status, method=method, url=url,
                body=text(raw), headers=result.headers, attempts=attempt,
            ) from exc  # fmt: skip
        body = text(raw)
    if success:
        return Response(method=method, url=url, status=status, headers=result.headers,
                        body=body)  # fmt: skip
    if policy.already_done(method, status, body, uncertain=uncertain):
        logger.info("%s %s -> 404 on a retry: an earlier attempt deleted it",
                    method, url[len(settings.base_url):])  # fmt: skip
        return Response(method=method, url=url, status=status, headers=result.headers,
                        body=None)  # fmt: skip
    raise error_for(request, result, attempt, body, settings.max_retry_after)
