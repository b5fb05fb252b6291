"""Checks on the values of write fields, before anything is sent.

orjson writes ``nan`` and ``inf`` as ``null`` (which clears the field on the server),
refuses integers beyond 64 bits with a bare ``TypeError``, and sends ``True`` as a
number or ``123`` as a name without complaint. Each write field is checked against the
type its ``TypedDict`` declares, and every number in a JSON body must be finite and fit
in 64 bits, so a wrong value raises ``PlaneValueError`` naming the field.
"""

from __future__ import annotations

import datetime as dt
import math
import types
import typing
import uuid
from collections.abc import Collection, Iterable, Mapping
from enum import Enum
from typing import Any

from .._errors import PlaneValueError
from .checks import check_id
from .suggest import same_meaning

__all__ = ["check_field", "check_json", "check_write_field", "writable"]

_INT_MIN = -(2**63)
_INT_MAX = 2**64 - 1  # orjson writes signed and unsigned 64-bit integers
_NAMES: dict[object, str] = {
    str: "a string",
    int: "an int",
    float: "a number",
    bool: "True or False",
    type(None): "None",
    uuid.UUID: "a UUID",
    dt.date: "a date",
    dt.datetime: "a datetime",
}


def writable(fields: type) -> dict[str, Any]:
    """The write fields of a ``TypedDict`` (its keys) with their resolved types."""
    return typing.get_type_hints(fields)


def check_write_field(
    what: str,
    name: str,
    value: Any,
    accepted: Mapping[str, Any],
    *,
    ids: Collection[str] = (),
    id_lists: Collection[str] = (),
) -> Any:
    """``value`` for write field ``name`` of ``what``, checked: a name ``accepted`` has
    (with the closest names when not), an id (``ids``, parsed) or a list of ids
    (``id_lists``), else a value of the declared type. Returns it with ids parsed."""
    if name not in accepted:
        close = same_meaning(name, accepted)
        hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
        names = ", ".join(sorted(accepted))
        raise PlaneValueError(f"{what} has no writable field {name!r}; {hint}accepted: {names}")
    if name in ids and value is not None:
        return check_id(value, name)
    if name in id_lists:
        if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
            raise PlaneValueError(f"{name} must be a list of ids, got {value!r}")
        return [check_id(v, name) for v in value]
    check_field(what, name, value, accepted[name])
    return value


def check_field(what: str, name: str, value: object, hint: Any) -> None:
    """Refuse ``value`` for field ``name`` when it is not of type ``hint`` or not JSON-safe."""
    if not _conforms(value, hint):
        raise PlaneValueError(
            f"{what} field {name!r} must be {_describe(hint)}, got {value!r} "
            f"({type(value).__name__})"
        )
    check_json(value, f"{what} field {name!r}")


def check_json(value: object, where: str) -> None:
    """Every number in ``value`` (nested in lists and dicts too) is finite and fits in
    64 bits; dict keys are strings. ``where`` names the value in the error."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PlaneValueError(
                f"{where} must be a finite number, got {value!r}: JSON has no NaN or infinity "
                "(it would be sent as null, which clears the field)"
            )
    elif isinstance(value, int) and not isinstance(value, bool):
        if not _INT_MIN <= value <= _INT_MAX:
            raise PlaneValueError(f"{where} must fit in 64 bits, got {value!r}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise PlaneValueError(
                    f"{where} has a non-string key {key!r}; JSON keys are strings"
                )
            check_json(item, f"{where}[{key!r}]")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            check_json(item, f"{where}[{i}]")


def _conforms(value: object, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin is typing.Union or isinstance(hint, types.UnionType):
        return any(_conforms(value, h) for h in typing.get_args(hint))
    if hint is Any or hint is object:
        return True
    if hint is type(None):
        return value is None
    if hint is bool:
        return type(value) is bool
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is dt.date:  # a datetime is a date too, but not a valid date field value
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if origin is not None and isinstance(origin, type):
        if issubclass(origin, Mapping):
            return isinstance(value, Mapping)
        if issubclass(origin, Iterable):  # id lists: their items are checked as ids
            return isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping)
        return isinstance(value, origin)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True  # a form this checker does not know: only JSON safety applies


def _describe(hint: Any) -> str:
    if typing.get_origin(hint) is typing.Union or isinstance(hint, types.UnionType):
        return " or ".join(dict.fromkeys(_describe(h) for h in typing.get_args(hint)))
    if hint in _NAMES:
        return _NAMES[hint]
    origin = typing.get_origin(hint)
    if isinstance(origin, type) and issubclass(origin, Mapping):
        return "a dict"
    if isinstance(origin, type) and issubclass(origin, Iterable):
        return "a list"
    if isinstance(hint, type) and issubclass(hint, Enum):
        return f"a {hint.__name__}"
    return getattr(hint, "__name__", str(hint))
