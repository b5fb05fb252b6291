"""The name of a key's window: one per (server, API key), a hash that never shows the key."""

from __future__ import annotations

import contextlib
import hashlib
from urllib.parse import urlsplit

__all__ = ["canonical_origin", "key_digest"]


def canonical_origin(base_url: str) -> str:
    """One spelling per server: ``scheme://host[:port][/path]``, lower-case scheme and host,
    the host in its IDNA (ASCII) form without a trailing dot, no default port, no ``/api/v1``.

    ``https://api.plane.so``, ``https://API.plane.so:443/api/v1/`` and ``https://api.plane.so.``
    are one server with one rate-limit window; another port, scheme or path is another.
    """
    text = base_url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not host.isascii():
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    try:
        port = parts.port
    except ValueError:  # not a number: keep the text as it is, still one spelling
        port = None
        host = parts.netloc.lower()
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    path = parts.path.rstrip("/")
    if path.lower().endswith("/api/v1"):
        path = path[: -len("/api/v1")]
    return f"{scheme}://{netloc}{path}"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def key_digest(base_url: str, api_key: str) -> str:
    """A hex SHA-256 of (the server's canonical origin, API key): names a key's window, never
    shows it."""
    digest = hashlib.sha256()
    digest.update(canonical_origin(base_url).encode())
    digest.update(b"\x00")
    digest.update(api_key.encode())
    return digest.hexdigest()
