"""Strings that keep secrets out of reprs: the API key and a proxy URL's credentials.

Debuggers, ``traceback.TracebackException(..., capture_locals=True)``, ``pytest -l`` and
error trackers that keep frame locals print every local variable with ``repr()``. The key
travels through the client's frames and aiohttp's (a headers dict, a CIMultiDict) as a
``Secret``: a ``str`` that aiohttp sends unchanged, whose ``repr`` shows nothing of it.
"""

from __future__ import annotations

import base64
from urllib.parse import unquote, urlsplit

__all__ = ["Secret", "SecretURL", "redact_url", "split_proxy"]


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


def split_proxy(url: str) -> tuple[str, dict[str, str] | None]:
    """A proxy URL without its credentials, and the ``Proxy-Authorization`` header they
    make (a ``Secret``), or None. aiohttp would otherwise keep them in a ``yarl.URL``, whose
    repr shows the password in every frame that holds it."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    pair = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
    try:
        raw = pair.encode("latin-1")  # what aiohttp's BasicAuth sends
    except UnicodeEncodeError:
        raw = pair.encode("utf-8")
    bare = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    token = base64.b64encode(raw).decode("ascii")
    return bare, {"Proxy-Authorization": Secret(f"Basic {token}")}
