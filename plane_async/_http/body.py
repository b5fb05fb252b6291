"""A response body's limits and decoding: what any exchange reads, the transport parses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from .._errors import ResponseTooLargeError

__all__ = ["DECODED_FACTOR", "check_decoded_cost", "decode", "decoded_cost", "text", "too_large"]

#: what decoding a body may build, as a multiple of max_response_bytes
DECODED_FACTOR = 4
# Python objects cost at most ~40x the JSON text that makes them (nested one-key objects);
# a body under budget / 48 cannot exceed the budget, so it is not even counted.
_WORST_EXPANSION = 48


def too_large(
    status: int, method: str, url: str, headers: Mapping[str, str], limit: int, length: int | None
) -> ResponseTooLargeError:
    """The error for a body over ``limit`` bytes (``length`` when it was announced)."""
    size = "" if length is None else f" of {length} bytes"
    message = f"response body{size} exceeds max_response_bytes={limit}"
    return ResponseTooLargeError(message, status=status, method=method, url=url, headers=headers)


def check_decoded_cost(
    raw: bytes, limit: int, status: int, method: str, url: str, headers: Mapping[str, str]
) -> None:
    """ResponseTooLargeError if decoding ``raw`` would build more than ``DECODED_FACTOR *
    limit`` bytes of Python objects."""
    cost = decoded_cost(raw, DECODED_FACTOR * limit)
    if cost is not None:
        # A small compressed body can inflate to a body under the cap that decodes into
        # gigabytes of Python objects (61 KB of gzip, 60 MiB of "[],", 1.9 GB decoded).
        raise ResponseTooLargeError(
            f"decoding this {len(raw)}-byte body would build about {cost >> 20} MiB of "
            f"Python objects, more than {DECODED_FACTOR} x max_response_bytes={limit}; "
            "raise max_response_bytes if this response is expected",
            status=status, method=method, url=url, headers=headers,
        )  # fmt: skip


def decoded_cost(raw: bytes, budget: int) -> int | None:
    """An upper estimate of the memory ``orjson.loads(raw)`` builds, if it exceeds
    ``budget``; None when it does not (always for a body under ``budget / 48``).

    Each object, array, string and value costs a Python object and a pointer: about 200
    bytes per ``{``, 64 per ``[``, 28 per ``"`` (two per string) and 32 per ``,``.
    Characters inside strings are counted too, which only overestimates.
    """
    if len(raw) * _WORST_EXPANSION <= budget:
        return None
    cost = (
        len(raw)
        + 200 * raw.count(b"{")
        + 64 * raw.count(b"[")
        + 28 * raw.count(b'"')
        + 32 * raw.count(b",")
    )
    return cost if cost > budget else None


def decode(raw: bytes) -> Any:
    """The parsed JSON body, or None for an empty one; raises orjson.JSONDecodeError."""
    if not raw.strip():
        return None
    return orjson.loads(raw)


def text(raw: bytes) -> str:
    """A body that is not JSON, as text for an error message."""
    return raw.decode("utf-8", errors="replace")
