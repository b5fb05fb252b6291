"""``Cursor``: Plane's ``value:offset:is_prev`` page cursor, parsed and checked before sending.

Plane's cursor ``"100:3:0"`` means "page 3 (0-based) of pages of 100". The server ignores
the first part when slicing (the page size always comes from ``per_page``), so a cursor is
only meaningful together with the page size it was made with; ``per_page`` keeps that size
and the paginator refuses to resume it with a different one.
"""

from __future__ import annotations

import re

import attrs

from ._errors import PlaneValueError

__all__ = ["Cursor"]

_ACCEPTED = (
    "a cursor looks like 'per_page:offset:is_prev', e.g. '100:3:0' "
    "(per_page >= 1, offset >= 0, is_prev 0 or 1), as found in a page's next_cursor"
)

# ASCII digits only (``\d`` would take other scripts' digits, ``int()`` would take "+3",
# " 3" and "3_0"); 18 digits bounds the numbers well below any real collection.
_CURSOR_RE = re.compile(r"([0-9]{1,18}):([0-9]{1,18}):([01])", re.ASCII)
# What the server itself may send: the first page's prev_cursor has offset -1.
_SERVER_RE = re.compile(r"(-?[0-9]{1,18}):(-?[0-9]{1,18}):(-?[0-9]{1,18})", re.ASCII)


def _check_per_page(_inst: Cursor, _attr: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or value < 1:
        raise PlaneValueError(f"invalid cursor per_page {value!r}: {_ACCEPTED}")


def _check_offset(_inst: Cursor, _attr: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or value < 0:
        raise PlaneValueError(f"invalid cursor offset {value!r}: {_ACCEPTED}")


def _check_is_prev(_inst: Cursor, _attr: attrs.Attribute[bool], value: bool) -> None:
    if type(value) is not bool:
        raise PlaneValueError(f"invalid cursor is_prev {value!r}: {_ACCEPTED}")


@attrs.frozen
class Cursor:
    """A position in a paginated list: page ``offset`` of pages of ``per_page`` items.

    ``str(cursor)`` is the wire form (``"100:3:0"``); ``Cursor.parse`` reads it back.
    Save ``page.resume_cursor`` to restart an export where it stopped.
    """

    #: the page size the cursor was made with (the wire form's first part, "value")
    per_page: int = attrs.field(validator=_check_per_page)
    #: the 0-based page index
    offset: int = attrs.field(validator=_check_offset)
    #: set on the server's ``prev_cursor``; it reads the same page as a plain cursor
    is_prev: bool = attrs.field(default=False, validator=_check_is_prev)

    @classmethod
    def parse(cls, text: str | Cursor) -> Cursor:
        """Read ``"per_page:offset:is_prev"``; a ``Cursor`` is returned unchanged.

        Raises ``PlaneValueError`` (a ``ValueError``) for anything else, before any request.
        """
        if isinstance(text, Cursor):
            return text
        if not isinstance(text, str):
            raise PlaneValueError(f"invalid cursor {text!r} (a {type(text).__name__}): {_ACCEPTED}")
        match = _CURSOR_RE.fullmatch(text)
        if match is None:
            raise PlaneValueError(f"invalid cursor {text!r}: {_ACCEPTED}")
        per_page, offset, is_prev = match.groups()
        return cls(int(per_page), int(offset), is_prev == "1")

    @classmethod
    def from_server(cls, text: object) -> Cursor | None:
        """Read a cursor the server sent; ``None`` for one that cannot be sent back.

        The server's first-page ``prev_cursor`` is ``"N:-1:1"`` (sending it is a 400), and
        it reads ``is_prev`` as any integer; neither is a usable position.
        """
        if not isinstance(text, str):
            return None
        match = _SERVER_RE.fullmatch(text)
        if match is None:
            return None
        per_page, offset, is_prev = (int(g) for g in match.groups())
        if per_page < 1 or offset < 0:
            return None
        return cls(per_page, offset, is_prev != 0)

    def next_page(self) -> Cursor:
        """The cursor of the page right after this one (same ``per_page``)."""
        return Cursor(self.per_page, self.offset + 1)

    def __str__(self) -> str:
        return f"{self.per_page}:{self.offset}:{int(self.is_prev)}"
