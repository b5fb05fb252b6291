"""OpenTelemetry: the span tree, span events and metrics a user's exporters receive.

Every test uses the SDK's in-memory exporters and aioresponses on a virtual clock, so the
rate limiter's 429 pause and the retry backoff take no real time.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from aioresponses import aioresponses
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from plane_async import AsyncPlane, NotFoundError, PlaneValueError, Telemetry
from tests.support import vclock
from tests.support.resource_helpers import KEY, PID, WS, client, fixture_body

ITEMS = f"{WS}projects/{PID}/work-items/"
TEMPLATE = "/api/v1/workspaces/{workspace_slug}/projects/{project_id}/work-items/"
RATE_LIMITED = {"error_code": 5900, "error_message": "RATE_LIMIT_EXCEEDED"}


class Otel:
    """An SDK tracer and meter provider with in-memory exporters."""

    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])
        self.telemetry = Telemetry(
            tracer_provider=self.tracer_provider, meter_provider=self.meter_provider
        )

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def metrics(self) -> dict[str, list[Any]]:
        """Metric name -> its data points."""
        data = self.reader.get_metrics_data()
        out: dict[str, list[Any]] = {}
        if data is None:
            return out
        for rm in data.resource_metrics:
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    out.setdefault(metric.name, []).extend(metric.data.data_points)
        return out

    def close(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


@pytest.fixture
def otel() -> Iterator[Otel]:
    o = Otel()
    yield o
    o.close()


#: the two recorded pages are asked for exactly as recorded only without room to overlap
#: (with room, the second request would start before the last item of the first)
RECORDED = {"max_per_page": 3}


def two_pages_with_a_429_and_a_503(m: aioresponses) -> None:
    page1 = fixture_body("work-items-list-per_page-3.json")
    page2 = dict(
        fixture_body("work-items-list-per_page-3-cursor-page2.json"), next_page_results=False
    )
    m.get(f"{ITEMS}?per_page=3", status=429, headers={"Retry-After": "2"}, payload=RATE_LIMITED)
    m.get(f"{ITEMS}?per_page=3", payload=page1)
    m.get(f"{ITEMS}?per_page=3&cursor=3:1:0", status=503, body="<html>busy</html>")
    m.get(f"{ITEMS}?per_page=3&cursor=3:1:0", payload=page2)


def list_all(otel: Otel, **kw: Any) -> int:
    async def main() -> int:
        options = {**RECORDED, **kw}
        async with client(telemetry=otel.telemetry, retry_backoff=(0.5, 0.5), **options) as plane:
            return len([i async for i in plane.issues.list(PID, per_page=3)])

    return vclock.run(main())


def test_a_paged_list_is_one_span_with_a_client_span_per_attempt(
    mocked: aioresponses, otel: Otel
) -> None:
    two_pages_with_a_429_and_a_503(mocked)
    assert list_all(otel) == 6

    spans = otel.finished()
    (root,) = [s for s in spans if s.name == "plane.issues.list"]
    attempts = sorted((s for s in spans if s is not root), key=lambda s: s.start_time or 0)
    assert len(spans) == 5
    assert root.kind == SpanKind.INTERNAL and root.parent is None
    assert root.attributes is not None and root.attributes["plane.items"] == 6
    assert root.attributes["plane.operation"] == "issues.list"
    for span in attempts:
        assert span.name == f"GET {TEMPLATE}"
        assert span.kind == SpanKind.CLIENT
        assert span.parent is not None and span.parent.span_id == root.context.span_id
        assert span.attributes is not None
        assert span.attributes["http.request.method"] == "GET"
        assert span.attributes["url.template"] == TEMPLATE
        assert span.attributes["server.address"] == "plane.test"
        assert span.attributes["server.port"] == 443
    attrs = [dict(s.attributes or {}) for s in attempts]
    assert [a["http.response.status_code"] for a in attrs] == [429, 200, 503, 200]
    assert [a.get("http.request.resend_count") for a in attrs] == [None, 1, None, 1]
    assert [a.get("error.type") for a in attrs] == ["429", None, "503", None]
    assert [s.status.status_code for s in attempts][::2] == [StatusCode.ERROR] * 2
    assert attrs[0]["url.full"] == f"{ITEMS}?per_page=3"
    assert attrs[3]["url.full"] == f"{ITEMS}?per_page=3&cursor=3:1:0"

    # the 429's pause shows as an event and as the next attempt's limiter wait; the
    # root covers both pages and the pause
    events = {e.name: dict(e.attributes or {}) for e in root.events}
    assert events["plane.rate_limited"]["plane.retry_after"] == 2.0
    assert events["plane.limiter.wait"]["plane.limiter.wait"] >= 2.0
    assert events["plane.limiter.wait"]["plane.attempt"] == 2
    retry = events["plane.retry"]  # the last one: the 503's backoff (jittered, capped)
    assert retry["error.type"] == "503" and retry["plane.attempt"] == 1
    assert 0 <= float(retry["plane.retry.delay"]) <= 0.5
    assert [e.name for e in root.events].count("plane.retry") == 2  # the 429 and the 503
    assert root.end_time is not None and root.start_time is not None
    assert (root.end_time - root.start_time) / 1e9 >= 2.0
    assert attempts[1].start_time is not None and attempts[0].end_time is not None
    assert (attempts[1].start_time - attempts[0].end_time) / 1e9 >= 1.9


def test_metrics_count_requests_waits_429s_retries_and_items(
    mocked: aioresponses, otel: Otel
) -> None:
    two_pages_with_a_429_and_a_503(mocked)
    list_all(otel)

    metrics = otel.metrics()
    durations = metrics["http.client.request.duration"]
    by_status = {p.attributes.get("http.response.status_code"): p.count for p in durations}
    assert by_status == {429: 1, 200: 2, 503: 1}
    assert all(p.attributes["url.template"] == TEMPLATE for p in durations)
    (rate_limited,) = metrics["plane.client.rate_limited"]
    assert rate_limited.value == 1
    retries = {p.attributes["error.type"]: p.value for p in metrics["plane.client.retries"]}
    assert retries == {"429": 1, "503": 1}
    (items,) = metrics["plane.client.items"]
    assert items.value == 6 and dict(items.attributes) == {"plane.operation": "issues.list"}
    (wait,) = metrics["plane.client.limiter.wait"]
    assert wait.count == 1 and wait.sum >= 2.0  # the attempt after the 429 waited

    # no per-object cardinality: no id in any metric attribute
    for points in metrics.values():
        for point in points:
            for value in point.attributes.values():
                assert PID not in str(value) and "acme" not in str(value)


def test_the_call_span_is_a_child_of_the_callers_span(mocked: aioresponses, otel: Otel) -> None:
    mocked.get(f"{ITEMS}?per_page=3", payload={**fixture_body("work-items-list-per_page-3.json"),
                                               "next_page_results": False})  # fmt: skip
    tracer = otel.tracer_provider.get_tracer("app")

    async def main() -> None:
        async with client(telemetry=otel.telemetry) as plane:
            with tracer.start_as_current_span("handler"):
                async for _ in plane.issues.list(PID, per_page=3):
                    # the caller's own work between items is not inside the call's span
                    with tracer.start_as_current_span("work"):
                        pass

    vclock.run(main())
    spans = {s.name: s for s in otel.finished()}
    handler, listing, work = spans["handler"], spans["plane.issues.list"], spans["work"]
    assert listing.parent is not None and listing.parent.span_id == handler.context.span_id
    assert work.parent is not None and work.parent.span_id == handler.context.span_id


def test_a_failed_call_marks_its_span_and_a_raw_request_is_its_own_call(
    mocked: aioresponses, otel: Otel
) -> None:
    issue = f"{ITEMS}{PID}/"
    mocked.get(issue, status=404, payload={"error": "Issue not found"})
    mocked.get(f"{WS}projects/?search=x", payload=[])

    async def main() -> None:
        async with client(telemetry=otel.telemetry) as plane:
            with pytest.raises(NotFoundError):
                await plane.issues.get(PID, PID)
            await plane.request("GET", "workspaces/acme/projects/", params={"search": "x"})

    vclock.run(main())
    spans = {s.name: s for s in otel.finished()}
    get = spans["plane.issues.get"]
    assert get.status.status_code == StatusCode.ERROR
    assert get.attributes is not None and get.attributes["error.type"] == "NotFoundError"
    attempt = spans["GET /api/v1/workspaces/{workspace_slug}/projects/{project_id}/work-items/"
                    "{work_item_id}/"]  # fmt: skip
    assert attempt.attributes is not None and attempt.attributes["error.type"] == "404"
    raw = spans["plane.request"]
    (child,) = [s for s in otel.finished() if s.parent and s.parent.span_id == raw.context.span_id]
    assert child.name == "GET /api/v1/workspaces/{workspace_slug}/projects/"
    # query values that may hold user data are redacted
    assert child.attributes is not None
    assert child.attributes["url.full"] == f"{WS}projects/?search=REDACTED"


def test_a_call_made_inside_another_reports_to_the_outer_one(
    mocked: aioresponses, otel: Otel
) -> None:
    # upsert: POST answers 409 with the existing id, then PATCH: one call, two requests
    existing = "86f3bc45-4af1-4464-aaa8-0a5bc9432e64"
    mocked.post(ITEMS, status=409, payload={"error": "exists", "id": existing})
    mocked.patch(f"{ITEMS}{existing}/", payload=fixture_body("work-items-list-per_page-3.json")
                 ["results"][0])  # fmt: skip

    async def main() -> None:
        async with client(telemetry=otel.telemetry) as plane:
            await plane.issues.upsert(PID, external_source="jira", external_id="J-1",
                                      name="A", priority="low")  # fmt: skip

    vclock.run(main())
    spans = otel.finished()
    (root,) = [s for s in spans if s.parent is None]
    assert root.name == "plane.issues.upsert"
    assert sorted(s.name.split()[0] for s in spans if s is not root) == ["PATCH", "POST"]


def test_nothing_is_recorded_or_wrapped_when_telemetry_is_off(
    mocked: aioresponses, otel: Otel, monkeypatch: pytest.MonkeyPatch
) -> None:
    # even with global providers set, a client without telemetry= records nothing
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: otel.tracer_provider)
    two_pages_with_a_429_and_a_503(mocked)

    async def main() -> AsyncPlane:
        async with client(**RECORDED) as plane:
            assert [i async for i in plane.issues.list(PID, per_page=3)]
        return plane

    plane = vclock.run(main())
    assert otel.finished() == [] and otel.metrics() == {}
    assert "list" not in vars(plane.issues)  # the class's own method: no wrapper, no cost


def test_telemetry_true_uses_the_global_providers(
    mocked: aioresponses, otel: Otel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opentelemetry import metrics

    monkeypatch.setattr(trace, "get_tracer_provider", lambda: otel.tracer_provider)
    monkeypatch.setattr(metrics, "get_meter_provider", lambda: otel.meter_provider)
    mocked.get(f"{WS}projects/?per_page=100", payload={
        **fixture_body("projects-list-per_page-2.json"), "next_page_results": False})  # fmt: skip

    async def main() -> None:
        async with client(telemetry=True) as plane:
            assert [p async for p in plane.projects.list()]

    vclock.run(main())
    assert "plane.projects.list" in {s.name for s in otel.finished()}
    assert "http.client.request.duration" in otel.metrics()


@pytest.mark.slow
def test_no_opentelemetry_module_is_imported_unless_asked() -> None:
    code = textwrap.dedent(
        """
        import asyncio, sys
        from plane_async import AsyncPlane

        async def main():
            async with AsyncPlane(api_key="plane_api_x", workspace="w", max_retries=0,
                                  base_url="http://127.0.0.1:9") as plane:
                try:
                    await plane.users.me()
                except Exception:
                    pass
        asyncio.run(main())
        print(sorted(m for m in sys.modules if m.startswith("opentelemetry")))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_telemetry_without_opentelemetry_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    with pytest.raises(ImportError, match=r"plane-async\[otel\]"):
        AsyncPlane(api_key=KEY, workspace="acme", telemetry=True)


@pytest.mark.parametrize("value", ["yes", 1, object(), Telemetry])
def test_a_bad_telemetry_setting_is_refused(value: object) -> None:
    with pytest.raises(PlaneValueError, match="telemetry must be True"):
        AsyncPlane(api_key=KEY, workspace="acme", telemetry=value)  # type: ignore[arg-type]


def test_no_span_attribute_event_or_metric_holds_the_key(mocked: aioresponses, otel: Otel) -> None:
    two_pages_with_a_429_and_a_503(mocked)
    list_all(otel)
    spans = otel.finished()
    texts = [repr(s.to_json()) for s in spans] + [repr(otel.reader.get_metrics_data())]
    assert spans and all(KEY not in t and "X-API-Key" not in t for t in texts)


def test_a_sampled_out_call_records_no_attempt_spans_but_still_metrics(
    mocked: aioresponses,
) -> None:
    from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

    otel = Otel()
    otel.tracer_provider = TracerProvider(sampler=ALWAYS_OFF)
    otel.tracer_provider.add_span_processor(SimpleSpanProcessor(otel.spans))
    otel.telemetry = Telemetry(otel.tracer_provider, otel.meter_provider)
    two_pages_with_a_429_and_a_503(mocked)
    try:
        assert list_all(otel) == 6
        assert otel.finished() == []
        assert otel.metrics()["plane.client.items"][0].value == 6
    finally:
        otel.close()


def test_read_ahead_pages_and_pages_report_to_the_call(mocked: aioresponses, otel: Otel) -> None:
    page1 = fixture_body("work-items-list-per_page-3.json")
    page2 = dict(
        fixture_body("work-items-list-per_page-3-cursor-page2.json"), next_page_results=False
    )
    mocked.get(f"{ITEMS}?per_page=3", payload=page1)
    mocked.get(f"{ITEMS}?per_page=3&cursor=3:1:0", payload=page2)

    async def main() -> int:
        async with client(telemetry=otel.telemetry, **RECORDED) as plane:
            return sum([len(p.results) async for p in plane.issues.pages(PID, per_page=3,
                                                                         prefetch=1)])  # fmt: skip

    assert vclock.run(main()) == 6
    spans = otel.finished()
    (root,) = [s for s in spans if s.name == "plane.issues.pages"]
    children = [s for s in spans if s.parent and s.parent.span_id == root.context.span_id]
    assert len(children) == 2 and len(spans) == 3  # the read-ahead page is the call's too
    assert root.attributes is not None and root.attributes["plane.items"] == 6


def test_stopping_a_list_early_ends_its_span_without_an_error(
    mocked: aioresponses, otel: Otel
) -> None:
    mocked.get(f"{ITEMS}?per_page=3", payload=fixture_body("work-items-list-per_page-3.json"))

    async def main() -> None:
        async with client(telemetry=otel.telemetry) as plane:
            items = plane.issues.list(PID, per_page=3)
            async for _ in items:
                break
            await items.aclose()

    vclock.run(main())
    (root,) = [s for s in otel.finished() if s.name == "plane.issues.list"]
    assert root.status.status_code == StatusCode.UNSET
    assert root.attributes is not None and root.attributes["plane.items"] == 1


async def test_an_export_from_the_fake_server_is_one_call_span_per_list(otel: Otel) -> None:
    from plane_async import RateLimit
    from plane_async.testing import FakePlane, Seed

    server = FakePlane(seed=Seed(issues_per_project=25), rate_limit=None)
    plane_options = {"rate_limit": RateLimit(1000, 60.0), "telemetry": otel.telemetry}
    async with server, AsyncPlane(api_key=server.api_key, workspace=server.workspace,
                                  base_url=server.base_url, **plane_options) as plane:  # fmt: skip
        (project,) = [p async for p in plane.projects.list()]
        items = [i async for i in plane.issues.list(project.id, per_page=10, prefetch=1)]
    assert len(items) == 25

    spans = otel.finished()
    (listing,) = [s for s in spans if s.name == "plane.issues.list"]
    pages = [s for s in spans if s.parent and s.parent.span_id == listing.context.span_id]
    assert len(pages) == 3  # 10 + 10 + 5, the read-ahead ones included
    assert all(s.attributes and s.attributes["http.response.status_code"] == 200 for s in pages)
    assert all(s.attributes and s.attributes["server.address"] == "127.0.0.1" for s in pages)
    items_metric = {p.attributes["plane.operation"]: p.value
                    for p in otel.metrics()["plane.client.items"]}  # fmt: skip
    assert items_metric == {"projects.list": 1, "issues.list": 25}
