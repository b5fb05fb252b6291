"""The one private cattrs converter, and the functions the resources use to build models.

Hot path (resources, pagination): ``structure(Issue, body)`` and
``structure_many(Issue, body["results"])`` wrap the server's dicts without converting
anything; each attribute is converted on first read (see ``_models._base``).

``converter`` is a ``cattrs.preconf.json`` converter (never cattrs' global one) carrying
the same field hooks as the lazy path; structuring a model with it is lazy too.
``strict_converter()`` is its eager twin for tests: extra keys are forbidden and every
field is converted at once, so a model that drifts from the server fails loudly.

Writes: ``unstructure_for_write(value)`` turns UUIDs, dates, datetimes, enums, tuples and
models into JSON-ready values for request bodies.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Any

import cattrs
from cattrs.gen import make_dict_structure_fn, override
from cattrs.preconf.json import make_converter

from . import _hooks
from ._base import (
    PlaneModel,
    structure,
    structure_many,
    structurer,
    to_dict,
)
from .enums import PlaneIntEnum, PlaneStrEnum

__all__ = [
    "converter",
    "strict_converter",
    "structure",
    "structure_many",
    "structurer",
    "to_dict",
    "unstructure_for_write",
]


def _is_field_type(tp: Any) -> bool:
    return _hooks.supported(tp) and not _hooks.is_model(tp)


def _field_hook_factory(tp: Any, conv: cattrs.Converter) -> Any:
    # Nested models go through `conv`, so the strict twin nests strictly.
    hook = _hooks.compile_hook(tp, lambda cls, value: conv.structure(value, cls))
    return lambda value, _type: hook(value)


def _lazy_model_hook(value: Any, cls: type[PlaneModel]) -> PlaneModel:
    if type(value) is not dict:
        raise TypeError(f"expected a JSON object for {cls.__name__}, got {type(value).__name__}")
    return structure(cls, value)


def _unstructure_model(obj: PlaneModel) -> dict[str, Any]:
    return to_dict(obj)  # one JSON form of a model, with or without cattrs


def _enum_value(member: Enum) -> Any:
    return member.value


def _no_nested_model(cls: type, value: Any) -> Any:
    raise AssertionError("scalar hooks never nest models")


def _scalar_hook(tp: type) -> Any:
    hook = _hooks.compile_hook(tp, _no_nested_model)
    return lambda value, _type: hook(value)


_ENUM_HOOKS: dict[type, _hooks.Hook] = {}


def _enum_hook(value: Any, cls: type) -> Any:
    hook = _ENUM_HOOKS.get(cls)
    if hook is None:
        hook = _ENUM_HOOKS[cls] = _hooks.compile_hook(cls, _no_nested_model)
    return hook(value)


def _configure(conv: cattrs.Converter) -> None:
    conv.register_structure_hook_factory(_is_field_type, _field_hook_factory)
    # cattrs looks up plain classes (str, int, enums as str/int subclasses...) by class
    # before any predicate: register our strict hooks for those classes too, or cattrs
    # would coerce None to "None".
    for scalar in (str, int, bool, float, uuid.UUID, dt.datetime, dt.date):
        conv.register_structure_hook(scalar, _scalar_hook(scalar))
    for enum_base in (PlaneStrEnum, PlaneIntEnum):
        conv.register_structure_hook(enum_base, _enum_hook)
    conv.register_structure_hook_func(_hooks.is_model, _lazy_model_hook)
    conv.register_unstructure_hook(uuid.UUID, str)
    # StrEnum/IntEnum members are str/int subclasses: register on the enum bases, which
    # are more specific than str/int for cattrs' class dispatch. Send the plain value.
    for any_enum in (PlaneStrEnum, PlaneIntEnum, Enum):
        conv.register_unstructure_hook(any_enum, _enum_value)
    conv.register_unstructure_hook(tuple, lambda t: [conv.unstructure(v) for v in t])
    conv.register_unstructure_hook_func(
        lambda tp: isinstance(tp, type) and issubclass(tp, PlaneModel), _unstructure_model
    )


#: The library's converter. Structuring a model with it is lazy, like ``structure()``.
converter: cattrs.Converter = make_converter()
_configure(converter)


def _strict_model_factory(cls: type[PlaneModel], conv: cattrs.Converter) -> Any:
    renames: dict[str, Any] = {
        name: override(rename=info.key)
        for name, info in cls.__plane_fields__.items()
        if info.key != name
    }
    return make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True, **renames)


def strict_converter() -> cattrs.Converter:
    """An eager, strict copy of ``converter`` for tests: unknown keys and bad values fail.

    Fields absent from the dict are allowed (``fields=`` responses); they read as not
    requested on the result, like on a lazily structured model.
    """
    strict = converter.copy(forbid_extra_keys=True)
    strict.register_structure_hook_factory(_hooks.is_model, _strict_model_factory)
    return strict


def unstructure_for_write(value: Any) -> Any:
    """A JSON-ready form of ``value`` for a request body (UUID -> str, date -> ISO...)."""
    return converter.unstructure(value)
