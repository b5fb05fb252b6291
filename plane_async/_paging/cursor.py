"""``Cursor``: Plane's ``value:offset:is_prev`` page cursor, and ``LastKey``, the checkpoint
a resumed read starts after.

Both are defined with the error tree (``plane_async._errors.base``): every error carries
the cursor a paged read resumes from, and a cursor refuses bad text with a
``PlaneValueError``. Paging imports them from here.
"""

from __future__ import annotations

from .._errors.base import Cursor, LastKey

__all__ = ["Cursor", "LastKey"]
