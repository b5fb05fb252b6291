"""Sending requests: the limiter slot, the retry loop and the client's lifecycle.

One HTTP exchange (request out, status, headers and body back) is an :class:`HttpExchange`
(``exchange.py``): aiohttp's by default (``aiohttp_exchange.py``). Whether and when to send
again is the :class:`RetryPolicy` (``retry.py``); this module only follows it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from .._errors import ClientClosedError, ResponseDecodeError, TransportError
from .._observability.bus import Attempt, Exchange, Hooks, Observer, Observers
from .._observability.logs import LogObserver
from .._protocol.checks import check_positive_number
from .._ratelimit.limiter import Limiter, SlotHandle
from .aiohttp_exchange import AiohttpExchange
from .answer import answer, error_for
from .body import text
from .exchange import HttpExchange, HttpRequest, NotSent
from .retry import RetryPolicy
from .values import USER_AGENT, RequestStats, Response, TransportSettings
from .wait_budget import Budget, over_budget, retry_after_estimate

if TYPE_CHECKING:
    import aiohttp

# the value types are re-exported: the client and the public root import them from here
__all__ = ["RequestStats", "Response", "Transport", "TransportSettings"]


class Transport:
    """Sends requests through the limiter with retries, over one exchange per client."""

    def __init__(
        self,
        settings: TransportSettings,
        limiter: Callable[[], Limiter],
        *,
        session: aiohttp.ClientSession | None = None,
        exchange: HttpExchange | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        observers: Sequence[Observer] = (),
        hooks: Hooks | None = None,
    ) -> None:
        self.settings = settings
        self._limiter_factory = limiter
        # (loop, limiter): the in-process limiter belongs to one event loop, and a client
        # may be used by a second asyncio.run() before it ever opened a session.
        self._limiter: tuple[weakref.ref[asyncio.AbstractEventLoop], Limiter] | None = None
        #: the aiohttp exchange: the API's unless ``exchange`` is given, and object storage's
        self.http = AiohttpExchange(
            timeout=settings.timeout,
            connect_timeout=settings.connect_timeout,
            verify_ssl=settings.verify_ssl,
            proxy=settings.proxy,
            session=session,
        )
        #: where API requests go (``http`` unless another exchange was given)
        self.exchange: HttpExchange = self.http if exchange is None else exchange
        self.retry = RetryPolicy(
            max_retries=settings.max_retries,
            retry_post=settings.retry_post,
            backoff_base=settings.backoff_base,
            backoff_cap=settings.backoff_cap,
            max_retry_after=settings.max_retry_after,
            rand=rand,
        )
        self._sleep = sleep
        self._closed = False
        # Tasks waiting for a limiter slot or a retry: aclose() interrupts them, so a closed
        # client's queue neither hangs nor takes slots other clients of the key could use.
        self._waiting: set[asyncio.Task[Any]] = set()
        self._interrupted: set[asyncio.Task[Any]] = set()
        self.stats = RequestStats()
        #: logging first, then telemetry; told about every request (see _observability/)
        self.observers = Observers((LogObserver(self._remaining), *observers), hooks)
        self._headers = {
            "X-API-Key": settings.api_key,
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }

    def __repr__(self) -> str:
        settings = getattr(self, "settings", None)
        return f"Transport(base_url={settings.base_url if settings else None!r})"

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def holds_connections(self) -> bool:
        """True while a session this transport opened (not a caller's) is still open."""
        return self.http.holds_connections

    @property
    def limiter(self) -> Limiter:
        """The limiter for the running event loop (needs one running)."""
        loop = asyncio.get_running_loop()
        cached = self._limiter
        if cached is not None and cached[0]() is loop:
            return cached[1]
        limiter = self._limiter_factory()
        self._limiter = (weakref.ref(loop), limiter)
        return limiter

    def _check_open(self) -> None:
        """ClientClosedError once closed; the aiohttp session's event-loop check, up front."""
        if self._closed:
            raise ClientClosedError("this AsyncPlane is closed; create a new one")
        if self.exchange is self.http:
            self.http.session()

    async def aclose(self) -> None:
        """Close the connections we opened (never a caller's session). Idempotent.

        Requests still waiting for a limiter slot or a retry raise ClientClosedError at
        once, taking no slot; requests in flight on our own session are aborted.
        """
        if self._closed:
            return
        self._closed = True
        for task in list(self._waiting):
            self._interrupted.add(task)
            task.cancel()
        await self.http.aclose()
        if self.exchange is not self.http:
            await self.exchange.aclose()

    def _closed_while_waiting(self, task: asyncio.Task[Any] | None) -> bool:
        """True if aclose() (and nobody else) cancelled ``task``; undoes that cancel."""
        if task is None or task not in self._interrupted:
            return False
        self._interrupted.discard(task)
        task.uncancel()
        return task.cancelling() == 0

    async def _pause(self, delay: float) -> None:
        """Sleep before a retry; aclose() cuts it short with ClientClosedError."""
        task = asyncio.current_task()
        if task is not None:
            self._waiting.add(task)
        try:
            await self._sleep(delay)
        except asyncio.CancelledError:
            if self._closed_while_waiting(task):
                raise ClientClosedError("this AsyncPlane was closed during a retry") from None
            raise
        finally:
            self._waiting.discard(task)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        timeout: float | None = None,
        retry_post: bool | None = None,
        metered: bool = True,
        wait_budget: float | None = None,
    ) -> Response:
        """Send ``method path`` (relative to /api/v1/) and return the decoded response.

        Raises the APIError family for error statuses and TransportError for network
        faults, once retries are used up. ``metered=False``: a route Plane does not
        rate-limit (its ViewSets: stickies, invitations) takes no limiter slot.
        ``wait_budget`` (seconds; the client's when None) bounds the whole call:
        WaitBudgetExceededError once it runs out.
        """
        ex = self.observers.begin(method.upper(), path, params)
        seconds = self.settings.wait_budget if wait_budget is None else wait_budget
        budget = None if seconds is None else Budget.start(seconds)
        try:
            if timeout is not None:
                timeout = check_positive_number(timeout, "timeout")
            response = await self._request(ex, method.upper(), path, params, json, timeout,
                                           retry_post, metered, budget)  # fmt: skip
        except BaseException as exc:
            ex.finished(exc)
            raise
        ex.finished(None)
        return response

    async def _request(
        self,
        ex: Exchange,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        json: Any,
        timeout: float | None,
        retry_post: bool | None,
        metered: bool,
        budget: Budget | None,
    ) -> Response:
        """The retry loop: send, ask the policy, pause, send again; decode the answer."""
        self._check_open()
        s, policy = self.settings, self.retry
        url = s.base_url + path
        repeatable = policy.repeatable(method, retry_post)
        body = None if json is None else orjson.dumps(json)
        headers = self._headers
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        request = HttpRequest(method, url, params=params, headers=headers, body=body,
                              timeout=timeout, max_bytes=s.max_response_bytes)  # fmt: skip
        attempt = 0
        # True once an attempt may have reached the server without its answer arriving
        uncertain = False
        while True:
            attempt += 1
            result = await self._attempt(request, ex, metered, budget, uncertain)
            await ex.received(result)
            stats = self.stats  # counted here, not in a helper: this runs per request
            stats.requests += 1
            if attempt > 1:
                stats.retries += 1
            if result.error is not None:
                stats.transport_errors += 1
                err = result.error
                err.attempts = attempt
                if self._closed:
                    # aclose() closed the session under this request: not a network fault
                    raise ClientClosedError(
                        "this AsyncPlane was closed while the request was in flight"
                    ) from err
                delay = policy.after_fault(attempt, repeatable)
                if delay is None:
                    raise err
                uncertain = True
                await self._retry(ex, type(err).__name__, delay, budget, err)
                continue
            status = result.status
            if status == 429:
                stats.rate_limited += 1
            delay = policy.after_status(attempt, status, result.headers,
                                        repeatable=repeatable, metered=metered)  # fmt: skip
            if delay is not None and status == 429:
                # the limiter closed its shared gate for Retry-After; the next slot waits for it
                ex.retrying("429", 0.0)
                continue
            if delay is not None:
                uncertain = True  # a gateway may have passed the request on before failing
                error = error_for(request, result, attempt, text(result.raw), s.max_retry_after)
                await self._retry(ex, str(status), delay, budget, error)
                continue
            try:
                return answer(request, result, attempt, uncertain, policy, s)
            except ResponseDecodeError as err:
                delay = policy.after_fault(attempt, repeatable)
                if delay is None:
                    raise
                await self._retry(ex, type(err).__name__, delay, budget, err)

    async def _retry(
        self, ex: Exchange, reason: str, delay: float, budget: Budget | None, cause: Exception
    ) -> None:
        """Pause ``delay`` seconds before the next attempt, if the wait budget allows."""
        if budget is not None and budget.left() < delay:
            raise over_budget(budget, delay, sent=True, why="a retry") from cause
        ex.retrying(reason, delay)
        await self._pause(delay)

    def _remaining(self, headers: Mapping[str, str]) -> str:
        """The quota left, for the DEBUG log: the server's count, else the limiter's."""
        remaining = headers.get("X-RateLimit-Remaining")
        if remaining is not None:
            return remaining
        return f"{self.limiter.quota().remaining} by the client's count"

    async def _attempt(
        self,
        request: HttpRequest,
        ex: Exchange,
        metered: bool = True,
        budget: Budget | None = None,
        sent: bool = False,
    ) -> Attempt:
        if self._closed:  # closed during a retry pause that was not interruptible
            raise ClientClosedError("this AsyncPlane was closed while the request waited")
        if budget is None:
            return await self._attempt_now(request, ex, metered)
        limiter = self.limiter if metered else None
        # A 429 pause or a queue that outlasts what is left: answer now, not at the deadline.
        if limiter is not None:
            expected = retry_after_estimate(limiter.quota())
            if expected > budget.left():
                raise over_budget(budget, expected, sent=sent, why="a rate-limit slot")
        admitted: list[bool] = []
        try:
            async with asyncio.timeout_at(budget.deadline) as bound:
                return await self._attempt_now(request, ex, metered, admitted)
        except TimeoutError:
            if not bound.expired():
                raise
            if admitted:
                raise over_budget(budget, 0.0, sent=True, why="the answer") from None
            wait = 0.0 if limiter is None else retry_after_estimate(limiter.quota())
            raise over_budget(budget, wait, sent=sent, why="a rate-limit slot") from None

    async def _attempt_now(
        self,
        request: HttpRequest,
        ex: Exchange,
        metered: bool,
        admitted_out: list[bool] | None = None,
    ) -> Attempt:
        task = asyncio.current_task()
        admitted = False
        if task is not None:
            self._waiting.add(task)
        ex.queued()
        try:
            lease = request.timeout if request.timeout is not None else self.settings.timeout
            async with self.limiter.slot(timeout=lease) if metered else _unmetered() as slot:
                admitted = True
                if admitted_out is not None:
                    admitted_out.append(True)
                self._waiting.discard(task)
                # The client may have been closed while this call waited for its slot;
                # aiohttp would raise a bare RuntimeError("Session is closed").
                if self._closed:
                    raise ClientClosedError("this AsyncPlane was closed while the request waited")
                await ex.admitted()
                # One exchange inside the slot (inline: this runs per request); network
                # faults come back in ``out.error``.
                out = Attempt()
                started = time.perf_counter()  # after the limiter: the log shows the server's
                try:
                    reply = await self.exchange.send(request)
                except NotSent as unsent:
                    slot.unsent()  # no connection, so nothing reached the server to count
                    out.error = unsent.error
                except TransportError as exc:
                    out.error = exc
                else:
                    out.status, out.headers, out.raw = reply.status, reply.headers, reply.body
                out.elapsed = time.perf_counter() - started
                if out.error is None:
                    slot.observe(out.status, out.headers)
        except asyncio.CancelledError:
            if not admitted and self._closed_while_waiting(task):
                raise ClientClosedError(
                    "this AsyncPlane was closed while the request waited for a slot"
                ) from None
            raise
        finally:
            self._waiting.discard(task)
        return out


class _NoSlot:
    """The slot of a request Plane does not count: nothing to report."""

    __slots__ = ()

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        pass

    def unsent(self) -> None:
        pass


_NO_SLOT = _NoSlot()


@contextlib.asynccontextmanager
async def _unmetered() -> AsyncIterator[SlotHandle]:
    yield _NO_SLOT
