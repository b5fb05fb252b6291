"""Griffe extension: the docstrings' Sphinx roles (``:class:`~plane_async.types.Limiter```) shown
as code (``Limiter``) in the API reference instead of as raw reStructuredText."""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|func|meth|attr|exc|data|mod|obj):`(?P<tilde>~?)(?P<target>[^`]+)`")


def plain(text: str) -> str:
    """The text with each role replaced by its target as inline code (``~`` keeps the last
    part of a dotted name, as Sphinx does)."""

    def code(found: re.Match[str]) -> str:
        target = found["target"]
        if found["tilde"]:
            target = target.rsplit(".", 1)[-1]
        return f"`{target}`"

    return _ROLE.sub(code, text)


class SphinxRoles(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = plain(obj.docstring.value)
