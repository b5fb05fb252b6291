"""A page's models with the fields its reader reads converted at once, without a call per row.

A read of a list reads the same few fields of every item (an export: ``id``, ``name``,
``created_at``, ``state``). Converting each on its first read (``_fields``) costs a Python
call per item and field, which measured more than decoding the JSON. So a paged read
builds each page with :class:`PageBuilder`: the fields read on the previous page's last
item (the keys of its ``__dict__``, where the descriptors cache their values) are
converted for the whole page by C-level ``map`` chains and stored in each item's
``__dict__``, where the reads then find them directly.

Nothing changes for the reader but the cost. A column is converted only when every value
on the page is of the expected JSON type and converts cleanly; otherwise (a key missing,
a value of another shape) that field stays lazy on this page, and reading it on the odd
item raises the same ``FieldNotRequestedError`` or ``FieldValueError`` as before. A field
the reader does not read is not converted (the hint is the last item of each page, so a
field read only now and then may be converted for a page nobody reads it on).
"""

from __future__ import annotations

import collections
import functools
import itertools
import operator
from collections.abc import Callable
from typing import Any

from ._fields import _DatetimeField, _ExactField, _Field, _HookField, _IdField, _UuidField
from ._hooks import (
    _SAFE_UNKNOWN,
    _UUID,
    _cache_get,
    _fromhex,
    _fromisoformat,
    _set_int,
    _set_is_safe,
)
from ._relations import RelatedId

__all__ = ["PageBuilder"]

#: a column converter: the page's rows in, the field's values out (None: leave it lazy)
Column = Callable[[list[Any]], "list[Any] | None"]

_new = object.__new__
_NoneType = type(None)
_repeat = itertools.repeat
_STR = frozenset({str})
_36 = frozenset({36})
#: where the hyphens of "8-4-4-4-12" are
_HYPHENS = (8, 13, 18, 23)
_from_bytes = int.from_bytes  # big-endian: the default since 3.11
_dict_of = operator.attrgetter("__dict__")  # made on first access
_setitem = operator.setitem


def _consume(calls: Any) -> None:
    collections.deque(calls, maxlen=0)  # runs every call, in C, keeping no result


def _values(rows: list[Any], key: str) -> list[Any] | None:
    try:
        return list(map(operator.itemgetter(key), rows))
    except (KeyError, TypeError, IndexError):  # a row without the key, or not a dict
        return None


def _exact_column(field: _Field) -> Column:
    allowed = frozenset({field.exact, _NoneType} if field.nullable else {field.exact})
    key = field.key

    def convert(rows: list[Any]) -> list[Any] | None:
        values = _values(rows, key)
        if values is None or not set(map(type, values)) <= allowed:
            return None
        return values

    return convert


@functools.lru_cache(maxsize=64)
def _slices(n: int) -> tuple[slice, ...]:
    """Where each of ``n`` ids is in their 16-byte forms, joined."""
    return tuple(slice(i, i + 16) for i in range(0, 16 * n, 16))


def _id_column(field: _Field) -> Column:
    key = field.key

    def convert(rows: list[Any]) -> list[Any] | None:
        # The server's form only, "8-4-4-4-12" hex digits, for the whole page in a few C
        # calls: the joined column has a hyphen at each of the four places of every id
        # and nowhere else, and its hex digits make exactly 16 bytes per id (a space,
        # sign or "_" anywhere fails that). Other spellings take the lazy path.
        values = _values(rows, key)
        if values is None or set(map(type, values)) != _STR or set(map(len, values)) != _36:
            return None
        n = len(values)
        joined = "".join(values)
        hyphens = "-" * n
        if joined.count("-") != 4 * n or any(joined[i::36] != hyphens for i in _HYPHENS):
            return None
        try:
            packed = _fromhex(joined.replace("-", ""))
        except ValueError:
            return None
        if len(packed) != 16 * n:
            return None
        ints = map(_from_bytes, map(packed.__getitem__, _slices(n)))
        ids = list(map(_new, _repeat(_UUID, n)))
        _consume(map(_set_int, ids, ints))
        _consume(map(_set_is_safe, ids, _repeat(_SAFE_UNKNOWN)))
        return ids

    return convert


def _uuid_column(field: _Field) -> Column:
    key, hook = field.key, field.hook
    allowed = frozenset({str, _NoneType})

    def convert(rows: list[Any]) -> list[Any] | None:
        # The UUID cache in C; its misses (and nulls) through the field's hook.
        values = _values(rows, key)
        if values is None or not set(map(type, values)) <= allowed:
            return None
        out = list(map(_cache_get, values))
        if _NoneType in set(map(type, out)):  # ``None in out`` would call UUID.__eq__
            try:
                out = [hook(v) if r is None else r for v, r in zip(values, out, strict=True)]
            except Exception:
                return None
        return out

    return convert


def _datetime_column(field: _Field) -> Column:
    key = field.key

    def convert(rows: list[Any]) -> list[Any] | None:
        values = _values(rows, key)
        if values is None or set(map(type, values)) != _STR:
            return None
        try:
            return list(map(_fromisoformat, values))
        except ValueError:
            return None

    return convert


def _hook_column(field: _Field) -> Column:
    key, hook = field.key, field.hook

    def convert(rows: list[Any]) -> list[Any] | None:
        values = _values(rows, key)
        if values is None:
            return None
        try:
            return list(map(hook, values))
        except Exception:
            return None

    return convert


_KINDS: dict[type[_Field], Callable[[_Field], Column]] = {
    _ExactField: _exact_column,
    _IdField: _id_column,
    _UuidField: _uuid_column,
    _DatetimeField: _datetime_column,
    _HookField: _hook_column,
}

#: per model class: attribute name -> column converter (built on first use)
_COLUMNS: dict[type, dict[str, Column]] = {}
#: per model class: ``<relation>_id`` companion -> its relation field
_COMPANIONS: dict[type, dict[str, str]] = {}
_ID_OR_NONE = frozenset({_UUID, _NoneType})


def _columns(cls: type) -> dict[str, Column]:
    made = _COLUMNS.get(cls)
    if made is None:
        made = {}
        for name in cls.__plane_fields__:  # type: ignore[attr-defined]
            field = cls.__dict__.get(name)
            kind = _KINDS.get(type(field))  # type: ignore[arg-type]
            if kind is not None:
                made[name] = kind(field)  # type: ignore[arg-type]
        _COLUMNS[cls] = made
        _COMPANIONS[cls] = {
            name: value.relation
            for klass in reversed(cls.__mro__)
            for name, value in vars(klass).items()
            if isinstance(value, RelatedId)
        }
    return made


class PageBuilder:
    """Builds one read's pages of ``cls`` models (see the module docstring)."""

    __slots__ = ("columns", "companions", "last", "read", "wrap")

    def __init__(self, cls: type, wrap: Callable[[list[Any]], list[Any]]) -> None:
        #: the page's rows as ``cls`` instances, nothing converted (``structure_many``)
        self.wrap = wrap
        self.columns = _columns(cls)
        self.companions = _COMPANIONS[cls]
        #: the previous page's last item: what its reader read says what to convert
        self.last: Any = None
        #: the fields converted on the previous page
        self.read: list[str] = []

    def __call__(self, rows: list[Any]) -> tuple[Any, ...]:
        if type(rows) is not list:
            rows = list(rows)
        objs = self.wrap(rows)
        last = self.last
        if last is not None and rows:
            # The fields read on it (one C call: thread-safe); none yet when the reader
            # took the page to another thread and is still on it: the previous ones.
            read = self.read = list(last.__dict__) or self.read
            if read:
                self._fill(objs, rows, read)
        if objs:
            self.last = objs[-1]
        return tuple(objs)

    def _fill(self, objs: list[Any], rows: list[Any], read: list[str]) -> None:
        columns, companions = self.columns, self.companions
        done: dict[str, list[Any]] = {}
        for name in read:
            convert = columns.get(name)
            if convert is not None and (column := convert(rows)) is not None:
                done[name] = column
        for name in read:
            # ``state_id``: the relation's ids when none was expanded (``RelatedId``)
            relation = companions.get(name)
            if relation is None:
                continue
            column = done.get(relation)
            if column is None:
                convert = columns.get(relation)
                if convert is None or (column := convert(rows)) is None:
                    continue
                done[relation] = column  # what the companion's own read would cache
            if set(map(type, column)) <= _ID_OR_NONE:
                done[name] = column
        if not done:
            return
        dicts = list(map(_dict_of, objs))
        for name, column in done.items():
            _consume(map(_setitem, dicts, _repeat(name), column))
