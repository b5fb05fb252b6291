"""The public surface: everything is importable from plane_async, and __all__ is complete."""

from __future__ import annotations

import importlib
import inspect

import pytest

import plane_async


def test_all_is_sorted_and_every_name_exists() -> None:
    names = [n for n in plane_async.__all__ if not n.startswith("__")]
    assert names == sorted(names)
    for name in plane_async.__all__:
        assert hasattr(plane_async, name), name


def test_every_public_class_of_private_modules_is_exported() -> None:
    exported = set(plane_async.__all__)
    for module_name in (
        "_errors",
        "_models",
        "_models.query",
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
                assert name in exported, f"{module_name}.{name} is not exported"


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
    import plane_async.resources as resources

    exported = set(plane_async.__all__)
    found = 0
    for name in resources.__all__:
        module = inspect.getmodule(getattr(resources, name))
        assert module is not None
        for field_name in getattr(module, "__all__", []):
            if field_name.endswith("Fields"):
                found += 1
                assert field_name in exported, f"{module.__name__}.{field_name} is not exported"
                assert getattr(plane_async, field_name) is getattr(module, field_name)
    assert found >= 20


@pytest.mark.slow
def test_the_exported_write_fields_load_lazily() -> None:
    # The TypedDicts live beside their resources, which load cattrs: importing
    # plane_async must not pay for that (import time is a benchmark target).
    import subprocess
    import sys

    code = (
        "import sys, plane_async\n"
        "assert 'cattrs' not in sys.modules and 'plane_async.resources' not in sys.modules\n"
        "from plane_async import IssueCreateFields, StateFields\n"
        "assert IssueCreateFields.__module__ == 'plane_async.resources.issues'\n"
        "assert plane_async.StateFields is StateFields\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        plane_async.Nope  # type: ignore[attr-defined]  # noqa: B018
