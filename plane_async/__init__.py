"""plane_async: an async-first client for the Plane project-management REST API."""

import importlib
from typing import TYPE_CHECKING

from ._client import AsyncPlane
from ._cursor import Cursor
from ._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    ErrorResponse,
    FieldError,
    FieldNotExpandedError,
    FieldNotRequestedError,
    FieldValueError,
    InvalidAPIKeyError,
    NotFoundError,
    PaginationError,
    PaginationStalledError,
    PermissionDeniedError,
    PlaneError,
    PlaneValueError,
    RateLimitError,
    RequestTimeoutError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    TransportError,
    UnknownFieldError,
)
from ._models import (
    Activity,
    Comment,
    CommentAccess,
    Cycle,
    CycleIssue,
    Estimate,
    EstimatePoint,
    EstimateType,
    IntakeIssue,
    IntakeIssueDetail,
    IntakeStatus,
    Issue,
    IssueLite,
    Label,
    Link,
    Module,
    ModuleIssue,
    ModuleStatus,
    Network,
    PlaneModel,
    Priority,
    Project,
    ProjectLite,
    ProjectMember,
    ProjectSummary,
    Role,
    SearchResult,
    State,
    StateGroup,
    StateLite,
    User,
    WorkspaceLite,
    WorkspaceMember,
    to_dict,
)
from ._pagination import Page
from ._query import Query
from ._ratelimit import Limiter, Quota, RateLimit, SlotHandle
from ._transport import RequestStats
from ._types import IdLike, ListOptions, ReadOptions
from ._version import __version__

if TYPE_CHECKING:  # imported on first use: the resources load cattrs (see __getattr__)
    from .resources.comments import CommentCreateFields, CommentFields, CommentUpsertFields
    from .resources.cycles import CycleCreateFields, CycleFields, CycleUpsertFields
    from .resources.intake import IntakeCreateFields, IntakeFields
    from .resources.issues import IssueCreateFields, IssueFields, IssueUpsertFields
    from .resources.labels import LabelCreateFields, LabelFields, LabelUpsertFields
    from .resources.links import LinkCreateFields, LinkFields
    from .resources.modules import ModuleCreateFields, ModuleFields, ModuleUpsertFields
    from .resources.projects import ProjectCreateFields, ProjectFields
    from .resources.states import StateCreateFields, StateFields, StateUpsertFields

__all__ = [
    "APIError",
    "Activity",
    "AsyncPlane",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "Comment",
    "CommentAccess",
    "CommentCreateFields",
    "CommentFields",
    "CommentUpsertFields",
    "ConflictError",
    "Cursor",
    "Cycle",
    "CycleCreateFields",
    "CycleFields",
    "CycleIssue",
    "CycleUpsertFields",
    "ErrorResponse",
    "Estimate",
    "EstimatePoint",
    "EstimateType",
    "FieldError",
    "FieldNotExpandedError",
    "FieldNotRequestedError",
    "FieldValueError",
    "IdLike",
    "IntakeCreateFields",
    "IntakeFields",
    "IntakeIssue",
    "IntakeIssueDetail",
    "IntakeStatus",
    "InvalidAPIKeyError",
    "Issue",
    "IssueCreateFields",
    "IssueFields",
    "IssueLite",
    "IssueUpsertFields",
    "Label",
    "LabelCreateFields",
    "LabelFields",
    "LabelUpsertFields",
    "Limiter",
    "Link",
    "LinkCreateFields",
    "LinkFields",
    "ListOptions",
    "Module",
    "ModuleCreateFields",
    "ModuleFields",
    "ModuleIssue",
    "ModuleStatus",
    "ModuleUpsertFields",
    "Network",
    "NotFoundError",
    "Page",
    "PaginationError",
    "PaginationStalledError",
    "PermissionDeniedError",
    "PlaneError",
    "PlaneModel",
    "PlaneValueError",
    "Priority",
    "Project",
    "ProjectCreateFields",
    "ProjectFields",
    "ProjectLite",
    "ProjectMember",
    "ProjectSummary",
    "Query",
    "Quota",
    "RateLimit",
    "RateLimitError",
    "ReadOptions",
    "RequestStats",
    "RequestTimeoutError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "Role",
    "SearchResult",
    "ServerError",
    "SlotHandle",
    "State",
    "StateCreateFields",
    "StateFields",
    "StateGroup",
    "StateLite",
    "StateUpsertFields",
    "TransportError",
    "UnknownFieldError",
    "User",
    "WorkspaceLite",
    "WorkspaceMember",
    "to_dict",
    "__version__",
]

#: write-field TypedDicts, by the resource module that defines them (loaded on first use)
_LAZY = {
    "CommentCreateFields": "comments",
    "CommentFields": "comments",
    "CommentUpsertFields": "comments",
    "CycleCreateFields": "cycles",
    "CycleFields": "cycles",
    "CycleUpsertFields": "cycles",
    "IntakeCreateFields": "intake",
    "IntakeFields": "intake",
    "IssueCreateFields": "issues",
    "IssueFields": "issues",
    "IssueUpsertFields": "issues",
    "LabelCreateFields": "labels",
    "LabelFields": "labels",
    "LabelUpsertFields": "labels",
    "LinkCreateFields": "links",
    "LinkFields": "links",
    "ModuleCreateFields": "modules",
    "ModuleFields": "modules",
    "ModuleUpsertFields": "modules",
    "ProjectCreateFields": "projects",
    "ProjectFields": "projects",
    "StateCreateFields": "states",
    "StateFields": "states",
    "StateUpsertFields": "states",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'plane_async' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".resources.{module}", __name__), name)
    globals()[name] = value
    return value
