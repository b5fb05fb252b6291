"""Fixtures shared by the tests (the fake server's come from plane_async's pytest plugin)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aioresponses import aioresponses


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    """Every aiohttp request answered by aioresponses (add the answers to it)."""
    with aioresponses() as m:
        yield m
