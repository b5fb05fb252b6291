"""Placeholder: being written."""

from ._base import Resource


class ActivitiesResource(Resource):
    pass
