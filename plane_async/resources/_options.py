"""Options of the lists whose server ignores ``fields``/``expand`` (it renders every field)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict, cast

from .._paging.cursor import Cursor
from .._protocol.checks import check_option_names
from .._types import ListOptions

__all__ = ["AllAtOnceOptions", "PageOptions", "checked"]


class AllAtOnceOptions(TypedDict, total=False):
    """A list the server answers all at once: ``max_items`` stops early."""

    max_items: int | None


class PageOptions(AllAtOnceOptions, total=False):
    """A paginated list without ``fields``/``expand``: the paging options of ``ListOptions``."""

    per_page: int | None
    cursor: str | Cursor | None
    max_pages: int | None
    dedupe: bool
    prefetch: int


def checked(options: Mapping[str, object], accepted: type) -> ListOptions:
    """``options`` for the page engine, refusing names ``accepted`` does not have: above all
    ``fields``/``expand``, which the server would ignore without a word."""
    check_option_names(
        options, accepted.__annotations__.keys() | getattr(accepted, "__optional_keys__", set())
    )
    return cast(ListOptions, options)
