"""The descriptors behind model attributes: each converts its field on first read.

One class per kind of field (exact str/int/bool, own id, UUID or relation, datetime, any
other hook), so the hot path of each does only what that kind needs; see ``_base`` for how
models use them.
"""

from __future__ import annotations

import datetime
import reprlib
import types
import typing
import uuid
from typing import Any

from .._errors import FieldNotRequestedError, FieldValueError
from . import _hooks
from ._hooks import (
    _SAFE_UNKNOWN,
    _UUID,
    _cache_get,
    _from_bytes,
    _fromhex,
    _fromisoformat,
    _set_int,
    _set_is_safe,
)

_new = object.__new__

#: what a model built by calling its class holds instead of the server's dict
_BUILT: Any = ("<built>",)

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60


def _get_raw(obj: Any) -> Any:
    """The server's dict behind ``obj`` (``_BUILT`` for a model built by calling its class)."""
    try:
        return obj._raw
    except AttributeError:
        return _BUILT


class _Field:
    """Base of the descriptors behind model attributes: convert on first read, then cache.

    Each subclass holds the hot path (``__get__``) of one kind of field and does only
    what that kind needs: every Python call saved there is saved per item and field.
    """

    __slots__ = ("exact", "hook", "key", "model", "name", "nullable")

    def __init__(
        self, model: str, name: str, key: str, hook: _hooks.Hook, exact: type | None, nullable: bool
    ) -> None:
        self.model = model
        self.name = name
        self.key = key
        self.hook = hook
        self.exact = exact
        self.nullable = nullable

    def _missing(self, obj: Any) -> Exception:
        raw = _get_raw(obj)
        if raw is _BUILT:
            return FieldNotRequestedError(
                f"{self.model}.{self.name} was not given when this object was built",
                model=self.model,
                field=self.name,
            )
        if type(raw) is not dict:
            return FieldValueError(
                f"{self.model}.{self.name}: the item is {type(raw).__name__} "
                f"{_short.repr(raw)}, not a JSON object",
                model=self.model,
                field=self.name,
            )
        item_id = raw.get("id")
        return FieldNotRequestedError(
            f"{self.model}.{self.name} is not in the response for item {item_id}: it was not "
            f"requested with fields=, or this server version does not send it",
            model=self.model,
            field=self.name,
            item_id=item_id,
        )

    def _invalid(self, obj: Any, value: Any, exc: Exception | None) -> FieldValueError:
        raw = _get_raw(obj)
        item_id = raw.get("id") if type(raw) is dict else None
        why = f": {exc}" if exc is not None else f", expected {self.exact.__name__}"  # type: ignore[union-attr]
        return FieldValueError(
            f"{self.model}.{self.name} of item {item_id}: unexpected value "
            f"{type(value).__name__} {_short.repr(value)}{why}",
            model=self.model,
            field=self.name,
            item_id=item_id,
        )

    def _convert(self, obj: Any, value: Any) -> Any:
        """Convert with the hook and cache the result (the general path)."""
        try:
            result = self.hook(value)
        except Exception as exc:
            raise self._invalid(obj, value, exc) from exc
        obj.__dict__[self.name] = result
        return result


class _HookField(_Field):
    """A field converted by its hook (UUID, datetime, enum, relation...)."""

    __slots__ = ()

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        try:
            value = obj._raw[self.key]
        except Exception:
            raise self._missing(obj) from None
        try:
            value = self.hook(value)
        except Exception as exc:
            raise self._invalid(obj, value, exc) from exc
        obj.__dict__[self.name] = value
        return value


class _ExactField(_Field):
    """A str/int/bool field: a type check is the whole conversion, no call."""

    __slots__ = ()

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        try:
            value = obj._raw[self.key]
        except Exception:
            raise self._missing(obj) from None
        if type(value) is not self.exact and (value is not None or not self.nullable):
            raise self._invalid(obj, value, None)
        obj.__dict__[self.name] = value
        return value


class _IdField(_Field):
    """A model's own ``id``: ``_hooks.own_id``'s fast path inline (unique, so uncached)."""

    __slots__ = ()

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        try:
            value = obj._raw[self.key]
        except Exception:
            raise self._missing(obj) from None
        if type(value) is str and len(digits := value.replace("-", "")) == 32:
            try:
                packed = _fromhex(digits)
            except ValueError:
                packed = b""
            if len(packed) == 16:
                result = _new(_UUID)
                _set_int(result, _from_bytes(packed))  # big-endian: the default since 3.11
                _set_is_safe(result, _SAFE_UNKNOWN)
                obj.__dict__[self.name] = result
                return result
        return self._convert(obj, value)


class _UuidField(_Field):
    """A UUID or relation field: an id already in the UUID cache is found inline."""

    __slots__ = ()

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        try:
            value = obj._raw[self.key]
        except Exception:
            raise self._missing(obj) from None
        if type(value) is str and (result := _cache_get(value)) is not None:
            obj.__dict__[self.name] = result
            return result
        return self._convert(obj, value)


class _DatetimeField(_Field):
    """A datetime field: ``fromisoformat`` inline."""

    __slots__ = ()

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        try:
            value = obj._raw[self.key]
        except Exception:
            raise self._missing(obj) from None
        if type(value) is not str:
            return self._convert(obj, value)
        try:
            result = _fromisoformat(value)
        except ValueError as exc:
            raise self._invalid(obj, value, exc) from exc
        obj.__dict__[self.name] = result
        return result


def _field_kind(tp: Any, hook: _hooks.Hook, exact: type | None) -> type[_Field]:
    if exact is not None:
        return _ExactField
    if hook is _hooks.own_id:
        return _IdField
    if tp is uuid.UUID or uuid.UUID in (_hooks.union_args(tp) or ()):
        return _UuidField  # every such hook reads a cached id string as its UUID
    if tp in (datetime.datetime, datetime.datetime | None):
        return _DatetimeField
    return _HookField


def _contains_model(tp: Any) -> bool:
    return _hooks.is_model(tp) or any(_contains_model(a) for a in typing.get_args(tp))


def _exact_type(tp: Any) -> tuple[type | None, bool]:
    """(str/int/bool, nullable) when a type check is the whole conversion."""
    args = typing.get_args(tp)
    union = typing.get_origin(tp) in (typing.Union, types.UnionType)
    if union and len(args) == 2 and type(None) in args:
        other = args[0] if args[1] is type(None) else args[1]
        if other in (str, int, bool):
            return other, True
    if tp in (str, int, bool):
        return tp, False
    return None, False
