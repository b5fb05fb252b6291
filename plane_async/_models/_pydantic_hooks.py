"""What pydantic looks up on a value: present without importing pydantic (see ``_pydantic``)."""

from __future__ import annotations

from typing import Any

__all__ = ["PydanticSerializer"]


class PydanticSerializer:
    """``obj.__pydantic_serializer__``: built once per class when pydantic serialises an
    object where it expected ``Any`` (a FastAPI route annotated ``-> Any``). Absent on the
    class itself, and when pydantic is not installed."""

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            raise AttributeError("__pydantic_serializer__")
        try:
            from ._pydantic import serializer_for  # pydantic is optional: loaded when used
        except ImportError:
            raise AttributeError("__pydantic_serializer__") from None
        return serializer_for(type(obj))
