"""The resource namespaces of ``AsyncPlane`` (one module each)."""

from .activities import ActivitiesResource
from .comments import CommentsResource
from .cycles import CyclesResource
from .intake import IntakeResource
from .issues import IssuesResource
from .labels import LabelsResource
from .links import LinksResource
from .members import MembersResource
from .modules import ModulesResource
from .projects import ProjectsResource
from .states import StatesResource
from .users import UsersResource

__all__ = [
    "ActivitiesResource",
    "CommentsResource",
    "CyclesResource",
    "IntakeResource",
    "IssuesResource",
    "LabelsResource",
    "LinksResource",
    "MembersResource",
    "ModulesResource",
    "ProjectsResource",
    "StatesResource",
    "UsersResource",
]
