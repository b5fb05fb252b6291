"""``to_dict()``: a model as JSON-ready values, without cattrs.

A model read from the server gives a deep copy of what the server sent. A model built by
calling its class gives its fields under their JSON keys, each value in JSON form: UUIDs
as strings, dates and datetimes in ISO 8601, enum members as their values, tuples as
lists, nested models the same way. The library's cattrs converter hands models here, so
``to_dict()`` and a request body built from a model always agree.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Mapping
from enum import Enum
from typing import Any

from ._fields import _get_raw

__all__ = ["json_value", "model_dict"]


def model_dict(obj: Any) -> dict[str, Any]:
    """The JSON-ready dict of one model (see the module docstring)."""
    raw = _get_raw(obj)
    if type(raw) is dict:
        return copy.deepcopy(raw)
    values = obj.__dict__
    return {
        info.key: json_value(values[name])
        for name, info in type(obj).__plane_fields__.items()
        if name in values
    }


def json_value(value: Any) -> Any:
    """``value`` in the JSON form the server uses (a plain value is returned as is)."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    if hasattr(type(value), "__plane_fields__"):  # a model
        return model_dict(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.date):  # datetime is a date
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(v) for v in value]
    return value
