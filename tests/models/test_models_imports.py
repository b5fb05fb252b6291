"""The models sit low: they import nothing of ours but the errors, and nothing imports back.

Counted as grimp counts them: imports inside functions and under ``TYPE_CHECKING`` too.
"""

from __future__ import annotations

from typing import Any

import grimp
import pytest


@pytest.fixture(scope="module")
def graph() -> Any:
    return grimp.build_graph("plane_async", cache_dir=None)


def _ours(graph: Any, package: str) -> set[str]:
    return {package, *graph.find_descendants(package)}


def test_the_models_import_nothing_of_ours_but_the_errors(graph: Any) -> None:
    models = _ours(graph, "plane_async._models")
    allowed = models | {"plane_async._errors"}
    found = {
        (module, imported)
        for module in models
        for imported in graph.find_modules_directly_imported_by(module)
        if imported not in allowed
    }
    assert found == set()


def test_the_public_models_module_is_only_a_facade(graph: Any) -> None:
    imported = graph.find_modules_directly_imported_by("plane_async.models")
    assert imported and all(m.startswith("plane_async._models") for m in imported)


def test_no_webhooks_submodule_leads_back_to_the_package(graph: Any) -> None:
    # The package re-exports its submodules; a submodule that imported the package back
    # would close a cycle (the receivers once did, for the headers and the Deduplicator).
    submodules = graph.find_descendants("plane_async.webhooks")
    assert {"plane_async.webhooks.aiohttp", "plane_async.webhooks.asgi"} <= submodules
    assert [
        module
        for module in sorted(submodules)
        if graph.chain_exists(importer=module, imported="plane_async.webhooks")
    ] == []
