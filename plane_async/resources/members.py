"""Placeholder: being written."""

from ._base import Resource


class MembersResource(Resource):
    pass
