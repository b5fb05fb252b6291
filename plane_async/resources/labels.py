"""Placeholder: being written."""

from ._base import Resource


class LabelsResource(Resource):
    pass
