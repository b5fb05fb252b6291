"""The public surface: a small root, ``plane_async.models`` and ``plane_async.types``; the
names that left the root still resolve, with a ``DeprecationWarning`` naming their new home."""

from __future__ import annotations

import importlib
import inspect

import pytest

import plane_async
import plane_async.models
import plane_async.types


def test_all_is_sorted_and_every_name_exists() -> None:
    names = [n for n in plane_async.__all__ if not n.startswith("__")]
    assert names == sorted(names)
    for name in plane_async.__all__:
        assert hasattr(plane_async, name), name


#: the root: the clients, the errors, and what a read or a deployment is configured with
ROOT = [
    "APIError", "AsyncPlane", "AuthenticationError", "BadRequestError", "ClientClosedError",
    "ConflictError", "Cursor", "DownloadTooLargeError", "ErrorResponse", "FieldError",
    "FieldNotExpandedError", "FieldNotRequestedError", "FieldValueError", "InvalidAPIKeyError",
    "LimiterUnavailableError", "NotFoundError", "Page", "PaginationError",
    "PaginationStalledError", "PermissionDeniedError", "Plane", "PlaneError", "PlaneValueError",
    "Query", "RateLimit", "RateLimitError", "RedisLimiter", "RequestTimeoutError",
    "ResponseDecodeError", "ResponseTooLargeError", "ServerError", "StorageError", "Telemetry",
    "TransportError", "UnknownFieldError", "UploadTooLargeError", "WaitBudgetExceededError",
    "WebhookPayloadError", "WebhookVerificationError", "__version__",
]  # fmt: skip


def test_the_root_exports_exactly_the_clients_the_errors_and_a_handful_of_names() -> None:
    assert plane_async.__all__ == ROOT


def test_the_public_modules_export_sorted_names_that_exist() -> None:
    for module in (plane_async.models, plane_async.types):
        assert module.__all__ == sorted(module.__all__), module.__name__
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_every_error_is_exported_from_the_root() -> None:
    from plane_async import _errors

    errors = {n for n in _errors.__all__ if isinstance(getattr(_errors, n), type)}
    errors -= {"LastKey"}  # a cursor's last key: plane_async.types
    assert errors <= set(plane_async.__all__)


def test_every_public_class_of_private_modules_is_exported() -> None:
    exported = set(plane_async.__all__) | set(plane_async.models.__all__)
    exported |= set(plane_async.types.__all__)
    for module_name in (
        "_errors",
        "_models",
        "_models.query",
        "_models.writes",
        "_paging.cursor",
        "_paging.engine",
        "_ratelimit.limiter",
        "_ratelimit.redis",
    ):
        module = importlib.import_module(f"plane_async.{module_name}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isclass(obj) and not name.startswith("_"):
                if name in {"PlaneIntEnum", "PlaneStrEnum", "FieldInfo", "FetchPage"}:
                    continue
                if name == "ExternalIds":  # a base of the *CreateFields, never taken alone
                    continue
                assert name in exported, f"{module_name}.{name} is not exported"


@pytest.mark.parametrize(("name", "home"), sorted(plane_async._MOVED.items()))
def test_each_name_that_left_the_root_still_resolves_with_a_deprecation(
    name: str, home: str
) -> None:
    new = getattr(importlib.import_module(f"plane_async.{home}"), name)
    with pytest.warns(DeprecationWarning, match=rf"plane_async\.{name} is deprecated .* "
                      rf"import it from plane_async\.{home} instead"):  # fmt: skip
        old = getattr(plane_async, name)
    assert old is new
    assert name in importlib.import_module(f"plane_async.{home}").__all__
    assert name not in plane_async.__all__


def test_a_from_import_of_a_moved_name_warns_at_the_users_line() -> None:
    with pytest.warns(DeprecationWarning) as caught:
        from plane_async import Issue  # noqa: F401
    assert caught[0].filename == __file__


def test_design_contract_names() -> None:
    from plane_async import AsyncPlane, Page, Query, RateLimit  # noqa: F401

    for name in (
        "PlaneError", "APIError", "BadRequestError", "AuthenticationError",
        "PermissionDeniedError", "InvalidAPIKeyError", "NotFoundError", "ConflictError",
        "RateLimitError", "ServerError", "TransportError", "RequestTimeoutError",
    ):  # fmt: skip
        assert issubclass(getattr(plane_async, name), plane_async.PlaneError)
    assert issubclass(plane_async.PlaneValueError, ValueError)


def test_client_has_every_namespace() -> None:
    plane = plane_async.AsyncPlane(api_key="plane_api_x", workspace="acme")
    for ns in (
        "projects", "issues", "modules", "states", "labels", "cycles", "members", "users",
        "comments", "links", "activities", "intake",
    ):  # fmt: skip
        assert getattr(plane, ns).__class__.__name__.endswith("Resource")


def test_every_write_field_typeddict_is_exported() -> None:
    # Users build create()/update() arguments conditionally: they need the TypedDicts.
    import re

    import plane_async.resources as resources

    taken = set()
    for name in resources.__all__:
        for method in vars(getattr(resources, name)).values():
            annotation = getattr(method, "__annotations__", {}).get("fields", "")
            taken |= set(re.findall(r"Unpack\[(\w+)\]", str(annotation)))
    assert len(taken) >= 20
    assert taken <= set(plane_async.types.__all__)


@pytest.mark.slow
def test_the_root_and_the_types_load_no_converter() -> None:
    # Import time is a benchmark target: the root does not load the write fields, the
    # resources, cattrs, the Redis backend or the read loop, and the write fields load no
    # converter either; RedisLimiter is still the root's, loaded on first use.
    import subprocess
    import sys

    code = (
        "import sys, plane_async\n"
        "assert 'cattrs' not in sys.modules and 'plane_async.resources' not in sys.modules\n"
        "assert 'plane_async.types' not in sys.modules\n"
        # nor the Redis backend, the read loop, or what only a mistake or a rare header needs
        "for name in ('plane_async._ratelimit.redis', 'plane_async._paging.read',\n"
        "             'difflib', 'email.utils'):\n"
        "    assert name not in sys.modules, name\n"
        "assert plane_async.RedisLimiter.__name__ == 'RedisLimiter'\n"
        "from plane_async._ratelimit import RedisLimiter\n"
        "assert RedisLimiter is plane_async.RedisLimiter\n"
        "from plane_async.types import IssueCreateFields, StateFields\n"
        "import plane_async.models\n"
        "assert 'cattrs' not in sys.modules and 'plane_async.resources' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        plane_async.Nope  # type: ignore[attr-defined]  # noqa: B018
