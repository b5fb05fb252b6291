"""Placeholder: being written."""

from ._base import Resource


class UsersResource(Resource):
    pass
