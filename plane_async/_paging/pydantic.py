"""pydantic v2 schemas for the models and ``Page``, so FastAPI can return them.

Imported only by the ``__get_pydantic_core_schema__`` hooks of ``PlaneModel`` and
``Page``, which pydantic calls, so pydantic stays out of the client's dependencies.

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

import typing
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import GetCoreSchemaHandler, TypeAdapter
from pydantic_core import SchemaSerializer
from pydantic_core import core_schema as cs

from .._errors import FieldError
from .._models import PlaneModel, structure, to_dict
from .._models._fields import _BUILT, _get_raw
from .cursor import Cursor
from .page import Page

__all__ = ["model_schema", "page_schema", "serializer_for"]


_SERIALIZERS: dict[type, SchemaSerializer] = {}


def serializer_for(cls: type) -> SchemaSerializer:
    """The serialiser pydantic uses for a model or page found where ``Any`` was declared."""
    found = _SERIALIZERS.get(cls)
    if found is None:
        found = _SERIALIZERS[cls] = TypeAdapter(cls).serializer
    return found


def _dump_model(obj: Any, info: cs.SerializationInfo) -> Any:
    if not isinstance(obj, PlaneModel):
        return obj  # already JSON (a dict given where a model was declared)
    raw = _get_raw(obj)
    if info.mode == "json" and type(raw) is dict:
        return raw  # serialised at once, never handed out: no copy needed
    if raw is not _BUILT and type(raw) is not dict:
        return raw
    return to_dict(obj)


def _problems(obj: PlaneModel) -> list[str]:
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
            if isinstance(item, PlaneModel):
                found += _problems(item)
    return found


def _validator(cls: type[PlaneModel]) -> Callable[[Any], PlaneModel]:
    def validate(value: Any) -> PlaneModel:
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


def model_schema(cls: type[PlaneModel], handler: GetCoreSchemaHandler) -> cs.CoreSchema:
    """The core schema of a model class (see the module docstring)."""
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
        _validator(cls),
        json_schema_input_schema=shape,
        serialization=cs.plain_serializer_function_ser_schema(
            _dump_model, info_arg=True, when_used="always", return_schema=_described(shape)
        ),
    )


def _described(shape: cs.CoreSchema) -> cs.CoreSchema:
    """What a serialiser returns: any JSON (the server's own, not re-checked: a field of an
    odd shape is sent as the server sent it), documented in OpenAPI as ``shape``."""
    return cs.any_schema(metadata={"pydantic_js_functions": [lambda _s, h: h(shape)]})


def _cursor_text(cursor: Cursor | None) -> str | None:
    return None if cursor is None else str(cursor)


def _envelope(page: Page[Any]) -> dict[str, Any]:
    resume = None if page.cursor is None else page.resume_cursor
    return {
        "results": page.results,
        "count": page.count,
        "total_results": page.total_results,
        "total_pages": page.total_pages,
        "next_cursor": _cursor_text(page.next_cursor),
        "prev_cursor": _cursor_text(page.prev_cursor),
        "next_page_results": page.next_page_results,
        "prev_page_results": page.prev_page_results,
        "extra_stats": page.extra_stats,
        "cursor": _cursor_text(page.cursor),
        "resume_cursor": _cursor_text(resume),
        "truncated": page.truncated,
    }


def _dump_page(page: Page[Any], info: cs.SerializationInfo) -> dict[str, Any]:
    # The items as the server sent them, in one pass (a wrap serialiser that hands the
    # envelope back to pydantic measured 2.7x the time of a plain list of models).
    envelope = _envelope(page)
    envelope["results"] = [_dump_model(item, info) for item in page.results]
    return envelope


def _validate_page(value: Any) -> Page[Any]:
    if isinstance(value, Page):
        return value
    raise ValueError(f"expected a plane_async Page, got {type(value)}")


def page_schema(source: Any, handler: GetCoreSchemaHandler) -> cs.CoreSchema:
    """The core schema of ``Page[T]``: serialised as the envelope with ``T``'s schema."""
    args = typing.get_args(source)
    item = handler.generate_schema(args[0]) if args else cs.any_schema()
    text = cs.nullable_schema(cs.str_schema())
    number = cs.int_schema()
    fields = {
        "results": cs.list_schema(item),
        "count": number,
        "total_results": number,
        "total_pages": number,
        "next_cursor": text,
        "prev_cursor": text,
        "next_page_results": cs.bool_schema(),
        "prev_page_results": cs.bool_schema(),
        "extra_stats": cs.any_schema(),
        "cursor": text,
        "resume_cursor": text,
        "truncated": cs.bool_schema(),
    }
    name = f"Page[{getattr(args[0], '__name__', 'Any')}]" if args else "Page"
    envelope = cs.typed_dict_schema(
        {k: cs.typed_dict_field(v) for k, v in fields.items()}, cls_name=name
    )
    return cs.no_info_plain_validator_function(
        _validate_page,
        json_schema_input_schema=envelope,
        serialization=cs.plain_serializer_function_ser_schema(
            _dump_page, info_arg=True, when_used="always", return_schema=_described(envelope)
        ),
    )
