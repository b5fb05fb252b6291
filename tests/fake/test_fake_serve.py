"""FakePlane as a process (``python -m plane_async.testing serve``), and the constructor's
names: ``rate_limit=`` takes a ``RateLimit``."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import aiohttp
import pytest

from plane_async import AsyncPlane, Plane, RateLimit
from plane_async.testing import FakePlane, Seed
from plane_async.testing._serve import parser
from tests.support.served_fake import served_fake


@pytest.mark.slow  # starts a process
async def test_serve_runs_fakeplane_with_the_constructors_options(tmp_path: Path) -> None:
    flags = ["--rate-limit", "5/60", "--projects", "2", "--issues-per-project", "7",
             "--workspace", "demo", "--seed", "3"]  # fmt: skip
    async with served_fake(tmp_path, *flags) as served:
        info = served.info
        assert json.loads(served.ready_file.read_text()) == info
        assert stat.S_IMODE(served.ready_file.stat().st_mode) == 0o600  # it holds the key
        assert info["workspace"] == "demo" and len(info["project_ids"]) == 2

        def script() -> int:
            # a blocking client in a thread, as a script against the served fake would be
            with Plane(
                api_key=info["api_key"], workspace=info["workspace"], base_url=info["base_url"]
            ) as plane:
                return len(list(plane.issues.list(info["project_ids"][0])))

        assert await asyncio.to_thread(script) == 7
        async with aiohttp.ClientSession() as http:  # the window is the one the flag set
            headers = {"X-API-Key": info["api_key"]}
            async with http.get(info["api_url"] + "users/me/", headers=headers) as response:
                assert response.status == 200
                assert response.headers["X-RateLimit-Remaining"] == "3"  # 5 - 2
    assert served.returncode == 0, served.stderr
    assert served.stderr == ""
    stats = served.stats
    assert stats["requests"] == stats["by_status"]["200"] >= 2
    assert stats["rate_limited"] == 0 and stats["handler_errors"] == 0


def test_serve_flags_are_the_constructors_options() -> None:
    args = parser().parse_args(
        [
            "serve",
            "--rate-limit",
            "30/10",
            "--fail-rate-503",
            "0.1",
            "--fault-seed",
            "4",
            "--webhook",
            "http://127.0.0.1:9/hook=s3cret",
        ]
    )
    assert args.rate_limit == RateLimit(30, 10.0)
    assert args.webhook == [("http://127.0.0.1:9/hook", "s3cret")]
    assert parser().parse_args(["serve", "--rate-limit", "off"]).rate_limit is None
    assert parser().parse_args(["serve", "--rate-limit", "120"]).rate_limit == RateLimit(120)
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--rate-limit", "fast"])


async def test_rate_limit_takes_a_rate_limit() -> None:
    async with FakePlane(seed=Seed(projects=0), rate_limit=RateLimit(2, 10.0)) as server:
        async with AsyncPlane(api_key=server.api_key, base_url=server.base_url) as plane:
            await plane.users.me()
        assert server.limiter is not None
        assert (server.limiter.requests, server.limiter.period) == (2, 10.0)


def test_a_wrong_name_or_shape_says_what_to_use() -> None:
    with pytest.raises(TypeError, match=r"seed=Seed\(random_seed=...\).*fault_seed="):
        FakePlane(random_seed=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rate_limit must be a RateLimit"):
        FakePlane(rate_limit="30/10")  # type: ignore[arg-type]
