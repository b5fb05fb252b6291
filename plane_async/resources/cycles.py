"""Placeholder: being written."""

from ._base import Resource


class CyclesResource(Resource):
    pass
