"""Work-item relations: what blocks what, duplicates, related items and date ordering."""

from __future__ import annotations

import datetime as dt
import uuid

from .._errors import PlaneValueError
from ._base import UNSET, PlaneModel, model
from ._relations import Expanded, RelatedId
from .enums import PlaneStrEnum, Priority
from .users import User

__all__ = ["RelatedIssue", "RelationRef", "RelationType", "Relations"]


class RelationType(PlaneStrEnum):
    """How two work items relate, read from the first one: ``BLOCKED_BY`` means the
    others block it."""

    BLOCKING = "blocking"
    BLOCKED_BY = "blocked_by"
    DUPLICATE = "duplicate"
    RELATES_TO = "relates_to"
    START_BEFORE = "start_before"
    START_AFTER = "start_after"
    FINISH_BEFORE = "finish_before"
    FINISH_AFTER = "finish_after"


@model
class RelationRef(PlaneModel):
    """A related work item, by project and id (it may live in another project)."""

    project_id: uuid.UUID = UNSET
    issue_id: uuid.UUID = UNSET


@model
class Relations(PlaneModel):
    """Every relation of one work item, grouped by type, as seen from that item."""

    blocking: tuple[RelationRef, ...] = UNSET
    blocked_by: tuple[RelationRef, ...] = UNSET
    duplicate: tuple[RelationRef, ...] = UNSET
    relates_to: tuple[RelationRef, ...] = UNSET
    start_after: tuple[RelationRef, ...] = UNSET
    start_before: tuple[RelationRef, ...] = UNSET
    finish_after: tuple[RelationRef, ...] = UNSET
    finish_before: tuple[RelationRef, ...] = UNSET

    def of(self, relation_type: RelationType | str) -> tuple[RelationRef, ...]:
        """The related items of one type: ``relations.of("blocked_by")``."""
        kind = RelationType(relation_type)
        if not kind.is_known:
            known = [t.value for t in RelationType]
            raise PlaneValueError(f"relation_type must be one of {known}, got {relation_type!r}")
        refs: tuple[RelationRef, ...] = getattr(self, kind.value)
        return refs


@model
class RelatedIssue(PlaneModel):
    """A work item on the other side of a relation just created.

    ``relation_type`` is the type Plane stores (``blocked_by``, ``start_before``,
    ``finish_before``, ``duplicate`` or ``relates_to``): adding ``blocking`` stores its
    reverse, ``blocked_by``.
    """

    id: uuid.UUID = UNSET
    project_id: uuid.UUID = UNSET
    sequence_id: int = UNSET
    relation_type: RelationType = UNSET
    name: str = UNSET
    state_id: uuid.UUID | None = UNSET
    priority: Priority = UNSET
    #: only when the relation was stored reversed (``blocking``, ``start_after``,
    #: ``finish_after``): the work item's type (None on Community Edition) and epic flag
    type_id: uuid.UUID | None = UNSET
    is_epic: bool | None = UNSET
    created_at: dt.datetime = UNSET
    updated_at: dt.datetime = UNSET
    created_by: uuid.UUID | User | None = UNSET
    updated_by: uuid.UUID | User | None = UNSET

    created_by_id = RelatedId[uuid.UUID | None]("created_by")
    created_by_detail = Expanded[User | None]("created_by")
    updated_by_id = RelatedId[uuid.UUID | None]("updated_by")
    updated_by_detail = Expanded[User | None]("updated_by")
