"""The attrs models of the Plane API (see ``_base`` for how attributes are read)."""

from ._base import (
    UNSET,
    FieldInfo,
    PlaneModel,
    structure,
    structure_many,
    structurer,
    to_dict,
)
from .assets import AssetDownload, AssetUpload, Attachment, UploadForm
from .cycles import Cycle, CycleIssue
from .enums import (
    CommentAccess,
    EstimateType,
    IntakeStatus,
    ModuleStatus,
    Network,
    PlaneIntEnum,
    PlaneStrEnum,
    Priority,
    Role,
    StateGroup,
)
from .issues import Activity, Comment, IntakeIssue, IntakeIssueDetail, Issue, Link
from .misc import (
    Estimate,
    EstimatePoint,
    IssueLite,
    ProjectLite,
    SearchResult,
    StateLite,
    WorkspaceLite,
)
from .modules import Module, ModuleIssue
from .projects import Label, Project, ProjectSummary, State
from .relations import RelatedIssue, RelationRef, Relations, RelationType
from .users import ProjectMember, User, WorkspaceMember
from .workspace import Invitation, Sticky

__all__ = [
    "UNSET",
    "Activity",
    "AssetDownload",
    "AssetUpload",
    "Attachment",
    "Comment",
    "CommentAccess",
    "Cycle",
    "CycleIssue",
    "Estimate",
    "EstimatePoint",
    "EstimateType",
    "FieldInfo",
    "IntakeIssue",
    "IntakeIssueDetail",
    "IntakeStatus",
    "Invitation",
    "Issue",
    "IssueLite",
    "Label",
    "Link",
    "Module",
    "ModuleIssue",
    "ModuleStatus",
    "Network",
    "PlaneIntEnum",
    "PlaneModel",
    "PlaneStrEnum",
    "Priority",
    "Project",
    "ProjectLite",
    "ProjectMember",
    "ProjectSummary",
    "RelatedIssue",
    "RelationRef",
    "RelationType",
    "Relations",
    "Role",
    "SearchResult",
    "State",
    "StateGroup",
    "StateLite",
    "Sticky",
    "UploadForm",
    "User",
    "WorkspaceLite",
    "WorkspaceMember",
    "structure",
    "structure_many",
    "structurer",
    "to_dict",
]
