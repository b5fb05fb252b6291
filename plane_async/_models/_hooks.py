"""Field converters: a JSON value in, a typed value out, or an exception.

One compiler, :func:`compile_hook`, turns a field's annotation into a one-argument
function. The lazy attribute path calls it directly; ``plane_async._models.converter``
registers the very same functions on its cattrs ``Converter``, so lazy reads, the
converter and its strict test twin all apply one set of rules.

Every hook checks the JSON type exactly: ``None`` never becomes ``"None"``, ``"5"`` never
becomes ``5`` and ``True`` is not an int. Anything unexpected raises (``TypeError`` or
``ValueError``); the model layer turns that into a ``FieldValueError`` naming the field.
"""

from __future__ import annotations

import datetime as _dt
import types
import typing
import uuid
from collections.abc import Callable
from typing import Any

from .enums import PlaneIntEnum, PlaneStrEnum

__all__ = ["Hook", "ModelHook", "compile_hook", "is_model", "supported", "union_args"]

#: A field converter: JSON value -> typed value (raises on a wrong shape).
Hook = Callable[[Any], Any]
#: How a nested model is built from its dict: lazily (hot path) or eagerly (strict twin).
ModelHook = Callable[[type, Any], Any]

_NoneType = type(None)
_EXACT = (str, int, bool)

# UUIDs repeat heavily across a page (project, workspace, state, users), and uuid.UUID()
# costs about 1 µs. UUID objects are immutable, so sharing them is safe; the cache is
# bounded by clearing it when full.
_UUID_CACHE: dict[str, uuid.UUID] = {}
_UUID_CACHE_MAX = 8192


def is_model(tp: object) -> bool:
    """True for a plane_async model class."""
    return isinstance(tp, type) and "__plane_fields__" in tp.__dict__


def _is_plane_enum(tp: object) -> bool:
    return isinstance(tp, type) and issubclass(tp, (PlaneStrEnum, PlaneIntEnum))


def union_args(tp: Any) -> tuple[Any, ...] | None:
    """The arms of a union annotation (``None`` included), or ``None`` for another type."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(tp)
    return None


def _is_var_tuple(tp: Any) -> bool:
    args = typing.get_args(tp)
    return typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def supported(tp: Any) -> bool:
    """Whether :func:`compile_hook` handles ``tp`` (used as the cattrs predicate)."""
    if tp is Any or tp in (float, uuid.UUID, _dt.datetime, _dt.date) or tp in _EXACT:
        return True
    if is_model(tp) or _is_plane_enum(tp) or _is_var_tuple(tp):
        return True
    if typing.get_origin(tp) is dict:
        return True
    args = union_args(tp)
    return args is not None and all(a is _NoneType or supported(a) for a in args)


def _fail(value: Any, expected: str) -> TypeError:
    return TypeError(f"expected {expected}, got {type(value).__name__} {value!r:.80}")


_new = object.__new__
_UUID = uuid.UUID
_SAFE_UNKNOWN = uuid.SafeUUID.unknown
_fromhex = bytes.fromhex
_from_bytes = int.from_bytes
# uuid.UUID's slots, set directly (its __setattr__ refuses, object.__setattr__ is slower)
_set_int: Callable[[Any, int], None] = _UUID.__dict__["int"].__set__
_set_is_safe: Callable[[Any, Any], None] = _UUID.__dict__["is_safe"].__set__
_cache_get = _UUID_CACHE.get  # the cache is cleared in place, never replaced


def own_id(value: Any) -> uuid.UUID:
    """The hook of a model's own ``id``: unique per item, so not worth caching."""
    # The server's form (32 hex digits and hyphens) is built without uuid.UUID.__init__,
    # at half the cost. bytes.fromhex takes hex digits and whitespace only, and 32
    # characters make 16 bytes only when all are hex digits: no sign, "_", "0x" or space
    # gets through. uuid.UUID drops hyphens wherever they are, so this accepts no more.
    if type(value) is not str:
        raise _fail(value, "a UUID string")
    digits = value.replace("-", "")
    if len(digits) == 32:
        try:
            packed = _fromhex(digits)
        except ValueError:
            packed = b""
        if len(packed) == 16:
            result: uuid.UUID = _new(_UUID)
            _set_int(result, _from_bytes(packed))  # big-endian: the default since 3.11
            _set_is_safe(result, _SAFE_UNKNOWN)
            return result
    # Other spellings (braces, urn:uuid:) via uuid.UUID, refusing what it would otherwise
    # read leniently ("+...", "0x...", "_").
    result = _UUID(value)
    if result.hex not in value.lower().replace("-", ""):
        raise ValueError(f"badly formed UUID string {value!r:.60}")
    return result


def _uuid_miss(value: str) -> uuid.UUID:
    result = own_id(value)
    if len(_UUID_CACHE) >= _UUID_CACHE_MAX:
        _UUID_CACHE.clear()
    _UUID_CACHE[value] = result
    return result


def _uuid(value: Any) -> uuid.UUID:
    if type(value) is str:
        cached = _cache_get(value)
        return cached if cached is not None else _uuid_miss(value)
    raise _fail(value, "a UUID string")


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    # _nullable(_uuid) in one call: relations are read on every item.
    if type(value) is str:
        cached = _cache_get(value)
        return cached if cached is not None else _uuid_miss(value)
    if value is None:
        return None
    raise _fail(value, "a UUID string")


_fromisoformat = _dt.datetime.fromisoformat


def _datetime(value: Any) -> _dt.datetime:
    if type(value) is not str:
        raise _fail(value, "an ISO 8601 datetime string")
    return _fromisoformat(value)


def _datetime_or_none(value: Any) -> _dt.datetime | None:
    if type(value) is str:
        return _fromisoformat(value)
    if value is None:
        return None
    raise _fail(value, "an ISO 8601 datetime string")


def _date(value: Any) -> _dt.date:
    if type(value) is not str:
        raise _fail(value, "an ISO 8601 date string")
    return _dt.date.fromisoformat(value)


def _float(value: Any) -> float:
    kind = type(value)
    if kind is float:
        return value  # type: ignore[no-any-return]
    if kind is int:  # JSON has one number type; 1 and 1.0 are the same value
        return float(value)
    raise _fail(value, "a number")


def _any(value: Any) -> Any:
    return value


def _exact(kind: type) -> Hook:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise _fail(value, kind.__name__)
        return value

    return check


def _enum(cls: Any) -> Hook:
    members: dict[Any, Any] = cls._value2member_map_
    raw_type: type = str if issubclass(cls, PlaneStrEnum) else int

    def convert(value: Any) -> Any:
        if type(value) is not raw_type:
            raise _fail(value, f"a {raw_type.__name__} value of {cls.__name__}")
        member = members.get(value)
        return member if member is not None else cls(value)

    return convert


def _dict(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise _fail(value, "a JSON object")
    return value


def _model(cls: type, model_hook: ModelHook) -> Hook:
    def convert(value: Any) -> Any:
        if type(value) is not dict:
            raise _fail(value, f"a JSON object ({cls.__name__})")
        return model_hook(cls, value)

    return convert


def _tuple(item: Hook) -> Hook:
    def convert(value: Any) -> tuple[Any, ...]:
        if type(value) is not list:
            raise _fail(value, "a JSON array")
        return tuple([item(v) for v in value])

    return convert


def _id_or_model(cls: type, model_hook: ModelHook, nullable: bool) -> Hook:
    # A relation: an id string normally, the related object when expanded. One call,
    # with the cache lookup inline: relations are read on every item.
    def convert(value: Any) -> Any:
        if type(value) is str:
            cached = _cache_get(value)
            return cached if cached is not None else _uuid_miss(value)
        if type(value) is dict:
            if nullable and value.get("id") is None:
                # Plane expands a null relation to {} (a placeholder point for
                # estimate_point): no related object, as unexpanded null says.
                return None
            return model_hook(cls, value)
        if value is None and nullable:
            return None
        raise _fail(value, "a UUID string")

    return convert


def _ids_or_models(cls: type, model_hook: ModelHook) -> Hook:
    # assignees/labels: all ids, or (expanded) all objects; never a mix.
    def convert(value: Any) -> tuple[Any, ...]:
        if type(value) is not list:
            raise _fail(value, "a JSON array")
        if value and type(value[0]) is dict:
            return tuple([_model_item(cls, v, model_hook) for v in value])
        return tuple([_uuid(v) for v in value])

    return convert


def _model_item(cls: type, value: Any, model_hook: ModelHook) -> Any:
    if type(value) is not dict:
        raise _fail(value, f"a JSON object ({cls.__name__}) like the other items")
    return model_hook(cls, value)


def _nullable(inner: Hook) -> Hook:
    def convert(value: Any) -> Any:
        return None if value is None else inner(value)

    return convert


def compile_hook(tp: Any, model_hook: ModelHook) -> Hook:
    """The converter for annotation ``tp``; nested models are built with ``model_hook``."""
    args = union_args(tp)
    if args is not None:
        arms = tuple(a for a in args if a is not _NoneType)
        nullable = len(arms) < len(args)
        # The kinds read on most items get one function rather than _nullable(inner).
        if len(arms) == 2 and arms[0] is uuid.UUID and is_model(arms[1]):
            return _id_or_model(arms[1], model_hook, nullable)
        if nullable and len(arms) == 1 and arms[0] in _OR_NONE:
            return _OR_NONE[arms[0]]
        inner = _compile_arms(arms, model_hook, tp)
        return _nullable(inner) if nullable else inner
    return _compile_one(tp, model_hook)


_OR_NONE: dict[Any, Hook] = {uuid.UUID: _uuid_or_none, _dt.datetime: _datetime_or_none}


def _compile_arms(arms: tuple[Any, ...], model_hook: ModelHook, tp: Any) -> Hook:
    if len(arms) == 1:
        return _compile_one(arms[0], model_hook)
    if len(arms) == 2 and all(_is_var_tuple(a) for a in arms):
        first, second = (typing.get_args(a)[0] for a in arms)
        if first is uuid.UUID and is_model(second):
            return _ids_or_models(second, model_hook)
    raise TypeError(f"plane_async models do not support the annotation {tp!r}")


def _compile_one(tp: Any, model_hook: ModelHook) -> Hook:
    if tp is Any:
        return _any
    if tp in _EXACT:
        return _exact(tp)
    simple: dict[Any, Hook] = {
        float: _float,
        uuid.UUID: _uuid,
        _dt.datetime: _datetime,
        _dt.date: _date,
    }
    if tp in simple:
        return simple[tp]
    if typing.get_origin(tp) is dict:
        return _dict
    if _is_plane_enum(tp):
        return _enum(tp)
    if is_model(tp):
        return _model(tp, model_hook)
    if _is_var_tuple(tp):
        return _tuple(compile_hook(typing.get_args(tp)[0], model_hook))
    raise TypeError(f"plane_async models do not support the annotation {tp!r}")
