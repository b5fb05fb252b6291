"""The pydantic v2 schema of ``Page``, so a FastAPI route can return ``Page[Issue]``.

Imported only by ``Page.__get_pydantic_core_schema__``, which pydantic calls, so pydantic
stays out of the client's dependencies. A page is sent as the server's envelope, with
cursors as strings and each item as its model serialises (see ``_models._pydantic``). The
page class comes from pydantic's ``source``, so nothing here imports ``page`` back.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema as cs

from .._models._pydantic import described, dump_model
from .cursor import Cursor

__all__ = ["page_schema"]


def _cursor_text(cursor: Cursor | None) -> str | None:
    return None if cursor is None else str(cursor)


def _envelope(page: Any) -> dict[str, Any]:
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


def _dump_page(page: Any, info: cs.SerializationInfo) -> dict[str, Any]:
    # The items as the server sent them, in one pass (a wrap serialiser that hands the
    # envelope back to pydantic measured 2.7x the time of a plain list of models).
    envelope = _envelope(page)
    envelope["results"] = [dump_model(item, info) for item in page.results]
    return envelope


def _page_validator(page_class: type) -> Callable[[Any], Any]:
    def validate_page(value: Any) -> Any:
        if isinstance(value, page_class):
            return value
        raise ValueError(f"expected a plane_async Page, got {type(value)}")

    return validate_page


def page_schema(source: Any, handler: GetCoreSchemaHandler) -> cs.CoreSchema:
    """The core schema of ``Page[T]`` (``source``): sent as the envelope with ``T``'s schema."""
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
        _page_validator(typing.get_origin(source) or source),
        json_schema_input_schema=envelope,
        serialization=cs.plain_serializer_function_ser_schema(
            _dump_page, info_arg=True, when_used="always", return_schema=described(envelope)
        ),
    )
