"""plane_async: an async-first client for the Plane project-management REST API.

The root holds what every user needs: the clients, the errors, and the few objects a
read or a deployment is configured with. The models are in :mod:`plane_async.models`,
the write fields and other annotation types in :mod:`plane_async.types`, the webhooks in
:mod:`plane_async.webhooks` and the fake server in :mod:`plane_async.testing`.
"""

import warnings
from typing import TYPE_CHECKING

from ._client import AsyncPlane
from ._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    DownloadTooLargeError,
    ErrorResponse,
    FieldError,
    FieldNotExpandedError,
    FieldNotRequestedError,
    FieldValueError,
    InvalidAPIKeyError,
    LimiterUnavailableError,
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
    StorageError,
    TransportError,
    UnknownFieldError,
    UploadTooLargeError,
    WaitBudgetExceededError,
    WebhookPayloadError,
    WebhookVerificationError,
)
from ._models.query import Query
from ._observability.telemetry import Telemetry
from ._paging.cursor import Cursor
from ._paging.page import Page
from ._ratelimit.limiter import RateLimit
from ._version import __version__

if TYPE_CHECKING:
    from ._blocking.client import Plane
    from ._ratelimit.redis import RedisLimiter

    # The names that moved to plane_async.models and plane_async.types still type-check
    # while they are deprecated (see _MOVED).
    from .models import *  # noqa: F403
    from .types import *  # noqa: F403

__all__ = [
    "APIError",
    "AsyncPlane",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "Cursor",
    "DownloadTooLargeError",
    "ErrorResponse",
    "FieldError",
    "FieldNotExpandedError",
    "FieldNotRequestedError",
    "FieldValueError",
    "InvalidAPIKeyError",
    "LimiterUnavailableError",
    "NotFoundError",
    "Page",
    "PaginationError",
    "PaginationStalledError",
    "PermissionDeniedError",
    "Plane",
    "PlaneError",
    "PlaneValueError",
    "Query",
    "RateLimit",
    "RateLimitError",
    "RedisLimiter",
    "RequestTimeoutError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ServerError",
    "StorageError",
    "Telemetry",
    "TransportError",
    "UnknownFieldError",
    "UploadTooLargeError",
    "WaitBudgetExceededError",
    "WebhookPayloadError",
    "WebhookVerificationError",
    "__version__",
]

#: names the root exported until this release, by the public module that has them now
_MOVED = dict.fromkeys(
    (
        "Activity", "AssetDownload", "AssetUpload", "Attachment", "Comment", "CommentAccess",
        "Cycle", "CycleIssue", "Estimate", "EstimatePoint", "EstimateType", "IntakeIssue",
        "IntakeIssueDetail", "IntakeStatus", "Invitation", "Issue", "IssueLite", "Label",
        "Link", "Module", "ModuleIssue", "ModuleStatus", "Network", "PlaneModel", "Priority",
        "Project", "ProjectLite", "ProjectMember", "ProjectSummary", "RelatedIssue",
        "RelationRef", "RelationType", "Relations", "Role", "SearchResult", "State",
        "StateGroup", "StateLite", "Sticky", "UploadForm", "User", "WorkspaceLite",
        "WorkspaceMember", "to_dict",
    ),
    "models",
) | dict.fromkeys(
    (
        "CommentCreateFields", "CommentFields", "CommentUpsertFields", "CycleCreateFields",
        "CycleFields", "CycleUpsertFields", "EstimateFields", "EstimatePointFields", "IdLike",
        "IntakeCreateFields", "IntakeFields", "IssueCreateFields", "IssueFields",
        "IssueUpsertFields", "LabelCreateFields", "LabelFields", "LabelUpsertFields", "LastKey",
        "Limiter", "LinkCreateFields", "LinkFields", "ListOptions", "ModuleCreateFields",
        "ModuleFields", "ModuleUpsertFields", "ProjectCreateFields", "ProjectFields", "Quota",
        "ReadOptions", "RequestEvent", "RequestStats", "SlotHandle", "StateCreateFields",
        "StateFields", "StateUpsertFields", "StickyFields",
    ),
    "types",
)  # fmt: skip


def __getattr__(name: str) -> object:
    if name == "Plane":
        # Loaded on first use, to keep `import plane_async` fast: the blocking client
        # brings its thread and its generated namespaces, which load every resource.
        from ._blocking.client import Plane

        globals()["Plane"] = Plane
        return Plane
    if name == "RedisLimiter":
        # Loaded on first use, to keep `import plane_async` fast: only a fleet needs Redis.
        from ._ratelimit.redis import RedisLimiter

        globals()["RedisLimiter"] = RedisLimiter
        return RedisLimiter
    home = _MOVED.get(name)
    if home is None:
        raise AttributeError(f"module 'plane_async' has no attribute {name!r}")
    warnings.warn(
        f"plane_async.{name} is deprecated and will be removed in the next release: "
        f"import it from plane_async.{home} instead",
        DeprecationWarning,
        stacklevel=2,
    )
    # Loaded when an old path is used: the write fields are not needed to import the root.
    from . import models, types

    return getattr(models if home == "models" else types, name)
