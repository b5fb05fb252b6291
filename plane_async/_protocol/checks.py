"""The checks on what a caller passes in, made before any request; each raises
``PlaneValueError`` saying what was expected and how to fix it.

The client's settings, ids, slugs, keys, page sizes, option names, external ids and
``order_by`` are checked here; the values of write fields in ``values``. The URL and path
rules (``normalize_base_url``, ``normalize_raw_path``) live with the wire format in
``wire``, and a cursor is read by ``Cursor.parse``.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum, IntEnum
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

from .._errors import PlaneValueError, UnknownFieldError
from .._secret import Secret, SecretURL

if TYPE_CHECKING:  # only for annotations: this module loads without the models (cattrs)
    from .._models import PlaneModel

__all__ = [
    "check_all_at_once",
    "check_api_key",
    "check_budget",
    "check_choice",
    "check_external",
    "check_id",
    "check_int_choice",
    "check_max_per_page",
    "check_max_retries",
    "check_method",
    "check_name",
    "check_option_names",
    "check_options",
    "check_per_page",
    "check_positive_number",
    "check_proxy",
    "check_retry_backoff",
    "check_slug",
    "check_update",
    "check_work_items_path",
    "issue_id_list",
    "order_params",
]

E = TypeVar("E", bound=IntEnum)

# fullmatch, never match + "$": "$" also matches before a trailing newline ("key\n").
_KEY_RE = re.compile(r"[\x21-\x7e]+")
_SLUG_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
# An order_by value: an optional "-", then a field or a Django path ("state__name").
_ORDER_BY = re.compile(r"-?([a-z][a-z0-9]*(?:_[a-z0-9]+)*)(?:__[a-z][a-z0-9]*(?:_[a-z0-9]+)*)*")
#: the largest page a Community Edition server serves (Plane Cloud: 100)
_CE_MAX_PER_PAGE = 1000


# ---------------------------------------------------------------------------- settings


def check_api_key(api_key: object) -> Secret:
    """Refuse a missing key or one with whitespace/control characters (header injection).

    Returns the key as a ``Secret`` (its repr is redacted), so no frame local shows it.
    """
    if isinstance(api_key, str) and not isinstance(api_key, Secret):
        api_key = Secret(api_key)
    if api_key is None or api_key == "":
        raise PlaneValueError(
            "no API key: pass api_key= or set PLANE_API_KEY "
            "(create one in Plane under Workspace settings > API tokens)"
        )
    if not isinstance(api_key, str):
        raise PlaneValueError(f"api_key must be a str, got {type(api_key).__name__}")
    if not _KEY_RE.fullmatch(api_key):
        # never echo the key itself
        raise PlaneValueError(
            "api_key contains whitespace or control characters; copy the key again without "
            "spaces or line breaks"
        )
    return api_key if isinstance(api_key, Secret) else Secret(api_key)


def check_slug(workspace: object) -> str:
    """A workspace slug: letters, digits, '-' and '_'."""
    if not isinstance(workspace, str) or not _SLUG_RE.fullmatch(workspace):
        raise PlaneValueError(
            f"workspace must be a workspace slug (letters, digits, '-', '_'), got {workspace!r}; "
            "it is the part after the host in your Plane URL, or set PLANE_WORKSPACE"
        )
    return workspace


def check_positive_number(value: object, name: str, *, allow_zero: bool = False) -> float:
    """``value`` (seconds) as a float > 0 (>= 0 with ``allow_zero``); not NaN, not a bool."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlaneValueError(f"{name} must be a number of seconds, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero) or value != value:
        raise PlaneValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return float(value)


def check_budget(value: object, name: str = "wait_budget") -> float | None:
    """``value`` as seconds > 0, or None (no bound, also for ``inf``); PlaneValueError
    otherwise."""
    if value is None:
        return None
    seconds = check_positive_number(value, name)
    return None if math.isinf(seconds) else seconds


def check_max_retries(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PlaneValueError(f"max_retries must be an int >= 0, got {value!r}")
    return value


def check_max_per_page(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise PlaneValueError(
            "max_per_page must be an int from 1 to 1000 (100 for Plane Cloud, up to 1000 "
            f"for Community Edition), got {value!r}"
        )
    return value


def check_proxy(proxy: object) -> SecretURL | None:
    """An http:// or https:// proxy URL (its credentials hidden from reprs), or None."""
    if proxy is None:
        return None
    if not isinstance(proxy, str) or urlsplit(proxy).scheme not in ("http", "https"):
        raise PlaneValueError("proxy must be an http:// or https:// URL")
    return SecretURL(proxy)


def check_retry_backoff(value: tuple[float, float]) -> tuple[float, float]:
    """``(base, cap)`` in seconds, each >= 0."""
    try:
        base, cap = value
    except (TypeError, ValueError):
        raise PlaneValueError(
            "retry_backoff must be (base, cap) in seconds, e.g. (0.5, 8.0)"
        ) from None
    return (
        check_positive_number(base, "retry_backoff base", allow_zero=True),
        check_positive_number(cap, "retry_backoff cap", allow_zero=True),
    )


def check_work_items_path(value: object) -> Literal["work-items", "issues"] | None:
    """The work-items route to use; None for "auto" (found on the first call)."""
    if value == "auto":
        return None
    if value == "work-items" or value == "issues":
        return value
    raise PlaneValueError(
        "work_items_path must be 'auto', 'work-items' (current servers) or 'issues' "
        f"(self-hosted servers from before 2025), got {value!r}"
    )


def check_method(method: object) -> str:
    if not isinstance(method, str) or not method.isalpha():
        raise PlaneValueError(f"method must be an HTTP method like 'GET', got {method!r}")
    return method


# ---------------------------------------------------------------------------- arguments


def check_id(value: object, what: str = "id") -> uuid.UUID:
    """Parse a UUID given as ``uuid.UUID`` or ``str``; PlaneValueError otherwise."""
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value.strip())
        except ValueError:
            pass
    raise PlaneValueError(
        f"{what} must be a UUID (uuid.UUID or a string like "
        f"'8772363e-ab7b-4a87-ad25-922fd6c3f197'), got {value!r}"
    )


def check_per_page(per_page: int | None, *, max_per_page: int) -> int | None:
    """Return ``per_page`` if it is an int in ``1..max_per_page`` (``None`` passes).

    Raises ``PlaneValueError`` otherwise: Plane answers 0 or a negative size with a 500
    and a size above its maximum with a 400.
    """
    if per_page is None:
        return None
    if isinstance(per_page, bool) or not isinstance(per_page, int):
        raise PlaneValueError(
            f"per_page must be an integer from 1 to {max_per_page}, "
            f"got {per_page!r} (a {type(per_page).__name__})"
        )
    if not 1 <= per_page <= max_per_page:
        hint = ""
        if max_per_page < per_page <= _CE_MAX_PER_PAGE:
            hint = (
                f" (Plane Cloud allows at most 100; a Community Edition server allows up to "
                f"{_CE_MAX_PER_PAGE}: create the client with max_per_page={_CE_MAX_PER_PAGE})"
            )
        raise PlaneValueError(f"per_page must be from 1 to {max_per_page}, got {per_page}{hint}")
    return per_page


def check_options(options: Mapping[str, object], accepted: tuple[str, ...], what: str) -> None:
    """Every key of ``options`` (a method's ``**options``) is one of ``accepted``."""
    unknown = set(options) - set(accepted)
    if unknown:
        raise PlaneValueError(
            f"unknown option(s) {sorted(unknown)}; {what} accept {', '.join(accepted)}"
        )


def check_option_names(options: Mapping[str, object], names: Iterable[str]) -> None:
    """The options of a list whose server ignores ``fields``/``expand`` are among ``names``
    (above all no ``fields``/``expand``, which the server would ignore without a word)."""
    accepted = set(names)
    unknown = sorted(set(options) - accepted)
    if unknown:
        hint = (
            " (Plane renders every field of this list: it ignores fields/expand)"
            if {"fields", "expand", "query"} & set(unknown)
            else ""
        )
        raise PlaneValueError(
            f"unknown option(s) {unknown}{hint}; accepted: {', '.join(sorted(accepted))}"
        )


def check_all_at_once(options: Mapping[str, object]) -> None:
    """No ``per_page``, ``cursor`` or ``prefetch`` for a list the server answers at once."""
    for k in ("per_page", "cursor", "prefetch"):
        # prefetch=0 is the default; any per_page or cursor at all is a mistake
        if options.get(k) is not None and (k != "prefetch" or options[k] != 0):
            raise PlaneValueError(
                f"{k}= does not apply here: this endpoint returns everything at once"
            )


def check_choice(name: str, value: object, choices: type[Enum]) -> None:
    """``value`` is None, a member of ``choices`` or one of their values (a str enum)."""
    if value is not None and not isinstance(value, choices):
        allowed = [c.value for c in choices]
        if value not in allowed:
            raise PlaneValueError(f"{name} must be one of {allowed}, got {value!r}")


def check_int_choice(name: str, value: object, choices: Sequence[E]) -> E:
    """``value`` as the member of ``choices`` (an int enum's) it equals; a bool is refused."""
    for choice in choices:
        if not isinstance(value, bool) and isinstance(value, int) and value == choice:
            return choice
    allowed = ", ".join(f"{type(c).__name__}.{c.name} ({c.value})" for c in choices)
    raise PlaneValueError(f"{name} must be one of {allowed}, got {value!r}")


def check_external(external_source: object, external_id: object) -> dict[str, str]:
    """Both external ids must be non-empty strings (the server's 409 needs both);
    returns them as the two body keys of an upsert."""
    keys: dict[str, str] = {}
    for name, value in (("external_source", external_source), ("external_id", external_id)):
        if not isinstance(value, str) or not value:
            raise PlaneValueError(f"{name} must be a non-empty string, got {value!r}")
        keys[name] = value
    return keys


def check_name(name: object) -> None:
    """A ``name`` argument must be a string with something besides blanks."""
    if not isinstance(name, str) or not name.strip():
        raise PlaneValueError(f"name must be a non-empty string, got {name!r}")


def check_update(fields: Mapping[str, Any]) -> None:
    """An update must change something (an empty PATCH would only cost a request)."""
    if not fields:
        raise PlaneValueError("update needs at least one field to change")


def issue_id_list(issue_ids: Iterable[uuid.UUID | str]) -> list[str]:
    """Checked ids for an add-issues body; an empty list is refused (Plane answers 400)."""
    if isinstance(issue_ids, str | bytes) or not hasattr(issue_ids, "__iter__"):
        raise PlaneValueError(f"issue_ids must be a list of work-item ids, got {issue_ids!r}")
    ids = [str(check_id(i, "issue_ids")) for i in issue_ids]
    if not ids:
        raise PlaneValueError("issue_ids must hold at least one work-item id")
    return ids


def order_params(model: type[PlaneModel], order_by: str | None) -> dict[str, str]:
    """``{"order_by": ...}`` checked against ``model`` (``{}`` for None).

    Plane sorts by any field of the object (``"-"`` first for descending, a Django path such
    as ``"state__name"`` through a relation) and answers an unknown name with a 500, so a
    name whose first part is not a field is refused here, with the closest valid names.
    """
    if order_by is None:
        return {}
    if not isinstance(order_by, str):
        raise PlaneValueError(f"order_by must be a field name, got {order_by!r}")
    text = order_by.strip()
    match = _ORDER_BY.fullmatch(text)
    if match is None:
        raise PlaneValueError(
            f"order_by must be a field name, optionally with '-' for descending order and "
            f"'__' to follow a relation (e.g. '-created_at', 'state__name'), got {order_by!r}"
        )
    head = match.group(1)
    keys = model.__plane_keys__
    if head not in keys:
        import difflib  # here, on a mistake only, to keep `import plane_async` fast

        close = tuple(difflib.get_close_matches(head, sorted(keys), n=3, cutoff=0.6))
        hint = (
            f"did you mean {', '.join(map(repr, close))}?"
            if close
            else (f"valid: {', '.join(sorted(keys))}")
        )
        raise UnknownFieldError(
            f"cannot order {model.__name__} by {order_by!r}: it has no field {head!r} "
            f"(the server would answer 500); {hint}",
            name=head,
            suggestions=close,
        )
    return {"order_by": text}
