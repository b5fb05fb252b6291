"""Whole flows against FakePlane in the same process, on a virtual clock.

A test directory's ``conftest.py`` that imports ``pytest_asyncio_loop_factories`` and
``plane_server_options`` from here runs its async tests on :mod:`tests.support.vclock`'s
loop (timers fire at once: test ids end in ``[vclock]``) and makes the plugin's
``plane_server`` a FakePlane that opens no socket (``listen=False``): ``plane`` reaches it
through ``FakePlane.client()``.
Nothing there may open a real socket (a virtual clock would time it out): a test module
that needs the loopback server (file storage, webhooks) is marked
``pytestmark = pytest.mark.loopback`` and keeps a real loop and a listening server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from plane_async.testing import Seed
from tests.support.vclock import VirtualClockLoop

__all__ = ["plane_server_options", "pytest_asyncio_loop_factories"]


@pytest.hookimpl(optionalhook=True)  # pytest-asyncio >= 1.4; older ones use a real loop
def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    """pytest-asyncio's loops for the tests of the conftest that imports this: virtual,
    but real for a test marked ``loopback``."""
    if item.get_closest_marker("loopback") is not None:
        return {"loopback": asyncio.new_event_loop}
    return {"vclock": VirtualClockLoop}


@pytest.fixture
def plane_server_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The plugin's defaults (25 work items, a rate limit that never slows a test), with
    no socket unless the test is marked ``loopback``."""
    listen = request.node.get_closest_marker("loopback") is not None
    return {"seed": Seed(issues_per_project=25), "rate_limit": (10_000, 60.0), "listen": listen}
