"""Progress figures: ETA from the rate limit, the waiting state, plain lines, the plan."""

from __future__ import annotations

import io

from plane_async.cli._plan import minimum_seconds, plan_export, summary_lines
from plane_async.cli._progress import (
    PlainDisplay,
    eta,
    format_duration,
    make_display,
    wait_status,
)
from plane_async.types import Quota, RequestStats


def quota(remaining: int = 60, next_slot_in: float = 0.0, paused_for: float = 0.0,
          waiting: int = 0, limit: int = 60, period: float = 60.0) -> Quota:  # fmt: skip
    return Quota(limit, period, remaining, next_slot_in, paused_for, 0, waiting)


def test_durations_read_like_a_person_would_say_them() -> None:
    assert format_duration(0) == "0 s"
    assert format_duration(44.2) == "45 s"
    assert format_duration(125) == "2 min 05 s"
    assert format_duration(50_000) == "13 h 53 min"


def test_eta_comes_from_the_rate_limit() -> None:
    # what the window has free goes at once
    assert eta(30, quota(remaining=60), None) == 0.0
    # then the next slot, then one per second at 60 per 60 s
    assert eta(61, quota(remaining=0, next_slot_in=10.0), None) == 10.0 + 60
    # 50,000 per-item requests: hours, as the plan says
    assert format_duration(eta(50_000, quota(remaining=60), None)) == "13 h 52 min"
    # a 429 pause comes first
    assert eta(1, quota(remaining=0, next_slot_in=1.0, paused_for=20.0), None) == 21.0
    # a slow server: the pace seen so far wins
    assert eta(10, quota(remaining=60), observed_per_second=2.0) == 5.0


def test_a_wait_for_the_rate_limit_is_a_visible_state() -> None:
    assert wait_status(quota(remaining=5)) == ""
    assert wait_status(quota(remaining=0, next_slot_in=9.2, waiting=3)) == (
        "waiting for the rate limit (10 s)"
    )
    assert wait_status(quota(remaining=0, paused_for=30, waiting=1)) == "paused after a 429 (30 s)"


def test_plain_lines_start_wait_report_and_finish() -> None:
    now = [0.0]
    q = [quota()]
    requests = [0]
    out = io.StringIO()
    display = PlainDisplay(lambda: q[0], lambda: requests[0], out, clock=lambda: now[0])
    bar = display.add("work-items", "items")
    display.start(bar, 1000, 0)
    bar.requests_left = lambda: 8
    display.advance(bar, 200)
    requests[0] = 2
    now[0] = 4.0
    q[0] = quota(remaining=0, next_slot_in=12.0, waiting=1)
    display.tick()
    display.tick()  # the same wait is reported once
    now[0] = 9.0
    display.tick()  # 9 s after the last report: nothing yet
    now[0] = 11.0
    display.tick()  # a report every 10 s, waits included
    q[0] = quota(remaining=60)
    now[0] = 15.0
    display.tick()
    display.advance(bar, 800)
    now[0] = 20.0
    display.finish(bar)
    assert out.getvalue().splitlines() == [
        "work-items: 1000 items to fetch",
        "waiting for the rate limit (12 s)",
        "work-items: 200/1000 items (20%), 18 items/s, ETA 44 s, waiting for the rate limit (12 s)",
        "work-items: 1000/1000 items done in 20 s",
    ]


def test_bars_that_run_at_once_share_the_rate_limit_in_their_eta() -> None:
    out = io.StringIO()
    display = PlainDisplay(lambda: quota(remaining=0, next_slot_in=10.0), lambda: 0, out,
                           clock=lambda: 0.0)  # fmt: skip
    items, links, done = (display.add(n, "items") for n in ("work-items", "links", "states"))
    for bar, left in ((items, 30), (links, 31), (done, 50)):
        display.start(bar, 1000, 0)
        bar.requests_left = lambda left=left: left
    display.finish(done)  # finished: its requests are not waited for
    # 61 requests at 60 per 60 s: the next slot, then one a second
    assert display.eta(items) == display.eta(links) == 10.0 + 60
    display.finish(links)
    assert display.eta(items) == 10.0 + 29


def test_auto_progress_is_plain_when_not_on_a_terminal() -> None:
    display = make_display("auto", quota, lambda: 0, io.StringIO())
    assert isinstance(display, PlainDisplay)


def test_the_plan_counts_each_request_and_the_summary_uses_the_same_figures() -> None:
    counts = [{"states": 5, "labels": 150, "issues": 50_000, "modules": 3, "cycles": 2}]
    plan = plan_export(counts, per_page=100, include=("comments",), discovery=2)
    assert plan.requests == 2 + 1 + 2 + 1 + 500 + 1 + 1 + 3 + 2 + 50_000
    lines = plan.lines(quota())
    assert lines[-1].endswith("at least 14 h 01 min under the rate limit (60 requests per 60 s)")
    assert minimum_seconds(120, quota()) == 60.0
    stats = RequestStats(requests=120, retries=1, rate_limited=0)
    text = summary_lines({"work-items": 50_000}, stats, 61.0, quota())
    assert text[0] == "  work-items     50,000"
    assert "requests 120 (1 retry, 0 answered 429)" in text[1]
