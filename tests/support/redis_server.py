"""Finding redis-server for the RedisLimiter tests (the server itself is
``benchmarks._fleet.RedisServer``, which the fleet benchmark uses too).

When ``redis-server`` is not installed the tests fail under CI (``CI`` set) and skip
elsewhere; ``make test`` installs it.
"""

from __future__ import annotations

import os
import shutil

import pytest

from benchmarks._fleet import RedisServer, free_port

__all__ = ["RedisServer", "free_port", "redis_binary"]


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found is None:
        message = "redis-server is not installed (make test installs Debian's redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found
