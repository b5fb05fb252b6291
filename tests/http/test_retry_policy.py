"""The retry policy (``_http/retry.py``), the one place that decides whether a request is
sent again and after how long; the transport's and the storage's loops follow it."""

from __future__ import annotations

import pytest

from plane_async._http.retry import RetryPolicy, backoff_delay, can_retry_method


def policy(**overrides: object) -> RetryPolicy:
    options: dict[str, object] = {
        "max_retries": 3,
        "retry_post": False,
        "backoff_base": 0.5,
        "backoff_cap": 8.0,
        "max_retry_after": 60.0,
        "rand": lambda: 1.0,
    }
    options.update(overrides)
    return RetryPolicy(**options)  # type: ignore[arg-type]


def test_backoff_is_exponential_with_full_jitter() -> None:
    assert [backoff_delay(n, rand=lambda: 1.0) for n in (1, 2, 3, 4, 5, 6)] == [
        0.5, 1.0, 2.0, 4.0, 8.0, 8.0,
    ]  # fmt: skip
    assert backoff_delay(3, rand=lambda: 0.0) == 0.0


@pytest.mark.parametrize(
    ("method", "retry_post", "expected"),
    [("GET", False, True), ("DELETE", False, True), ("PATCH", False, True),
     ("POST", False, False), ("POST", True, True)],
)  # fmt: skip
def test_which_methods_retry(method: str, retry_post: bool, expected: bool) -> None:
    assert can_retry_method(method, retry_post=retry_post) is expected
    assert policy(retry_post=retry_post).repeatable(method) is expected


def test_a_call_s_retry_post_overrides_the_client_s() -> None:
    assert policy(retry_post=False).repeatable("POST", True) is True
    assert policy(retry_post=True).repeatable("POST", False) is False


def test_a_5xx_is_retried_after_its_retry_after_capped_else_after_backoff() -> None:
    p = policy(max_retry_after=10.0)
    assert p.after_status(1, 503, {"Retry-After": "4"}, repeatable=True, metered=True) == 4.0
    assert p.after_status(1, 503, {"Retry-After": "900"}, repeatable=True, metered=True) == 10.0
    assert p.after_status(2, 500, {}, repeatable=True, metered=True) == 1.0
    assert p.after_status(1, 502, {}, repeatable=False, metered=True) is None  # a POST
    assert p.after_status(1, 501, {}, repeatable=True, metered=True) is None
    assert p.after_status(4, 503, {}, repeatable=True, metered=True) is None  # retries used up


def test_a_429_goes_again_at_once_for_any_method_unless_the_route_takes_no_slot() -> None:
    p = policy()
    assert p.after_status(1, 429, {"Retry-After": "30"}, repeatable=False, metered=True) == 0.0
    assert p.after_status(1, 429, {}, repeatable=True, metered=False) is None
    assert p.after_status(4, 429, {}, repeatable=True, metered=True) is None


def test_a_fault_is_retried_with_backoff_while_retries_last() -> None:
    p = policy(max_retries=2)
    assert [p.after_fault(n, True) for n in (1, 2, 3)] == [0.5, 1.0, None]
    assert p.after_fault(1, False) is None
    assert policy(max_retries=0).after_fault(1, True) is None


def test_object_storage_is_retried_on_any_5xx_only() -> None:
    p = policy(max_retries=1)
    assert p.after_storage_status(1, 503) == 0.5 and p.after_storage_status(1, 507) == 0.5
    assert p.after_storage_status(1, 403) is None and p.after_storage_status(2, 503) is None


def test_a_delete_that_finds_nothing_after_an_uncertain_attempt_is_done() -> None:
    gone = {"detail": "No IssueLink matches the given query."}
    assert RetryPolicy.already_done("DELETE", 404, gone, uncertain=True)
    assert not RetryPolicy.already_done("DELETE", 404, gone, uncertain=False)
    assert not RetryPolicy.already_done("GET", 404, gone, uncertain=True)
    # a 404 for a route that does not exist is still an error
    assert not RetryPolicy.already_done("DELETE", 404, {"error": "Page not found."}, uncertain=True)
