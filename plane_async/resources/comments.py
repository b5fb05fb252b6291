"""Placeholder: being written."""

from ._base import Resource


class CommentsResource(Resource):
    pass
