"""pytest plugin: ``plane_server`` and ``plane`` fixtures, for the projects that opt in.

Installing plane_async registers no plugin; enable it in your top-level ``conftest.py``
(or with ``pytest -p plane_async.testing.pytest_plugin``)::

    pytest_plugins = ["plane_async.testing.pytest_plugin"]

::

    async def test_lists_projects(plane):
        projects = [p async for p in plane.projects.list()]
        assert projects[0].identifier == "WEB"

``plane_server`` is a started :class:`~plane_async.testing.FakePlane` (one project, 25
work items, a rate limit high enough never to slow a test); ``plane`` is an
``AsyncPlane`` connected to it, over 127.0.0.1, or in the same process (no socket) when
the server is made with ``listen=False``. Change the server per test with
``@pytest.mark.plane_server(seed=Seed(issues_per_project=500), rate_limit=(5, 0.5))``, or
for a whole directory by overriding the ``plane_server_options`` fixture (a dict of
``FakePlane`` keyword arguments).

Importing this module is cheap: the server and the client are imported by the fixtures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from plane_async import AsyncPlane

    from ._app import FakePlane

try:  # strict-mode pytest-asyncio needs its own decorator for async fixtures
    import pytest_asyncio

    _async_fixture: Callable[..., Any] = pytest_asyncio.fixture
except ImportError:  # pragma: no cover - without pytest-asyncio async tests cannot run anyway
    _async_fixture = pytest.fixture

__all__ = ["plane", "plane_server", "plane_server_options"]

#: High enough that a test never waits, low enough that X-RateLimit-* headers are sent.
_TEST_RATE_LIMIT = (10_000, 60.0)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "plane_server(**kwargs): FakePlane keyword arguments for the plane_server fixture",
    )


@pytest.fixture
def plane_server_options() -> dict[str, Any]:
    """``FakePlane`` keyword arguments for ``plane_server``; override to change defaults."""
    from ._seed import Seed

    return {"seed": Seed(issues_per_project=25), "rate_limit": _TEST_RATE_LIMIT}


@_async_fixture
async def plane_server(
    request: pytest.FixtureRequest, plane_server_options: dict[str, Any]
) -> AsyncIterator[FakePlane]:
    """A started FakePlane on 127.0.0.1, closed after the test."""
    from ._app import FakePlane

    options = dict(plane_server_options)
    marker = request.node.get_closest_marker("plane_server")
    if marker is not None:
        options.update(marker.kwargs)
    async with FakePlane(**options) as server:
        yield server


@_async_fixture
async def plane(plane_server: FakePlane) -> AsyncIterator[AsyncPlane]:
    """An ``AsyncPlane`` for ``plane_server``, with its rate limit and page size."""
    from plane_async import AsyncPlane, RateLimit

    limiter = plane_server.limiter
    requests, period = (
        (limiter.requests, limiter.period) if limiter is not None else _TEST_RATE_LIMIT
    )
    options: dict[str, Any] = {
        "rate_limit": RateLimit(requests, period),
        "max_per_page": min(plane_server.max_per_page, 1000),
    }
    if not plane_server.listening:  # plane_server(listen=False): in process, no socket
        async with plane_server.client(**options) as client:
            yield client
        return
    async with AsyncPlane(
        api_key=plane_server.api_key,
        workspace=plane_server.workspace,
        base_url=plane_server.base_url,
        **options,
    ) as client:
        yield client
