"""Placeholder: being written."""

from ._base import Resource


class IntakeResource(Resource):
    pass
