"""Collapse Plane's re-deliveries of one body: an in-memory, bounded set of keys."""

from __future__ import annotations

import collections

from .._errors import PlaneValueError
from .._models.webhooks import WebhookEvent

__all__ = ["Deduplicator"]


class Deduplicator:
    """Remembers the last ``maxsize`` :attr:`~WebhookEvent.dedupe_key` values, in memory.

    Plane re-sends a delivery (same body, new ``X-Plane-Delivery``) when the connection
    fails or the receiver takes longer than 30 s, up to 5 times over about an hour:
    ``first(event)`` is True once per body. It is per process: workers behind a load
    balancer need a shared store (for example Redis ``SET key 1 NX EX 7200``).
    """

    __slots__ = ("_keys", "maxsize")

    def __init__(self, maxsize: int = 10_000) -> None:
        if type(maxsize) is not int or maxsize < 1:
            raise PlaneValueError(f"maxsize must be a positive int, not {maxsize!r}")
        self.maxsize = maxsize
        self._keys: collections.OrderedDict[str, None] = collections.OrderedDict()

    def first(self, event: WebhookEvent | str) -> bool:
        """True the first time this event (or dedupe key) is seen; it is then remembered."""
        key = event if isinstance(event, str) else event.dedupe_key
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        if len(self._keys) > self.maxsize:
            self._keys.popitem(last=False)
        return True

    def forget(self, event: WebhookEvent | str) -> None:
        """Forget an event, so that a re-delivery is handled again (after a failure)."""
        self._keys.pop(event if isinstance(event, str) else event.dedupe_key, None)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"<Deduplicator {len(self._keys)}/{self.maxsize} keys>"
