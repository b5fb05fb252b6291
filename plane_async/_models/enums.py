"""Plane's enumerations, tolerant of values a newer server adds.

A value the client does not know does not fail: it becomes a *pseudo-member* of the enum,
an instance of the enum class whose ``value`` is what the server sent and whose
``is_known`` is False. It compares equal to its raw value (these are ``StrEnum``/``IntEnum``),
is not listed when iterating the enum, and round-trips unchanged on writes::

    Priority("critical")            # a newer server's value
    Priority("critical").is_known   # False
    Priority("critical") == "critical"
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any

__all__ = [
    "PlaneIntEnum",
    "PlaneStrEnum",
    "IntakeStatus",
    "Network",
    "Priority",
    "ModuleStatus",
    "CommentAccess",
    "Role",
    "StateGroup",
    "EstimateType",
]

# Pseudo-members are cached so ``is`` works like for members; a hostile server could send
# endless distinct values, so the cache per enum is bounded.
_MAX_PSEUDO = 64


def _pseudo_member(cls: Any, value: Any, base: type) -> Any:
    member: Any = base.__new__(cls, value)
    member._name_ = str(value)
    member._value_ = value
    if len(cls._value2member_map_) < len(cls.__members__) + _MAX_PSEUDO:
        cls._value2member_map_[value] = member
    return member


class PlaneStrEnum(StrEnum):
    """A string enumeration that keeps unknown values (see the module docstring)."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if type(value) is not str:
            return None
        return _pseudo_member(cls, value, str)

    @property
    def is_known(self) -> bool:
        """False for a value this version of the client does not know."""
        return self._name_ in type(self).__members__


class PlaneIntEnum(IntEnum):
    """An integer enumeration that keeps unknown values (see the module docstring)."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if type(value) is not int:
            return None
        return _pseudo_member(cls, value, int)

    @property
    def is_known(self) -> bool:
        """False for a value this version of the client does not know."""
        return self._name_ in type(self).__members__


class Priority(PlaneStrEnum):
    """A work item's priority."""

    URGENT = "urgent"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


class StateGroup(PlaneStrEnum):
    """The group a state belongs to (``triage`` states are hidden by the API)."""

    BACKLOG = "backlog"
    UNSTARTED = "unstarted"
    STARTED = "started"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    TRIAGE = "triage"


class ModuleStatus(PlaneStrEnum):
    """A module's status."""

    BACKLOG = "backlog"
    PLANNED = "planned"
    IN_PROGRESS = "in-progress"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class CommentAccess(PlaneStrEnum):
    """Who can see a comment."""

    INTERNAL = "INTERNAL"
    EXTERNAL = "EXTERNAL"


class EstimateType(PlaneStrEnum):
    """The kind of a project's estimate."""

    CATEGORIES = "categories"
    POINTS = "points"


class Network(PlaneIntEnum):
    """A project's visibility."""

    SECRET = 0
    PUBLIC = 2


class Role(PlaneIntEnum):
    """A workspace or project member's role."""

    ADMIN = 20
    MEMBER = 15
    GUEST = 5


class IntakeStatus(PlaneIntEnum):
    """An intake work item's triage status."""

    REJECTED = -1
    SNOOZED = 0
    ACCEPTED = 1
    DUPLICATE = 2
    PENDING = -2
