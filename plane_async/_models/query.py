"""``Query``: the immutable ``fields``/``expand`` builder, checked against a model.

Plane silently ignores a field name it does not know, and an ``expand`` whose name is not
also in ``fields``, so a typo costs a full object or a missing relation with no error. The
client is the only place to catch it::

    q = Query().fields("id", "name", "state").expand("state")
    q.to_params(Issue)   # {"fields": "id,name,state", "expand": "state"}

Rules applied by ``to_params``:

- a name the model does not know raises ``UnknownFieldError`` (a ``ValueError``) naming it
  and the closest valid names; ``unchecked=True`` sends a name the client does not know
  yet (a newer server), as is;
- an ``expand`` name is added to ``fields`` when fields are restricted, since the server
  expands only fields it renders;
- a field that cannot be expanded is refused;
- ``id`` is always requested when fields are restricted (the server does not force it);
- whitespace around names is stripped (the server would look up ``" name"``), and a
  comma-separated string is split: ``fields("id, name")`` is ``fields("id", "name")``.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, cast, final

from .._errors import PlaneValueError, UnknownFieldError

if TYPE_CHECKING:
    from ._base import PlaneModel

__all__ = ["Query", "build_query"]

# What can be a field name on the server (Django model and serializer field names).
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


_set = object.__setattr__


def _split(names: Iterable[object], what: str) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        if not isinstance(name, str):
            raise PlaneValueError(f"{what} names must be strings, got {type(name).__name__}")
        for part in name.split(","):
            part = part.strip()
            if not part:
                raise PlaneValueError(f"empty name in {what}: {name!r}")
            out.append(part)
    return tuple(out)


def _merge(old: tuple[str, ...], new: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*old, *new)))


@final
class Query:
    """An immutable ``fields``/``expand`` selection; methods return new queries.

    Reusable across calls and hashable. Combine with ``|`` or by chaining::

        base = Query().fields("id", "name")
        with_state = base | Query().expand("state")
    """

    __slots__ = ("_expand", "_fields", "_unchecked")

    _fields: tuple[str, ...]
    _expand: tuple[str, ...]
    _unchecked: frozenset[str]

    def __init__(self) -> None:
        _set(self, "_fields", ())
        _set(self, "_expand", ())
        _set(self, "_unchecked", frozenset())

    @classmethod
    def _make(
        cls, fields: tuple[str, ...], expand: tuple[str, ...], unchecked: frozenset[str]
    ) -> Query:
        query = cls()
        _set(query, "_fields", fields)
        _set(query, "_expand", expand)
        _set(query, "_unchecked", unchecked)
        return query

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Query is immutable: its methods return a new Query")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Query is immutable: its methods return a new Query")

    def fields(self, *names: str, unchecked: bool = False) -> Query:
        """Also request these fields. ``unchecked=True``: names the client does not know."""
        parts = _split(names, "fields")
        return Query._make(_merge(self._fields, parts), self._expand, self._mark(parts, unchecked))

    def expand(self, *names: str, unchecked: bool = False) -> Query:
        """Also expand these relations (ids become objects); implies ``fields`` for them."""
        parts = _split(names, "expand")
        return Query._make(self._fields, _merge(self._expand, parts), self._mark(parts, unchecked))

    def _mark(self, parts: tuple[str, ...], unchecked: bool) -> frozenset[str]:
        if not unchecked:
            return self._unchecked
        for part in parts:
            if not _NAME.fullmatch(part):
                raise PlaneValueError(
                    f"{part!r} cannot be a field name: use letters, digits and underscores"
                )
        return self._unchecked | frozenset(parts)

    def __or__(self, other: Query) -> Query:
        if not isinstance(other, Query):
            return NotImplemented
        return Query._make(
            _merge(self._fields, other._fields),
            _merge(self._expand, other._expand),
            self._unchecked | other._unchecked,
        )

    @property
    def field_names(self) -> tuple[str, ...]:
        """The requested fields, in order (empty: every field)."""
        return self._fields

    @property
    def expand_names(self) -> tuple[str, ...]:
        """The relations to expand, in order."""
        return self._expand

    @property
    def unchecked_names(self) -> frozenset[str]:
        """Names sent without checking them against the model."""
        return self._unchecked

    def __bool__(self) -> bool:
        return bool(self._fields or self._expand)

    def _key(self) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
        # Order counts: it is the order of the names sent to the server.
        return self._fields, self._expand, self._unchecked

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Query):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        text = "Query()"
        checked_f = [n for n in self._fields if n not in self._unchecked]
        unchecked_f = [n for n in self._fields if n in self._unchecked]
        checked_e = [n for n in self._expand if n not in self._unchecked]
        unchecked_e = [n for n in self._expand if n in self._unchecked]
        for method, names, flag in (
            ("fields", checked_f, ""),
            ("fields", unchecked_f, ", unchecked=True"),
            ("expand", checked_e, ""),
            ("expand", unchecked_e, ", unchecked=True"),
        ):
            if names:
                text += f".{method}({', '.join(map(repr, names))}{flag})"
        return text

    def to_params(self, model: type[PlaneModel]) -> dict[str, str]:
        """The ``fields``/``expand`` query parameters for ``model``, checked (see module doc).

        Raises ``UnknownFieldError`` for an unknown name, ``PlaneValueError`` for an
        ``expand`` of a field that is not a relation.
        """
        # a class is hashable; mypy reads PlaneModel.__hash__ as the class's own
        return dict(_params(self, cast(Hashable, model)))


@functools.lru_cache(maxsize=256)
def _params(query: Query, model_cls: object) -> tuple[tuple[str, str], ...]:
    model: type[PlaneModel] = model_cls  # type: ignore[assignment]
    keys = model.__plane_keys__
    unchecked = query.unchecked_names
    for name in (*query.field_names, *query.expand_names):
        if name not in keys and name not in unchecked:
            raise _unknown(name, model)
    for name in query.expand_names:
        if name in keys and name not in model.__plane_expandable__:
            expandable = ", ".join(sorted(model.__plane_expandable__)) or "none"
            raise PlaneValueError(
                f"{model.__name__}.{name} cannot be expanded (expandable: {expandable})"
            )
    params: list[tuple[str, str]] = []
    fields = list(query.field_names)
    if fields:
        if "id" in keys and "id" not in fields:
            fields.insert(0, "id")
        fields.extend(name for name in query.expand_names if name not in fields)
        params.append(("fields", ",".join(fields)))
    if query.expand_names:
        params.append(("expand", ",".join(query.expand_names)))
    return tuple(params)


def _unknown(name: str, model: type[PlaneModel]) -> UnknownFieldError:
    relation = getattr(inspect.getattr_static(model, name, None), "relation", None)
    if isinstance(relation, str):  # a typed companion such as state_detail / assignee_ids
        return UnknownFieldError(
            f"{model.__name__}.{name} is read from the {relation!r} field, which is what the "
            f"server sends: use fields=[{relation!r}] (and expand=[{relation!r}] for the "
            "object)",
            name=name,
            suggestions=(relation,),
        )
    valid = sorted(model.__plane_keys__)
    import difflib  # here, on a mistake only, to keep `import plane_async` fast

    close = tuple(difflib.get_close_matches(name, valid, n=3, cutoff=0.6))
    hint = f"did you mean {', '.join(map(repr, close))}?" if close else f"valid: {', '.join(valid)}"
    return UnknownFieldError(
        f"{model.__name__} has no field {name!r}; {hint} "
        f"(to send a name this client does not know, pass unchecked=True)",
        name=name,
        suggestions=close,
    )


def build_query(
    query: Query | None = None,
    fields: Iterable[str] | str | None = None,
    expand: Iterable[str] | str | None = None,
) -> Query:
    """Merge the ``fields=``/``expand=`` shorthand of ``list``/``pages``/``get`` with ``query=``."""
    if query is None:
        query = Query()
    elif not isinstance(query, Query):
        raise PlaneValueError(f"query must be a Query, got {type(query).__name__}")
    if fields is not None:
        query = query.fields(*_as_names(fields, "fields"))
    if expand is not None:
        query = query.expand(*_as_names(expand, "expand"))
    return query


def _as_names(value: Iterable[str] | str, what: str) -> tuple[str, ...]:
    if isinstance(value, str):  # one string: "id,name" (iterating it would give letters)
        return (value,)
    try:
        return tuple(value)
    except TypeError:
        raise PlaneValueError(
            f"{what} must be a list of names or a comma-separated string, "
            f"got {type(value).__name__}"
        ) from None
