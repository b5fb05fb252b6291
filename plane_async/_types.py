"""Shared type aliases and the keyword-argument shapes of list/get calls."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from ._models.query import Query
from ._models.writes import IdLike
from ._paging.cursor import Cursor

__all__ = ["IdLike", "ListOptions", "ReadOptions"]


class ReadOptions(TypedDict, total=False):
    """``fields=``/``expand=``/``query=`` of ``get`` and ``list``."""

    fields: Iterable[str] | str | None
    expand: Iterable[str] | str | None
    query: Query | None


class ListOptions(ReadOptions, total=False):
    """Options of every ``list(...)`` and ``pages(...)`` call.

    ``per_page`` (default 100, at most the client's ``max_per_page``), ``cursor`` to start or
    resume from, ``max_items``/``max_pages`` to stop early, ``dedupe`` to hand out each id
    once while a live project is written to, ``prefetch`` to read ahead N pages.
    """

    per_page: int | None
    cursor: str | Cursor | None
    max_items: int | None
    max_pages: int | None
    dedupe: bool
    prefetch: int
