"""Placeholder: being written."""

from ._base import Resource


class ModulesResource(Resource):
    pass
