"""The root of the error tree and the cursor an error resumes from.

``PlaneError.cursor`` is a :class:`Cursor`, and a ``Cursor`` refuses bad text with a
``PlaneValueError``: the two refer to each other, so they share this module (and nothing
in it imports the rest of plane_async).

``Cursor``: Plane's ``value:offset:is_prev`` page cursor, parsed and checked before sending.

Plane's cursor ``"100:3:0"`` means "page 3 (0-based) of pages of 100". The server ignores
the first part when slicing (the page size always comes from ``per_page``), so a cursor is
only meaningful together with the page size it was made with; ``per_page`` keeps that size
and the paginator refuses to resume it with a different one.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import attrs
import orjson

__all__ = ["Cursor", "LastKey", "PlaneError", "PlaneValueError", "as_cursor"]


class PlaneError(Exception):
    """Base class of every error raised by plane_async.

    ``cursor`` is set when the error ended a paged read: pass it back as ``cursor=`` (or
    save ``str(exc.cursor)``) to resume exactly where the read stopped. ``None`` otherwise.

    Every error pickles with its attributes (``ProcessPoolExecutor`` and
    ``multiprocessing`` send errors between processes): the message and whatever the
    instance holds, including attributes a subclass adds. Tracebacks and chained causes
    are not pickled, as for any exception.
    """

    #: for a paged read, the cursor to resume from (``None`` when no read was under way)
    cursor: Cursor | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own reduce calls cls(*args), which fails for the keyword-only
        # __init__ of most subclasses; rebuild without __init__ and restore __dict__.
        return _rebuild, (type(self), self.args), self.__dict__


class PlaneValueError(PlaneError, ValueError):
    """Input refused before any request was sent; the message says what is accepted."""


def _rebuild(cls: type[PlaneError], args: tuple[Any, ...]) -> PlaneError:
    """Unpickle a PlaneError: a bare instance with ``args``; pickle then sets ``__dict__``."""
    err = cls.__new__(cls, *args)
    err.args = args  # OSError's __new__ (RequestTimeoutError is a TimeoutError) may not set it
    return err


def as_cursor(cursor: Cursor | str | None) -> Cursor | None:
    """A ``Cursor`` from a cursor or its string form (``str(cursor)`` round-trips)."""
    if cursor is None or not isinstance(cursor, str):
        return cursor
    return Cursor.parse(cursor)


_ACCEPTED = (
    "a cursor looks like 'per_page:offset:is_prev', e.g. '100:3:0' "
    "(per_page >= 1, offset >= 0, is_prev 0 or 1), as found in a page's next_cursor"
)

# ASCII digits only (``\d`` would take other scripts' digits, ``int()`` would take "+3",
# " 3" and "3_0"); 18 digits bounds the numbers well below any real collection.
_CURSOR_RE = re.compile(r"([0-9]{1,18}):([0-9]{1,18}):([01])", re.ASCII)
# What the server itself may send: the first page's prev_cursor has offset -1.
_SERVER_RE = re.compile(r"(-?[0-9]{1,18}):(-?[0-9]{1,18}):(-?[0-9]{1,18})", re.ASCII)


_CHECKPOINT = (
    "a checkpoint is a cursor as str(page.resume_cursor) or an error's .cursor gave it "
    "(e.g. '100:3:0~eyJ...'), or a plain Plane cursor such as '100:3:0'"
)


@attrs.frozen
class LastKey:
    """The last key a read handed out: the list's order, the value and the ids at it.

    A checkpoint carries it so a resumed read skips what was handed out and backs up over
    what shifted, whatever was created or deleted in between.
    """

    #: the ``order_by`` of the read (``"-created_at"``)
    order_by: str
    #: the order field's value on the last item, as the server sent it
    value: str | int | float
    #: the ids of the items handed out with exactly that value
    ids: tuple[str, ...]
    #: the list's total when the checkpoint was taken
    total: int | None = None
    #: the index in the list of the first row not handed out, when the checkpoint was taken
    position: int | None = None

    def token(self) -> str:
        fields = [self.order_by, self.value, list(self.ids), self.total]
        if self.position is not None:
            fields.append(self.position)
        data = orjson.dumps(fields)
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    @classmethod
    def from_token(cls, token: str, text: str) -> LastKey:
        try:
            data: Any = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except (binascii.Error, ValueError):
            raise PlaneValueError(f"invalid checkpoint {text!r}: {_CHECKPOINT}") from None
        if (
            not isinstance(data, list)
            or len(data) not in (3, 4, 5)
            or (len(data) >= 4 and data[3] is not None and type(data[3]) is not int)
            or (len(data) == 5 and (type(data[4]) is not int or data[4] < 0))
            or not isinstance(data[0], str)
            or isinstance(data[1], bool)
            or not isinstance(data[1], str | int | float)
            or not isinstance(data[2], list)
            or not all(isinstance(i, str) for i in data[2])
        ):
            raise PlaneValueError(f"invalid checkpoint {text!r}: {_CHECKPOINT}")
        total = data[3] if len(data) >= 4 else None
        return cls(data[0], data[1], tuple(data[2]), total, data[4] if len(data) == 5 else None)


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

    ``str(cursor)`` is one opaque string that ``Cursor.parse`` (and ``cursor=``) reads
    back: Plane's ``"100:3:0"``, followed by ``~`` and the last key handed out when the
    cursor is a checkpoint (``page.resume_cursor``, an error's ``.cursor``). Save it to
    restart an export where it stopped, even after items were created or deleted.
    """

    #: the page size the cursor was made with (the wire form's first part, "value")
    per_page: int = attrs.field(validator=_check_per_page)
    #: the 0-based page index
    offset: int = attrs.field(validator=_check_offset)
    #: set on the server's ``prev_cursor``; it reads the same page as a plain cursor
    is_prev: bool = attrs.field(default=False, validator=_check_is_prev)
    #: the last key handed out before this position (a checkpoint); None for a plain cursor
    after: LastKey | None = attrs.field(default=None, kw_only=True, repr=False)

    @property
    def wire(self) -> str:
        """The cursor as the server reads it (``"100:3:0"``), without the checkpoint."""
        return f"{self.per_page}:{self.offset}:{int(self.is_prev)}"

    @classmethod
    def parse(cls, text: str | Cursor) -> Cursor:
        """Read ``"per_page:offset:is_prev"``; a ``Cursor`` is returned unchanged.

        Raises ``PlaneValueError`` (a ``ValueError``) for anything else, before any request.
        """
        if isinstance(text, Cursor):
            return text
        if not isinstance(text, str):
            raise PlaneValueError(f"invalid cursor {text!r} (a {type(text).__name__}): {_ACCEPTED}")
        wire, sep, token = text.partition("~")
        match = _CURSOR_RE.fullmatch(wire)
        if match is None:
            raise PlaneValueError(f"invalid cursor {text!r}: {_ACCEPTED}")
        after = LastKey.from_token(token, text) if sep else None
        per_page, offset, is_prev = match.groups()
        return cls(int(per_page), int(offset), is_prev == "1", after=after)

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
        a, b, c = match.groups()  # (no generator: read twice a page)
        per_page, offset, is_prev = int(a), int(b), int(c)
        if per_page < 1 or offset < 0:
            return None
        return cls(per_page, offset, is_prev != 0)

    def next_page(self) -> Cursor:
        """The cursor of the page right after this one (same ``per_page``)."""
        return Cursor(self.per_page, self.offset + 1)

    def __str__(self) -> str:
        if self.after is None:
            return self.wire
        return f"{self.wire}~{self.after.token()}"
