"""The resource namespaces of ``AsyncPlane`` (one module each)."""

from .activities import ActivitiesResource
from .assets import AssetsResource
from .attachments import AttachmentsResource
from .comments import CommentsResource
from .cycles import CyclesResource
from .estimates import EstimatesResource
from .intake import IntakeResource
from .invitations import InvitationsResource
from .issues import IssuesResource
from .labels import LabelsResource
from .links import LinksResource
from .members import MembersResource
from .modules import ModulesResource
from .projects import ProjectsResource
from .relations import RelationsResource
from .states import StatesResource
from .stickies import StickiesResource
from .users import UsersResource

__all__ = [
    "ActivitiesResource",
    "AssetsResource",
    "AttachmentsResource",
    "CommentsResource",
    "CyclesResource",
    "EstimatesResource",
    "IntakeResource",
    "InvitationsResource",
    "IssuesResource",
    "LabelsResource",
    "LinksResource",
    "MembersResource",
    "ModulesResource",
    "ProjectsResource",
    "RelationsResource",
    "StatesResource",
    "StickiesResource",
    "UsersResource",
]
