"""OpenTelemetry spans and metrics, as an observer of the transport (``_observe.py``).

``opentelemetry-api`` is optional (``pip install 'plane-async[otel]'``): it is imported
only when a client is created with ``telemetry=``, in :func:`otel_observer`, the one
import guard. Spans follow the HTTP client semantic conventions: a span per logical call
(``plane.issues.list``, kind INTERNAL) whose children are one CLIENT span per HTTP
attempt, named ``GET /api/v1/workspaces/{workspace_slug}/projects/{project_id}/``.
No attribute carries the API key; query values other than paging and field names are
redacted from ``url.full``; metric attributes hold templates, never ids.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import attrs

from .._errors import PlaneValueError
from .._protocol import wire as proto
from .._version import __version__
from .bus import Exchange, Operation

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import Span, TracerProvider

    from .bus import Attempt

__all__ = ["Telemetry", "otel_observer"]

#: query parameters whose values are shown in ``url.full``; any other value is REDACTED
#: (search text and external ids are user data)
SAFE_QUERY = frozenset(
    {"per_page", "cursor", "fields", "expand", "order_by", "limit", "workspace_search"}
)
#: the semantic conventions' advice for http.client.request.duration, in seconds
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)
WAIT_BUCKETS = (0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
#: a limiter wait shorter than this is no wait (no span event, no measurement): most
#: requests pass at once, and a measurement costs ~5 µs of CPU in the SDK
MIN_WAIT = 0.001


@attrs.frozen
class Telemetry:
    """OpenTelemetry for a client: ``AsyncPlane(telemetry=Telemetry(...))``.

    ``telemetry=True`` is ``Telemetry()``: the global tracer and meter providers (those
    your application set up). Give providers here to use others; ``traces=False`` or
    ``metrics=False`` turns one half off.
    """

    tracer_provider: TracerProvider | None = None
    meter_provider: MeterProvider | None = None
    traces: bool = True
    metrics: bool = True

    @classmethod
    def of(cls, value: object) -> Telemetry | None:
        """The setting for ``telemetry=``: True, False/None or a Telemetry."""
        if value is None or value is False:
            return None
        if value is True:
            return cls()
        if isinstance(value, cls):
            return value if value.traces or value.metrics else None
        raise PlaneValueError(
            "telemetry must be True (the global OpenTelemetry providers), False, or "
            f"plane_async.Telemetry(tracer_provider=..., meter_provider=...), got {value!r}"
        )

    def observer(self, base_url: str) -> OTelObserver:
        """The transport's observer; ImportError naming the extra if OpenTelemetry is absent."""
        return otel_observer(self, base_url)


def otel_observer(settings: Telemetry, base_url: str) -> OTelObserver:
    """The observer for ``settings``; ImportError naming the extra if OpenTelemetry is absent."""
    try:
        from opentelemetry import metrics, trace
    except ImportError as exc:
        raise ImportError(
            "telemetry= needs the OpenTelemetry API: pip install 'plane-async[otel]'"
        ) from exc
    tracer = meter = None
    if settings.traces:
        tracer_provider = settings.tracer_provider or trace.get_tracer_provider()
        tracer = tracer_provider.get_tracer("plane_async", __version__)
    if settings.metrics:
        meter_provider = settings.meter_provider or metrics.get_meter_provider()
        meter = meter_provider.get_meter("plane_async", __version__)
    return OTelObserver(tracer, meter, base_url)


@attrs.define(slots=True)
class _Scope:
    """A call's span and the clock its children's times are read on."""

    span: Span | None
    context: Any
    anchor_ns: int
    anchor: float
    recording: bool = True
    flushed_items: int = 0

    def ns(self, t: float) -> int:
        """Loop time ``t`` as epoch nanoseconds (spans of one call share one clock)."""
        return self.anchor_ns + int((t - self.anchor) * 1e9)


class OTelObserver:
    """Spans, span events and metrics of a client's calls and requests."""

    def __init__(self, tracer: Any, meter: Any, base_url: str) -> None:
        from opentelemetry import trace

        self._trace = trace
        self._tracer = tracer
        self._internal = trace.SpanKind.INTERNAL
        self._client = trace.SpanKind.CLIENT
        self._in_context = trace.set_span_in_context
        #: per call name: its span's name and attributes (made once, never changed)
        self._calls: dict[str, tuple[str, dict[str, Any]]] = {}
        #: per (method, path template, status) of a response: the attempt's attributes
        #: (shared by its measurements, never changed) and its span's name
        self._attempts: dict[tuple[str, str, int], tuple[dict[str, Any], str]] = {}
        parts = urlsplit(base_url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._prefix = parts.path  # "/api/v1/"
        self._server = {
            "server.address": parts.hostname or "",
            "server.port": parts.port or (443 if parts.scheme == "https" else 80),
        }
        self._metrics = meter is not None
        if meter is None:
            return
        self._duration = meter.create_histogram(
            "http.client.request.duration", unit="s",
            description="Duration of HTTP client requests (each attempt).",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )  # fmt: skip
        self._wait = meter.create_histogram(
            "plane.client.limiter.wait", unit="s",
            description="Time requests waited for the rate limiter (429 pauses included), "
            "for waits of 1 ms or more.",
            explicit_bucket_boundaries_advisory=WAIT_BUCKETS,
        )  # fmt: skip
        self._rate_limited = meter.create_counter(
            "plane.client.rate_limited", unit="{response}",
            description="429 responses received.",
        )  # fmt: skip
        self._retries = meter.create_counter(
            "plane.client.retries", unit="{retry}",
            description="Requests sent again, by reason (status code or error type).",
        )  # fmt: skip
        self._items = meter.create_counter(
            "plane.client.items", unit="{item}",
            description="Items yielded by list and pages calls.",
        )  # fmt: skip

    # ------------------------------------------------------------------ calls

    def _scope(self, operation: str) -> _Scope:
        now = asyncio.get_running_loop().time()
        anchor_ns = time.time_ns()
        if self._tracer is None:
            return _Scope(None, None, anchor_ns, now)
        call = self._calls.get(operation)
        if call is None:
            call = self._calls[operation] = (f"plane.{operation}", {"plane.operation": operation})
        span = self._tracer.start_span(call[0], kind=self._internal, attributes=call[1],
                                       start_time=anchor_ns)  # fmt: skip
        if not span.is_recording():
            # sampled out: its children would be too (the usual parent-based sampler), so
            # skip them and the events; the span is still ended
            return _Scope(span, None, anchor_ns, now, recording=False)
        return _Scope(span, self._in_context(span), anchor_ns, now)

    def _end(self, scope: _Scope, error: BaseException | None) -> None:
        if scope.span is None:
            return
        if not scope.recording:
            scope.span.end()  # records nothing: no attributes, status or end time to make
            return
        if error is not None:
            scope.span.set_attribute("error.type", type(error).__name__)
            scope.span.set_status(self._trace.StatusCode.ERROR, type(error).__name__)
        scope.span.end(end_time=scope.ns(asyncio.get_running_loop().time()))

    def operation_started(self, op: Operation) -> None:
        op.scope = self._scope(op.name)

    def operation_finished(self, op: Operation, error: BaseException | None) -> None:
        scope: _Scope = op.scope
        self._flush_items(op)
        if scope.span is not None and op.items:
            scope.span.set_attribute("plane.items", op.items)
        self._end(scope, error)

    def _flush_items(self, op: Operation) -> None:
        scope: _Scope = op.scope
        if self._metrics and op.items > scope.flushed_items:
            self._items.add(op.items - scope.flushed_items, {"plane.operation": op.name})
            scope.flushed_items = op.items

    # ------------------------------------------------------------------ requests

    def started(self, ex: Exchange) -> None:
        if ex.op is not None and ex.op.scope is not None:
            self._flush_items(ex.op)  # the items of the pages before this one
            ex.scope = ex.op.scope
        else:  # plane.request(): the request is the call
            ex.scope = self._scope("request")

    def finished(self, ex: Exchange, error: BaseException | None) -> None:
        if ex.op is None:
            self._end(ex.scope, error)

    def sending(self, ex: Exchange) -> None:
        wait = ex.limiter_wait
        if wait < MIN_WAIT:
            return
        scope: _Scope = ex.scope
        if scope.span is not None and scope.recording:
            scope.span.add_event(
                "plane.limiter.wait",
                {"plane.limiter.wait": wait, "plane.attempt": ex.attempt, "url.template":
                 self._url_template(ex)},
                timestamp=scope.ns(ex.sent_at),
            )  # fmt: skip
        if self._metrics:
            self._wait.record(wait, {"http.request.method": ex.method, **self._server})

    def received(self, ex: Exchange, out: Attempt) -> None:
        scope: _Scope = ex.scope
        if out.error is None:
            key = (ex.method, ex.template, out.status)
            cached = self._attempts.get(key)
            if cached is None:
                if len(self._attempts) >= 1024:  # templates are few; a bound all the same
                    self._attempts.clear()
                cached = self._attempts[key] = self._attempt_attributes(ex, out)
            attributes, name = cached
        else:
            attributes, name = self._attempt_attributes(ex, out)
        if self._metrics:
            self._duration.record(out.elapsed, attributes)
            if out.status == 429 and out.error is None:
                self._rate_limited.add(1, attributes)
        if scope.span is None or not scope.recording:
            return
        if out.status == 429 and out.error is None:
            pause = proto.parse_retry_after(out.headers)
            scope.span.add_event(
                "plane.rate_limited",
                {"plane.attempt": ex.attempt, "plane.retry_after": pause or 0.0},
                timestamp=scope.ns(ex.sent_at) + int(out.elapsed * 1e9),
            )  # fmt: skip
        self._attempt_span(ex, out, scope, dict(attributes), name)

    def _attempt_attributes(self, ex: Exchange, out: Attempt) -> tuple[dict[str, Any], str]:
        """An attempt's metric attributes (its span's, without the URL) and span name."""
        template = self._url_template(ex)
        attributes: dict[str, Any] = {
            "http.request.method": ex.method,
            "url.template": template,
            **self._server,
        }
        if out.error is None:
            attributes["http.response.status_code"] = out.status
            if out.status >= 400:
                attributes["error.type"] = str(out.status)
        else:
            attributes["error.type"] = type(out.error).__name__
        return attributes, f"{ex.method} {template}"

    def _attempt_span(
        self, ex: Exchange, out: Attempt, scope: _Scope, attributes: dict[str, Any], name: str
    ) -> None:
        attributes["url.full"] = self._url_full(ex)
        if ex.attempt > 1:
            attributes["http.request.resend_count"] = ex.attempt - 1
        start = scope.ns(ex.sent_at)
        span = self._tracer.start_span(
            name, context=scope.context, kind=self._client, attributes=attributes,
            start_time=start,
        )  # fmt: skip
        if "error.type" in attributes:
            span.set_status(self._trace.StatusCode.ERROR, attributes["error.type"])
        span.end(end_time=start + int(out.elapsed * 1e9))

    def retrying(self, ex: Exchange, reason: str, delay: float) -> None:
        scope: _Scope = ex.scope
        if self._metrics:
            attributes = {"error.type": reason, "http.request.method": ex.method,
                          "url.template": self._url_template(ex), **self._server}  # fmt: skip
            self._retries.add(1, attributes)
        if scope.span is not None and scope.recording:
            scope.span.add_event(
                "plane.retry",
                {"error.type": reason, "plane.attempt": ex.attempt, "plane.retry.delay": delay},
                timestamp=scope.ns(ex.now()),
            )

    # ------------------------------------------------------------------ urls

    def _url_template(self, ex: Exchange) -> str:
        return self._prefix + ex.template

    def _url_full(self, ex: Exchange) -> str:
        url = self._origin + self._prefix + ex.path
        if ex.params:
            url += "?" + "&".join(f"{quote(k)}={_safe_value(k, v)}" for k, v in ex.params.items())
        return url


def _safe_value(key: str, value: str) -> str:
    return quote(value, safe=",:-_.") if key in SAFE_QUERY else "REDACTED"
