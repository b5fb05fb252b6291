"""Placeholder: being written."""

from ._base import Resource


class ProjectsResource(Resource):
    pass
