"""``FakePlane.extras``, kept for one release: the 1.2-1.3 tables moved to ``Store`` and
the object storage to ``FakePlane.storage``."""

from __future__ import annotations

from typing import Any

from ._store import Store

__all__ = ["LegacyExtras"]

_TABLES = frozenset(
    {"estimates", "estimate_points", "relations", "files", "stickies", "invitations"}
)
#: the old names of the object storage's attributes
_STORAGE = {
    "objects": "objects",
    "file_size_limit": "file_size_limit",
    "storage_faults": "faults",
    "storage_requests": "requests",
    "storage_url": "url",
    "secret": "secret",
}


class LegacyExtras:
    """The old ``extras`` object: reads and writes go to the store or its storage."""

    __slots__ = ("_store",)

    def __init__(self, store: Store) -> None:
        object.__setattr__(self, "_store", store)

    def _owner(self, name: str) -> tuple[object, str]:
        if name in _TABLES:
            return self._store, name
        if name in _STORAGE:
            return self._store.storage, _STORAGE[name]
        raise AttributeError(f"FakePlane.extras has no attribute {name!r}")

    def __getattr__(self, name: str) -> Any:
        owner, attr = self._owner(name)
        return getattr(owner, attr)

    def __setattr__(self, name: str, value: Any) -> None:
        owner, attr = self._owner(name)
        setattr(owner, attr, value)
