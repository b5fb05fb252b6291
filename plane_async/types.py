"""The types your code annotates with: the write fields, the list options, ids, and the
values the client hands to hooks, limiters and statistics.

::

    from plane_async.types import IssueCreateFields, ListOptions

    fields: IssueCreateFields = {"priority": "high"}
    if due:
        fields["target_date"] = due
    await plane.issues.create(project_id, name="Fix login", **fields)

Everything here is plain typing (TypedDicts, aliases, protocols, attrs records): importing
this module loads no converter. The models are in :mod:`plane_async.models`.
"""

from ._http.transport import RequestStats
from ._models.writes import (
    CommentCreateFields,
    CommentFields,
    CommentUpsertFields,
    CycleCreateFields,
    CycleFields,
    CycleUpsertFields,
    EstimateFields,
    EstimatePointFields,
    IdLike,
    IntakeCreateFields,
    IntakeFields,
    IssueCreateFields,
    IssueFields,
    IssueUpsertFields,
    LabelCreateFields,
    LabelFields,
    LabelUpsertFields,
    LinkCreateFields,
    LinkFields,
    ModuleCreateFields,
    ModuleFields,
    ModuleUpsertFields,
    ProjectCreateFields,
    ProjectFields,
    StateCreateFields,
    StateFields,
    StateUpsertFields,
    StickyFields,
)
from ._observability.bus import RequestEvent
from ._paging.cursor import LastKey
from ._ratelimit.limiter import Limiter, Quota, SlotHandle
from ._types import ListOptions, ReadOptions

__all__ = [
    "CommentCreateFields",
    "CommentFields",
    "CommentUpsertFields",
    "CycleCreateFields",
    "CycleFields",
    "CycleUpsertFields",
    "EstimateFields",
    "EstimatePointFields",
    "IdLike",
    "IntakeCreateFields",
    "IntakeFields",
    "IssueCreateFields",
    "IssueFields",
    "IssueUpsertFields",
    "LabelCreateFields",
    "LabelFields",
    "LabelUpsertFields",
    "LastKey",
    "Limiter",
    "LinkCreateFields",
    "LinkFields",
    "ListOptions",
    "ModuleCreateFields",
    "ModuleFields",
    "ModuleUpsertFields",
    "ProjectCreateFields",
    "ProjectFields",
    "Quota",
    "ReadOptions",
    "RequestEvent",
    "RequestStats",
    "SlotHandle",
    "StateCreateFields",
    "StateFields",
    "StateUpsertFields",
    "StickyFields",
]
