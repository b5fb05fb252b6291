"""Keyset paging emulated over Plane's offsets: which rows a read has already handed out.

Plane pages by LIMIT/OFFSET, so a create or delete before the read position shifts every
later row. The list's order is a key (``-created_at`` for work items), so the engine
remembers the last key it handed out (``LastKey``: the value and the ids that share it)
and judges every row against it instead of trusting the offset: a row at or before the
boundary was handed out already. Where the order's values cannot be compared here (a name
sorted by the database's collation, a priority), it remembers the ids instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .._errors import PaginationError
from .cursor import Cursor, LastKey

__all__ = ["ISSUE_ORDERS", "OrderKey", "Tracker", "order_key"]

#: a parser that turns a field's JSON value into something comparable
Parse = Callable[[Any], Any]


#: refuses anything but a str (TypeError) and a malformed one (ValueError) by itself: no
#: Python frame per row judged
_datetime: Callable[[Any], dt.datetime] = dt.datetime.fromisoformat


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(value)
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value.lower()


#: work-item orders whose values the client can compare: field -> (parser, can change)
ISSUE_ORDERS: Mapping[str, tuple[Parse, bool]] = {
    "created_at": (_datetime, False),
    "sequence_id": (_int, False),
    "id": (_str, False),
    "updated_at": (_datetime, True),
}


@attrs.frozen
class OrderKey:
    """The order of a list: ``order_by`` as sent, and how to compare its values.

    ``parse`` is None when the values cannot be compared client-side (the ids handed out
    are remembered instead); ``mutable`` when an update moves an item (``updated_at``).
    """

    order_by: str
    field: str
    descending: bool
    parse: Parse | None
    mutable: bool


def order_key(order_by: str, comparable: Mapping[str, tuple[Parse, bool]]) -> OrderKey:
    """The ``OrderKey`` of ``order_by`` (``"-created_at"``) given the comparable fields."""
    field = order_by.lstrip("-")
    known = comparable.get(field)
    if known is None:
        return OrderKey(order_by, field, order_by.startswith("-"), None, True)
    return OrderKey(order_by, field, order_by.startswith("-"), known[0], known[1])


def _id(raw: Any) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None


class _MissingKey(Exception):
    pass


_MISSING = object()


class Tracker:
    """What a read handed out: a key boundary (O(1) memory) and, where needed, the ids."""

    __slots__ = ("_after", "_key", "_last", "_seen", "_value")

    def __init__(self, key: OrderKey | None, start: LastKey | None, *, remember_ids: bool) -> None:
        self._key = key
        self._after = start if key is not None and key.parse is not None else None
        self._value: Any = None if self._after is None else self._parse(self._after.value)
        # Ids are needed when values cannot be compared, and when an update can move an
        # item past the boundary (it would come round again).
        keep = key is None or key.parse is None or key.mutable or remember_ids
        self._seen: set[str] | None = set() if keep else None
        #: the last checkpoint made, with what it was made from (asked for twice a page)
        self._last: tuple[Any, int, int, int | None, Cursor] | None = None

    @property
    def by_fixed_key(self) -> bool:
        """Whether rows are judged by a key boundary that no update moves: then a row
        judged handed out sorts at or before the last one handed out."""
        key = self._key
        return self._after is not None and key is not None and not key.mutable

    @property
    def moving(self) -> bool:
        """Whether an update can move an item in this order (its key changes)."""
        return self._key is not None and self._key.mutable

    @property
    def after(self) -> LastKey | None:
        """The boundary to put in a checkpoint (None when the order is not comparable)."""
        return self._after

    @property
    def anchored(self) -> bool:
        """Whether rows can be recognised as handed out (something was, or a checkpoint
        says where the read stands)."""
        return self._after is not None or bool(self._seen)

    def checkpoint(self, per_page: int, position: int, total: int | None = None) -> Cursor:
        """The cursor that resumes the read at row ``position`` after what was handed out
        (a plain cursor at the page of ``position`` when the order has no key)."""
        after = self._after
        last = self._last
        if (
            last is not None
            and last[0] is after
            and last[1] == per_page
            and last[2] == position
            and last[3] == total
        ):
            return last[4]  # frozen: the same checkpoint can be handed out again
        stamped = after
        if after is not None and (after.total != total or after.position != position):
            # (attrs.evolve costs several times this, and it runs on every page)
            stamped = LastKey(after.order_by, after.value, after.ids, total, position)
        cursor = Cursor(per_page, position // per_page, after=stamped)
        self._last = (after, per_page, position, total, cursor)
        return cursor

    def _parse(self, value: Any) -> Any:
        key = self._key
        assert key is not None and key.parse is not None
        try:
            return key.parse(value)
        except (TypeError, ValueError):
            raise self._unparsable(value) from None

    def _unparsable(self, value: Any) -> PaginationError:
        key = self._key
        assert key is not None
        return PaginationError(
            f"an item's {key.field!r} is {value!r}: the read is ordered by "
            f"{key.order_by!r} and needs that value to never skip or repeat an item"
        )

    def _value_of(self, raw: Any) -> Any:
        """The row's parsed key (``_MissingKey`` when the row does not carry it)."""
        key = self._key
        assert key is not None
        value = raw.get(key.field, _MISSING) if isinstance(raw, dict) else _MISSING
        if value is _MISSING:
            raise _MissingKey
        return self._parse(value)

    def _by_ids(self) -> None:
        """The server left the order field out: fall back to remembering ids."""
        self._key = None
        self._after = None
        if self._seen is None:
            self._seen = set()

    def done(self, raw: Any) -> bool:
        """Whether the row was handed out already (or sorts before what was)."""
        seen = self._seen
        if seen is not None:
            rid = _id(raw)
            if rid is not None and rid in seen:
                return True
        after = self._after
        if after is None:
            return False
        try:
            value = self._value_of(raw)
        except _MissingKey:
            self._by_ids()
            return False
        mine = self._value
        if value == mine:  # at the boundary: handed out if it was one of its ids
            return _id(raw) in after.ids
        # before the boundary in the list's order: greater when descending, else smaller
        assert self._key is not None
        ahead: bool = value > mine
        return ahead == self._key.descending

    def fresh(self, raw: list[Any]) -> list[int]:
        """Indexes of the rows not handed out yet, in the page's order."""
        done = self.done
        if self._seen is None:
            # Values are monotonic in the server's order: past the first fresh row, all are.
            for i, row in enumerate(raw):
                if not done(row):
                    return list(range(i, len(raw)))
            return []
        return [i for i, row in enumerate(raw) if not done(row)]

    def hand_out(
        self, rows: list[Any], total: int | None = None, position: int | None = None
    ) -> None:
        """Record ``rows`` (in order) as handed out; the boundary moves to the last one.

        ``total`` and ``position``: what the checkpoint made next will carry (the boundary
        is then stamped once, not built twice a page).
        """
        if not rows:
            return
        seen = self._seen
        if seen is not None:
            seen.update(rid for rid in map(_id, rows) if rid is not None)
        key = self._key
        if key is None or key.parse is None:
            return
        last = rows[-1]
        ties: list[str] = []
        try:
            value = self._value_of(last)
            for row in reversed(rows):
                if row is not last and self._value_of(row) != value:  # (last: parsed above)
                    break
                rid = _id(row)
                if rid is not None:
                    ties.append(rid)
        except _MissingKey:
            self._by_ids()
            if self._seen is not None:
                self._seen.update(rid for rid in map(_id, rows) if rid is not None)
            return
        if self._after is not None and self._value == value:
            ties.extend(self._after.ids)
        raw_value = last[key.field]
        self._after = LastKey(key.order_by, raw_value, tuple(dict.fromkeys(ties)), total, position)
        self._value = value
