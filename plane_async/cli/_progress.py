"""Progress people can trust: one bar per resource, its total known before it moves.

Three displays share one model (:class:`Bar`): ``bar`` (rich, on a terminal), ``plain``
(a line per event, for logs and CI) and ``none``. The job calls ``tick()`` from its event
loop a few times a second; the display reads the limiter's quota there, so a pause for the
rate limit shows as "waiting for the rate limit (n s)" instead of a frozen bar. The ETA
is computed from the requests a bar still needs and the rate limit (see :func:`eta`).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import IO, Any

from ..types import Quota

__all__ = [
    "Bar",
    "Display",
    "eta",
    "format_duration",
    "make_display",
    "showing",
    "wait_status",
]


def format_duration(seconds: float) -> str:
    """``"45 s"``, ``"2 min 05 s"``, ``"3 h 07 min"``."""
    s = max(0, math.ceil(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def eta(requests: int, quota: Quota, observed_per_second: float | None) -> float:
    """Seconds to send ``requests`` more: the rate limit's bound (what the window has free
    now goes at once, the next when a slot frees, then ``limit`` per ``period``), or the
    pace seen so far if that is slower."""
    if requests <= 0:
        return 0.0
    per_second = quota.limit / quota.period if quota.period > 0 else math.inf
    beyond = requests - quota.remaining
    bound = quota.paused_for
    if beyond > 0:  # the first waits for the next free slot, the rest come at the window's pace
        bound += quota.next_slot_in + (beyond - 1) / per_second
    if observed_per_second:
        bound = max(bound, requests / observed_per_second)
    return bound


def wait_status(quota: Quota) -> str:
    """What the requests are waiting for, or ``""`` when they are flowing."""
    if quota.paused_for >= 0.5:
        return f"paused after a 429 ({format_duration(quota.paused_for)})"
    if quota.waiting and quota.remaining == 0 and quota.next_slot_in >= 0.5:
        return f"waiting for the rate limit ({format_duration(quota.next_slot_in)})"
    return ""


class Bar:
    """One resource's progress. ``total`` is None until every stream's first page is in."""

    def __init__(self, name: str, unit: str, verb: str = "fetch") -> None:
        self.name = name
        self.unit = unit
        self.verb = verb
        self.total: int | None = None
        self.done = 0
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.requests_at_start = 0
        #: the requests this bar still needs (set by the job when the bar starts)
        self.requests_left: Callable[[], int] = lambda: 0
        self.resumed_from = 0

    @property
    def active(self) -> bool:
        return self.started_at is not None and self.finished_at is None


class Display:
    """``none``: keeps the figures, shows nothing. The base of the other two."""

    def __init__(
        self,
        quota: Callable[[], Quota],
        requests: Callable[[], int],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bars: list[Bar] = []
        self._quota = quota
        self._requests = requests
        self._clock = clock

    def add(self, name: str, unit: str, verb: str = "fetch") -> Bar:
        bar = Bar(name, unit, verb)
        self.bars.append(bar)
        self._added(bar)
        return bar

    def counting(self, bar: Bar) -> None:
        """The bar's first pages are being read (its total is not known yet)."""
        bar.started_at = self._clock()
        bar.requests_at_start = self._requests()
        self._changed(bar)

    def start(self, bar: Bar, total: int, done: int) -> None:
        """The total is known (``done`` of it were written by an earlier run)."""
        if bar.started_at is None:
            self.counting(bar)
        bar.total, bar.done, bar.resumed_from = max(total, done), done, done
        self._started(bar)

    def advance(self, bar: Bar, n: int) -> None:
        bar.done += n
        if bar.total is not None and bar.done > bar.total:
            bar.total = bar.done  # the resource grew during the export
        self._changed(bar)

    def finish(self, bar: Bar) -> None:
        if bar.started_at is None:
            self.counting(bar)
        bar.total = bar.done
        bar.finished_at = self._clock()
        self._finished(bar)

    def tick(self) -> None:
        """Refresh (called from the event loop a few times a second)."""

    def close(self) -> None:
        """Stop drawing (idempotent)."""

    # -- figures shared by the displays --------------------------------------------------

    def rate(self, bar: Bar) -> float | None:
        if bar.started_at is None:
            return None
        end = bar.finished_at if bar.finished_at is not None else self._clock()
        elapsed = end - bar.started_at
        return (bar.done - bar.resumed_from) / elapsed if elapsed > 0.5 else None

    def eta(self, bar: Bar) -> float:
        """Seconds until the bar is done. Bars that run at once share the rate limit (and
        the pace seen, which counts every request): the bar's own requests and theirs."""
        assert bar.started_at is not None
        elapsed = self._clock() - bar.started_at
        sent = self._requests() - bar.requests_at_start
        observed = sent / elapsed if elapsed > 2.0 and sent else None
        left = bar.requests_left() + sum(
            other.requests_left() for other in self.bars if other is not bar and other.active
        )
        return eta(left, self._quota(), observed)

    def status(self) -> str:
        return wait_status(self._quota())

    def _added(self, bar: Bar) -> None: ...
    def _started(self, bar: Bar) -> None: ...
    def _changed(self, bar: Bar) -> None: ...
    def _finished(self, bar: Bar) -> None: ...


class PlainDisplay(Display):
    """A line when a bar starts and finishes, every ``every`` seconds while it runs, and
    when a wait for the rate limit begins."""

    def __init__(
        self,
        quota: Callable[[], Quota],
        requests: Callable[[], int],
        stream: IO[str],
        clock: Callable[[], float] = time.monotonic,
        every: float = 10.0,
    ) -> None:
        super().__init__(quota, requests, clock)
        self._out = stream
        self._every = every
        self._last_line = clock()
        self._waiting = False

    def _line(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()
        self._last_line = self._clock()

    def _started(self, bar: Bar) -> None:
        again = f", {bar.done} already written" if bar.done else ""
        self._line(f"{bar.name}: {bar.total} {bar.unit} to {bar.verb}{again}")

    def _finished(self, bar: Bar) -> None:
        assert bar.started_at is not None and bar.finished_at is not None
        took = format_duration(bar.finished_at - bar.started_at)
        self._line(f"{bar.name}: {bar.done}/{bar.total} {bar.unit} done in {took}")

    def tick(self) -> None:
        status = self.status()
        if status and not self._waiting:
            self._out.write(status + "\n")  # the start of a wait (the report timer runs on)
            self._out.flush()
        self._waiting = bool(status)
        if self._clock() - self._last_line < self._every:
            return
        for bar in self.bars:
            if bar.active and bar.total is not None:
                pct = 100 * bar.done // bar.total if bar.total else 100
                rate = self.rate(bar)
                speed = f", {rate:.0f} {bar.unit}/s" if rate else ""
                wait = f", {status}" if status else ""
                self._line(f"{bar.name}: {bar.done}/{bar.total} {bar.unit} ({pct}%){speed}, "
                           f"ETA {format_duration(self.eta(bar))}{wait}")  # fmt: skip
        self._last_line = self._clock()


class RichDisplay(Display):
    """Rich bars on a terminal, redrawn by ``tick()`` (no thread of rich's own: the quota is
    read in the event loop). A wait for the rate limit shows on its own line under the
    bars, so a narrow terminal does not cut it off."""

    def __init__(
        self, quota: Callable[[], Quota], requests: Callable[[], int], stream: IO[str]
    ) -> None:
        super().__init__(quota, requests)
        # lazy: rich is an optional dependency (the cli extra); without it, plain lines
        from rich.console import Console, Group
        from rich.live import Live
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
        from rich.text import Text

        self._progress = Progress(
            TextColumn("{task.description:<18}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TextColumn("{task.fields[info]}"),
        )
        self._status = Text("", style="yellow")
        self._live = Live(
            Group(self._progress, self._status), console=Console(file=stream),
            auto_refresh=False,
        )  # fmt: skip
        self._tasks: dict[int, Any] = {}
        self._live.start()

    def _added(self, bar: Bar) -> None:
        self._tasks[id(bar)] = self._progress.add_task(
            bar.name, total=None, start=False, info="queued"
        )

    def _changed(self, bar: Bar) -> None:
        self._progress.update(self._tasks[id(bar)], total=bar.total, completed=bar.done)

    def _started(self, bar: Bar) -> None:
        self._progress.start_task(self._tasks[id(bar)])
        self._changed(bar)
        self.tick()

    def _finished(self, bar: Bar) -> None:
        self._changed(bar)
        self.tick()

    def tick(self) -> None:
        status = self.status()
        for bar in self.bars:
            self._progress.update(self._tasks[id(bar)], info=self._info(bar))
        self._status.plain = status
        self._live.refresh()

    def _info(self, bar: Bar) -> str:
        if bar.started_at is None:
            return "queued"
        rate = self.rate(bar)
        speed = f"{rate:,.0f}/s" if rate else ""
        if bar.finished_at is not None:
            return f"{speed}  done in {format_duration(bar.finished_at - bar.started_at)}"
        if bar.total is None:
            return "counting..."
        return "  ".join(p for p in (speed, f"ETA {format_duration(self.eta(bar))}") if p)

    def close(self) -> None:
        self.tick()
        self._status.plain = ""
        self._live.stop()


@contextlib.asynccontextmanager
async def showing(display: Display, every: float = 0.25) -> AsyncIterator[Display]:
    """Refresh ``display`` from the event loop while the block runs; close it after."""

    async def tick() -> None:
        while True:
            display.tick()
            await asyncio.sleep(every)

    ticker = asyncio.create_task(tick())
    try:
        yield display
    finally:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker
        display.close()


def make_display(
    mode: str, quota: Callable[[], Quota], requests: Callable[[], int], stream: IO[str] | None
) -> Display:
    """``auto`` is ``bar`` on a terminal (when rich is installed), else ``plain``."""
    out = sys.stderr if stream is None else stream
    if mode == "auto":
        mode = "bar" if out.isatty() and _has_rich() else "plain"
    if mode == "bar":
        if not _has_rich():
            out.write("progress bars need rich: pip install 'plane-async[cli]'; "
                      "showing plain lines\n")  # fmt: skip
            return PlainDisplay(quota, requests, out)
        return RichDisplay(quota, requests, out)
    if mode == "plain":
        return PlainDisplay(quota, requests, out)
    return Display(quota, requests)


def _has_rich() -> bool:
    try:  # rich is an optional dependency (the cli extra)
        import rich.progress  # noqa: F401
    except ImportError:
        return False
    return True
