"""Strings that keep secrets out of reprs: the API key and a proxy URL's credentials.

Debuggers, ``traceback.TracebackException(..., capture_locals=True)``, ``pytest -l`` and
error trackers that keep frame locals print every local variable with ``repr()``. The key
travels through the client's frames and aiohttp's (a headers dict, a CIMultiDict) as a
``Secret``: a ``str`` that aiohttp sends unchanged, whose ``repr`` shows nothing of it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["Secret", "SecretURL", "redact_url"]


class Secret(str):
    """A ``str`` whose ``repr`` is ``'<redacted>'``; its value (``str()``, f-strings,
    comparisons, what aiohttp sends) is unchanged."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'<redacted>'"


def redact_url(url: str) -> str:
    """``url`` with its user and password (if any) replaced by ``***``."""
    parts = urlsplit(url)
    if not (parts.username or parts.password):
        return url
    netloc = "***@" + parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=netloc).geturl()


class SecretURL(str):
    """A URL (a proxy's) whose ``repr`` hides the credentials it may carry."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(redact_url(str(self)))
