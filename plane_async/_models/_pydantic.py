"""pydantic v2 schemas for the models, so FastAPI can return them and take them as bodies.

Imported only by ``PlaneModel.__get_pydantic_core_schema__`` and ``__pydantic_serializer__``
(which pydantic calls) and by the page schema, so pydantic stays out of the client's
dependencies. It knows a model by what the class carries (``__plane_fields__``), never by
importing the model base, so nothing here leads back up to the models.

- Serialising a model gives what ``to_dict()`` gives: the server's JSON as it was sent (in
  JSON mode without the copy), so a FastAPI route returns Plane's own shape, unknown keys
  included, and reading nothing converts nothing.
- Validating accepts an instance, or a JSON object that is checked field by field (every
  key the model knows must have the right shape), which makes a model usable as a request
  body too.
- The JSON schema (OpenAPI) lists the model's fields with their JSON types; every field is
  optional, because ``fields=`` may leave any of them out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import GetCoreSchemaHandler, TypeAdapter
from pydantic_core import SchemaSerializer
from pydantic_core import core_schema as cs

from .._errors import FieldError
from ._dump import model_dict
from ._fields import _BUILT, _get_raw

__all__ = ["described", "dump_model", "model_schema", "serializer_for"]


_SERIALIZERS: dict[type, SchemaSerializer] = {}


def serializer_for(cls: type) -> SchemaSerializer:
    """The serialiser pydantic uses for a model or page found where ``Any`` was declared."""
    found = _SERIALIZERS.get(cls)
    if found is None:
        found = _SERIALIZERS[cls] = TypeAdapter(cls).serializer
    return found


def _is_model(obj: object) -> bool:
    return hasattr(type(obj), "__plane_fields__")


def dump_model(obj: Any, info: cs.SerializationInfo) -> Any:
    """One model as pydantic serialises it: the server's JSON (see the module docstring)."""
    if not _is_model(obj):
        return obj  # already JSON (a dict given where a model was declared)
    raw = _get_raw(obj)
    if info.mode == "json" and type(raw) is dict:
        return raw  # serialised at once, never handed out: no copy needed
    if raw is not _BUILT and type(raw) is not dict:
        return raw
    return model_dict(obj)


def _problems(obj: Any) -> list[str]:
    """Every field of ``obj`` (and of the objects nested in it) that fails to read."""
    raw = _get_raw(obj)
    found = []
    for info in type(obj).__plane_fields__.values():
        if type(raw) is dict and info.key not in raw:
            continue  # absent is allowed: fields= may leave any field out
        try:
            value = getattr(obj, info.name)
        except FieldError as exc:
            found.append(str(exc))
            continue
        nested = value if type(value) is tuple else (value,)
        for item in nested:
            if _is_model(item):
                found += _problems(item)
    return found


def _validator(cls: type, structure: Callable[[type, Any], Any]) -> Callable[[Any], Any]:
    def validate(value: Any) -> Any:
        if isinstance(value, cls):
            return value
        if not isinstance(value, Mapping):
            raise ValueError(f"expected a {cls.__name__} or a JSON object, got {type(value)}")
        obj = structure(cls, dict(value))
        problems = _problems(obj)
        if problems:
            raise ValueError("; ".join(problems))
        return obj

    return validate


def model_schema(
    cls: Any, handler: GetCoreSchemaHandler, structure: Callable[[type, Any], Any]
) -> cs.CoreSchema:
    """The core schema of a model class; ``structure`` wraps a JSON object as ``cls``."""
    shape = cs.typed_dict_schema(
        {
            info.key: cs.typed_dict_field(handler.generate_schema(info.type), required=False)
            for info in cls.__plane_fields__.values()
        },
        cls_name=cls.__name__,
        extra_behavior="allow",
        ref=f"plane_async.{cls.__name__}:{id(cls)}",
    )
    return cs.no_info_plain_validator_function(
        _validator(cls, structure),
        json_schema_input_schema=shape,
        serialization=cs.plain_serializer_function_ser_schema(
            dump_model, info_arg=True, when_used="always", return_schema=described(shape)
        ),
    )


def described(shape: cs.CoreSchema) -> cs.CoreSchema:
    """What a serialiser returns: any JSON (the server's own, not re-checked: a field of an
    odd shape is sent as the server sent it), documented in OpenAPI as ``shape``."""
    return cs.any_schema(metadata={"pydantic_js_functions": [lambda _s, h: h(shape)]})
