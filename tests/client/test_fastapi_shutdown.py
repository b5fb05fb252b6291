"""The documented FastAPI setup (examples/fastapi_app.py) under a real uvicorn: 200
concurrent requests against a key whose window cannot serve them in the wait budget, then
SIGINT mid-load. FakePlane runs in its own process."""

from __future__ import annotations

import pytest

from benchmarks._shutdown import measure

pytestmark = pytest.mark.slow  # uvicorn and FakePlane processes, seconds of real time


async def test_sigint_under_load_answers_every_request_with_no_traceback() -> None:
    graceful = 15.0
    result = await measure(rate="30/2", wait_budget="5", graceful=graceful, concurrent=200)
    log = result.pop("log")
    # every request answered: the window's worth with 200, the rest with 503 + Retry-After
    assert result["not_answered"] == 0, result
    assert result["500"] == 0, log
    assert result["ok"] + result["503"] == 200, result
    assert result["ok"] >= 30 and result["503"] > 0, result
    assert result["503_with_retry_after"] == result["503"]
    # requests still waiting for their slot at SIGINT were served, not cancelled
    assert result["ok_after_sigint"] > 0, result
    assert result["tracebacks"] == result["cancelled_errors"] == 0, log
    assert result["exit_code"] == 0, log
    assert result["exited_after"] < graceful, result
    assert "Finished server process" in log
    assert result["server_429s"] == 0
