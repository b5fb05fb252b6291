"""Placeholder: being written."""

from ._base import Resource


class LinksResource(Resource):
    pass
