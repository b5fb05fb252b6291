"""Typed reads of a relation: ``issue.state_id`` and ``issue.state_detail``.

A relation field such as ``Issue.state`` holds an id, or the related object when the read
asked for ``expand=["state"]``, so its type is a union (``UUID | StateLite | None``) that a
type checker cannot narrow for you. Each relation therefore has two typed companions,
declared next to it in the model:

- ``state_id`` (``UUID | None``): the id, whether or not the relation was expanded;
- ``state_detail`` (``StateLite | None``): the expanded object. Reading it when the server
  sent only the id raises :class:`~plane_async.FieldNotExpandedError`, which says which
  ``expand=`` to add (as Plane's own ``*_detail`` fields, and Stripe's expandable fields,
  the object is only there when asked for).

List relations have plural companions (``assignee_ids``, ``assignee_details``). Both read
the relation field (converted once, on first read) and cache their result on the instance,
so a second read is a plain attribute read.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Generic, Self, TypeVar, overload

from .._errors import FieldNotExpandedError

__all__ = ["Expanded", "RelatedId", "check_companions"]

T = TypeVar("T")


class _Companion(Generic[T]):
    """Base of the two descriptors: a typed view of relation field ``relation``."""

    __slots__ = ("name", "relation")

    def __init__(self, relation: str) -> None:
        self.relation = relation
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Self: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...
    def __get__(self, obj: object, owner: type | None = None) -> Self | T:
        if obj is None:
            return self
        result = self._read(obj, getattr(obj, self.relation))
        obj.__dict__[self.name] = result
        return result  # type: ignore[no-any-return]

    def _read(self, obj: object, value: Any) -> Any:
        raise NotImplementedError


class RelatedId(_Companion[T]):
    """``<relation>_id``: the related object's id, expanded or not (``None`` if unset)."""

    __slots__ = ()

    def _read(self, obj: object, value: Any) -> Any:
        if type(value) is tuple:
            return tuple([v if type(v) is uuid.UUID else v.id for v in value])
        if value is None or type(value) is uuid.UUID:
            return value
        return value.id


class Expanded(_Companion[T]):
    """``<relation>_detail``: the expanded object; an error naming ``expand=`` otherwise."""

    __slots__ = ()

    def _read(self, obj: object, value: Any) -> Any:
        if type(value) is tuple:
            if value and type(value[0]) is uuid.UUID:
                raise self._not_expanded(obj)
            return value
        if type(value) is uuid.UUID:
            raise self._not_expanded(obj)
        return value

    def _not_expanded(self, obj: object) -> FieldNotExpandedError:
        model = type(obj).__name__
        raw = getattr(obj, "_raw", None)
        item_id = raw.get("id") if type(raw) is dict else None
        item = f" of item {item_id}" if item_id is not None else ""
        return FieldNotExpandedError(
            f"{model}.{self.name}{item}: {self.relation!r} holds only the id because it was "
            f"not expanded; read it with expand=[{self.relation!r}] (or "
            f"Query().expand({self.relation!r})) to get the object, or use "
            f"{model}.{self.relation_ids_name} for the id",
            model=model,
            field=self.name,
            item_id=item_id,
        )

    @property
    def relation_ids_name(self) -> str:
        """The name of the id companion (``state_id``, ``assignee_ids``)."""
        if self.name.endswith("_details"):
            return self.name[: -len("_details")] + "_ids"
        return self.name[: -len("_detail")] + "_id"


def check_companions(cls: type, fields: Mapping[str, Any]) -> None:
    """Refuse (at import) a companion of ``cls`` that names no relation of its fields."""
    for name, value in vars(cls).items():
        if not isinstance(value, _Companion):
            continue
        info = fields.get(value.relation)
        if info is None or not info.expandable or name in fields:
            raise TypeError(
                f"{cls.__name__}.{name}: {value.relation!r} is not a relation field of "
                f"{cls.__name__}, or {name!r} is also a field"
            )
