"""The wire protocol as pure functions: URLs, paths, errors, Retry-After (the retry policy
that uses it is in ``_http/retry.py``).

Nothing here does I/O, so all of it is tested without mocks. What a caller passes in
(keys, slugs, ids, settings) is checked in ``checks``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    PlaneValueError,
    RateLimitError,
    ServerError,
)
from .._errors import parse_retry_after as parse_retry_after  # read by the transport

DEFAULT_BASE_URL = "https://api.plane.so"
API_PREFIX = "/api/v1/"


#: segments that need no percent-encoding (the common case: slugs, ids, names)
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_.~-]+")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_MESSAGE_KEYS = ("detail", "error", "error_message", "message")
_INVALID_KEY_MARKERS = ("token is not valid", "api key", "api token", "expired", "invalid token")


# ---------------------------------------------------------------------------- settings


def normalize_base_url(
    base_url: str, *, allow_insecure_http: bool = False, via_proxy: bool = False
) -> str:
    """Return ``scheme://host[:port][/prefix]/api/v1/`` for a Plane base URL.

    Accepts the bare host (``https://api.plane.so``), a self-hosted URL with a path prefix,
    or a URL that already ends in ``/api/v1``. Plain ``http://`` is refused for any host but
    loopback unless ``allow_insecure_http`` (the API key would travel in clear text); through
    a proxy (``via_proxy``) loopback is the proxy's, so it is refused for every host.
    """
    if not isinstance(base_url, str) or not base_url.strip():
        raise PlaneValueError("base_url must be a URL such as 'https://api.plane.so'")
    text = base_url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PlaneValueError(
            f"base_url must start with https:// and name a host, got {text!r} "
            "(for example 'https://api.plane.so' or 'https://plane.example.com')"
        )
    if parts.username or parts.password:
        raise PlaneValueError("base_url must not contain credentials; pass api_key= instead")
    if parts.query or parts.fragment:
        raise PlaneValueError(f"base_url must not have a query or fragment, got {text!r}")
    if parts.scheme == "http" and not allow_insecure_http and via_proxy:
        raise PlaneValueError(
            f"refusing plain http:// to {parts.hostname!r} through a proxy: the API key would "
            "cross the network unencrypted (a loopback name is resolved by the proxy, not "
            "here). Use https://, or pass allow_insecure_http=True if you really mean it"
        )
    if parts.scheme == "http" and not allow_insecure_http and not is_loopback(parts.hostname):
        raise PlaneValueError(
            f"refusing plain http:// to {parts.hostname!r}: the API key would be sent unencrypted. "
            "Use https://, or pass allow_insecure_http=True if you really mean it"
        )
    path = parts.path.rstrip("/")
    if path.endswith("/api/v1"):
        path = path[: -len("/api/v1")]
    netloc = parts.netloc
    return f"{parts.scheme}://{netloc}{path}{API_PREFIX}"


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    name = host.lower()
    if name in ("localhost", "localhost.localdomain") or name.endswith(".localhost"):
        return True
    # Imported here, for a host that is not a name, to keep `import plane_async` fast.
    import ipaddress

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------------------- paths


def encode_segment(segment: str | uuid.UUID) -> str:
    """Percent-encode one path segment; refuse empty, '.' and '..' segments."""
    if isinstance(segment, uuid.UUID):
        return str(segment)
    text = str(segment)
    if _PLAIN_SEGMENT.fullmatch(text) and text not in (".", ".."):
        return text
    if text in ("", ".", ".."):
        raise PlaneValueError(f"invalid path segment {text!r}: empty, '.' and '..' are not allowed")
    if _CONTROL_CHARS.search(text):
        raise PlaneValueError(f"path segment {text!r} contains control characters")
    return quote(text, safe="")


def build_path(*segments: str | uuid.UUID) -> str:
    """``build_path("workspaces", "acme", "projects")`` -> ``"workspaces/acme/projects/"``."""
    return "".join(encode_segment(s) + "/" for s in segments)


def normalize_raw_path(path: str) -> str:
    """Normalise a raw path for ``AsyncPlane.request``: relative to /api/v1/, ending in '/'.

    Accepts ``"users/me"``, ``"/users/me/"`` or ``"/api/v1/users/me/"``; refuses '.', '..',
    empty segments, queries and absolute URLs (the key must only go to the configured server).
    """
    if not isinstance(path, str) or not path.strip("/"):
        raise PlaneValueError(f"path must be a non-empty API path like 'users/me/', got {path!r}")
    if "://" in path or path.startswith("//"):
        raise PlaneValueError("path must be relative to the API (like 'users/me/'), not a URL")
    if "?" in path or "#" in path:
        raise PlaneValueError("pass query parameters with params=, not inside the path")
    text = path.lstrip("/")
    if text.startswith("api/v1/"):
        text = text[len("api/v1/") :]
    segments = text.rstrip("/").split("/")
    for seg in segments:
        # Check the decoded form too: the URL library and the server decode "%2e%2e" to
        # ".." and resolve it, which would send the key outside /api/v1/.
        decoded = unquote(seg)
        if seg in ("", ".", "..") or decoded in ("", ".", ".."):
            raise PlaneValueError(f"path {path!r} has an empty, '.' or '..' segment")
        if "/" in decoded or "\\" in decoded:
            raise PlaneValueError(f"path {path!r} has an encoded '/' or '\\' in a segment")
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in seg + decoded):
            raise PlaneValueError(f"path {path!r} contains control characters")
    # keep already-encoded text as it is, but encode what is unsafe
    return "".join(quote(s, safe="%:@!$&'()*+,;=-._~") + "/" for s in segments)


# ---------------------------------------------------------------------------- responses

# parse_retry_after (imported above) lives with RateLimitError, whose retry_after reads it.


def error_message(body: Any, status: int) -> str:
    """The human message of an error body: ``detail``/``error``/``error_message``/``message``
    or a DRF field dict (``{"name": ["This field is required."]}``)."""
    if isinstance(body, dict):
        for key in _MESSAGE_KEYS:
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, list) and value:
                return "; ".join(str(v) for v in value)
        parts = []
        for key, value in body.items():
            if key in ("code", "status", "id", "error_code"):
                continue
            if isinstance(value, list):
                value = "; ".join(str(v) for v in value)
            elif isinstance(value, dict):
                value = "; ".join(f"{k}: {v}" for k, v in value.items())
            parts.append(f"{key}: {value}")
        if parts:
            return "; ".join(parts)
    if isinstance(body, str) and body.strip():
        text = " ".join(body.split())
        return text[:200] + ("..." if len(text) > 200 else "")
    return f"HTTP {status}"


def is_invalid_key_body(body: Any) -> bool:
    """Plane answers 403 (not 401) for a wrong or expired key; tell it from a permission 403."""
    message = error_message(body, 403).lower()
    return "permission" not in message and any(m in message for m in _INVALID_KEY_MARKERS)


_STATUS_ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def error_for_status(
    status: int,
    *,
    method: str,
    url: str,
    body: Any,
    headers: Mapping[str, str],
    attempts: int = 1,
) -> APIError:
    """Build the typed APIError for an error response."""
    message = error_message(body, status)
    cls: type[APIError]
    if status == 403:
        if is_invalid_key_body(body):
            cls = InvalidAPIKeyError
            message = (
                f"{message} (the API key is wrong, expired or deactivated; "
                "create a new one under Workspace settings > API tokens)"
            )
        else:
            cls = PermissionDeniedError
            message = _permission_hint(message, url)
    elif status == 401:
        cls = AuthenticationError
        message = f"{message} (no API key was sent: pass api_key= or set PLANE_API_KEY)"
    elif status >= 500:
        cls = ServerError
    elif status < 200 or 300 <= status < 400:
        cls = APIError
        message = _not_an_answer(status, message, headers)
    else:
        cls = _STATUS_ERRORS.get(status, APIError)
    return cls(
        message,
        status=status,
        method=method,
        url=url,
        body=body,
        headers=headers,
        attempts=attempts,
    )


_GENERIC_403 = "you do not have permission to perform this action"
_SCOPE_RE = re.compile(r"/api/v1/workspaces/([^/]+)/(?:projects/([0-9a-fA-F-]{32,36})/)?")
#: ``issues.get_by_identifier("WEB-12")``: a work item by project identifier and number
_IDENTIFIER_PATH_RE = re.compile(r"/api/v1/workspaces/[^/]+/(?:work-items|issues)/([^/]+)-(\d+)/$")


def _permission_hint(message: str, url: str) -> str:
    """Plane's bare 403 names nothing: say which workspace (and project) was refused, and,
    for the permission check's generic message, the likely causes."""
    match = _SCOPE_RE.search(urlsplit(url).path)
    if match is None:
        return message
    workspace, project = unquote(match.group(1)), match.group(2)
    scope = f"workspace {workspace!r}" + (f", project {project}" if project else "")
    if _GENERIC_403 not in message.lower():
        return f"{message} ({scope})"
    by_identifier = _IDENTIFIER_PATH_RE.search(urlsplit(url).path)
    if by_identifier is not None:
        ident = unquote(by_identifier.group(1))
        return (
            f"{message} ({scope}, work item {ident}-{by_identifier.group(2)}): Plane answers "
            f"403 when no project of the workspace has the identifier {ident!r}; check the "
            "identifier (plane.projects.list() shows each project's), then the workspace "
            "slug and that the API key's user is a member of the project"
        )
    if project:
        causes = (
            "check the workspace slug (the part after the host in your Plane URL), that the "
            "project exists in that workspace, and that the API key's user is a member of both"
        )
    else:
        causes = (
            "check the workspace slug (the part after the host in your Plane URL) and that the "
            "API key's user is a member of that workspace"
        )
    return f"{message} ({scope}): {causes}"


def _not_an_answer(status: int, message: str, headers: Mapping[str, str]) -> str:
    """The message of a 1xx or 3xx status: only 2xx is success, and redirects are not
    followed (the API key must never be sent to another URL)."""
    if 300 <= status < 400:
        location = next((v for k, v in headers.items() if k.lower() == "location"), None)
        where = f" to {location}" if location else ""
        return (
            f"the server answered {status} (a redirect{where}); redirects are not followed so "
            "the API key never leaves for another URL: check base_url (https://, the host, no "
            "trailing path) or a proxy in front of Plane"
        )
    return f"the server answered {status} ({message}); only a 2xx status is a success"


def is_route_not_found(body: Any) -> bool:
    """True when a 404 body means "no such route" (Django's handler404), not "no such object"."""
    return isinstance(body, dict) and body.get("error") == "Page not found."
