"""Placeholder: being written."""

from ._base import Resource


class StatesResource(Resource):
    pass
