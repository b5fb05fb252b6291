"""Sending requests: the client's session and its lifecycle, the limiter and the retry loop.

One HTTP exchange (the aiohttp call, reading and decoding the body) is in ``_http.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from .._errors import ClientClosedError, PlaneValueError, RateLimitError, ResponseDecodeError
from .._observability.bus import Exchange, Hooks, Observer, Observers
from .._observability.logs import LogObserver
from .._protocol import wire as proto
from .._protocol.checks import check_positive_number
from .._ratelimit.limiter import Limiter, SlotHandle
from .._secret import redact_url
from .._version import __version__
from .exchange import Attempt, client_timeout, decode, new_session, send_once, text
from .wait_budget import Budget, over_budget, retry_after_estimate

if TYPE_CHECKING:
    import aiohttp

logger = logging.getLogger("plane_async")

USER_AGENT = f"plane-async/{__version__}"


@attrs.frozen
class Response:
    """A decoded response: ``body`` is the parsed JSON, or None for an empty body."""

    method: str
    url: str
    status: int
    headers: Mapping[str, str]
    body: Any


@attrs.frozen
class TransportSettings:
    """A client's checked settings; the defaults are AsyncPlane's and RateLimit's."""

    base_url: str  # normalised, ends with /api/v1/
    api_key: str = attrs.field(repr=False)
    max_retries: int
    timeout: float | None
    connect_timeout: float | None
    retry_post: bool
    max_retry_after: float
    max_response_bytes: int
    verify_ssl: bool
    proxy: str | None = attrs.field(repr=lambda url: repr(url and redact_url(url)))
    backoff_base: float
    backoff_cap: float
    #: seconds a whole call may take, limiter queue and retry pauses included (None: no bound)
    wait_budget: float | None = None


@attrs.define
class RequestStats:
    """Counters of what a client sent: attempts (retries included), retries, 429s, failures."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    transport_errors: int = 0


class Transport:
    """Sends requests through the limiter with retries; one aiohttp session per client."""

    def __init__(
        self,
        settings: TransportSettings,
        limiter: Callable[[], Limiter],
        *,
        session: aiohttp.ClientSession | None = None,
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
        self._session = session
        self._owns_session = session is None
        self._session_loop: weakref.ref[asyncio.AbstractEventLoop] | None = None
        self._timeout: aiohttp.ClientTimeout | None = None
        self._sleep = sleep
        self._rand = rand
        self._closed = False
        # Tasks waiting for a limiter slot or a retry: aclose() interrupts them, so a closed
        # client's queue neither hangs nor takes slots other clients of the key could use.
        self._waiting: set[asyncio.Task[Any]] = set()
        self._interrupted: set[asyncio.Task[Any]] = set()
        self.stats = RequestStats()
        #: logging first, then telemetry; told about every request (see _observe.py)
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
        session = self._session
        return self._owns_session and session is not None and not session.closed

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

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosedError("this AsyncPlane is closed; create a new one")
        s = self.settings
        if self._timeout is None:
            self._timeout = client_timeout(s.timeout, s.connect_timeout)
        loop = asyncio.get_running_loop()
        if self._session is not None:
            self._check_session_loop(self._session, loop)
            return self._session
        self._session = new_session(verify_ssl=s.verify_ssl, timeout=self._timeout)
        self._session_loop = weakref.ref(loop)
        return self._session

    def _check_session_loop(
        self, session: aiohttp.ClientSession, loop: asyncio.AbstractEventLoop
    ) -> None:
        """An aiohttp session only works on the loop it was made on: say so clearly."""
        if self._owns_session:
            owner = self._session_loop() if self._session_loop is not None else None
            if owner is not loop:
                raise ClientClosedError(
                    "this AsyncPlane opened its connections in another event loop (a second "
                    "asyncio.run()?); a client belongs to one loop: create it inside the "
                    "coroutine that uses it, with `async with AsyncPlane(...)`"
                )
        elif getattr(session, "_loop", loop) is not loop:
            raise PlaneValueError(
                "the aiohttp session passed as session= belongs to another event loop; "
                "create it inside the loop that runs this client"
            )

    async def aclose(self) -> None:
        """Close the session we created (never a caller's). Idempotent.

        Requests still waiting for a limiter slot or a retry raise ClientClosedError at
        once, taking no slot; requests in flight on our own session are aborted.
        """
        if self._closed:
            return
        self._closed = True
        for task in list(self._waiting):
            self._interrupted.add(task)
            task.cancel()
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

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
            response = await self._request(ex, method, path, params=params, json=json,
                                           timeout=timeout, retry_post=retry_post,
                                           metered=metered, budget=budget)  # fmt: skip
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
        *,
        params: Mapping[str, str] | None,
        json: Any,
        timeout: float | None,
        retry_post: bool | None,
        metered: bool,
        budget: Budget | None,
    ) -> Response:
        s = self.settings
        method = method.upper()
        session = self._get_session()
        url = s.base_url + path
        may_retry = proto.can_retry_method(
            method, retry_post=s.retry_post if retry_post is None else retry_post
        )
        # Always explicit: a caller's session= has its own default timeout, and the
        # client's timeout= must apply to it too.
        request_timeout = self._timeout
        if timeout is not None:
            timeout = check_positive_number(timeout, "timeout")
            request_timeout = client_timeout(timeout, min(timeout, s.connect_timeout or timeout))
        body_bytes = None if json is None else orjson.dumps(json)
        headers = self._headers
        if body_bytes is not None:
            headers = {**headers, "Content-Type": "application/json"}
        attempt = 0
        # True once an attempt may have reached the server without its answer arriving
        uncertain = False
        while True:
            attempt += 1
            result = await self._attempt(
                session, method, url, params, body_bytes, headers, request_timeout, ex, metered,
                budget, uncertain,
            )  # fmt: skip
            await ex.received(result)
            self.stats.requests += 1
            if attempt > 1:
                self.stats.retries += 1
            if result.error is not None:
                err = result.error
                err.attempts = attempt
                self.stats.transport_errors += 1
                if self._closed:
                    # aclose() closed the session under this request: not a network fault
                    raise ClientClosedError(
                        "this AsyncPlane was closed while the request was in flight"
                    ) from err
                if may_retry and attempt <= s.max_retries:
                    uncertain = True
                    delay = self._backoff(attempt)
                    if budget is not None and budget.left() < delay:
                        raise over_budget(budget, delay, sent=True, why="a retry") from err
                    ex.retrying(type(err).__name__, delay)
                    await self._pause(delay)
                    continue
                raise err
            status = result.status
            if status == 429:
                self.stats.rate_limited += 1
            if status == 429 and metered and attempt <= s.max_retries:
                # the limiter closed its shared gate for Retry-After; the next slot waits for it
                ex.retrying("429", 0.0)
                continue
            if status in proto.RETRYABLE_STATUSES and may_retry and attempt <= s.max_retries:
                hinted = proto.parse_retry_after(result.headers)
                delay = self._backoff(attempt) if hinted is None else min(hinted, s.max_retry_after)
                uncertain = True  # a gateway may have passed the request on before failing
                if budget is not None and budget.left() < delay:
                    error = proto.error_for_status(
                        status, method=method, url=url, body=text(result.raw),
                        headers=result.headers, attempts=attempt,
                    )  # fmt: skip
                    raise over_budget(budget, delay, sent=True, why="a retry") from error
                ex.retrying(str(status), delay)
                await self._pause(delay)
                continue
            success = 200 <= status < 300  # 1xx and 3xx are not answers either
            try:
                body = decode(result.raw)
            except orjson.JSONDecodeError as exc:
                if success:
                    err = ResponseDecodeError(
                        f"the {status} response is not valid JSON ({len(result.raw)} bytes, "
                        f"starts {result.raw[:40]!r})",
                        status=status, method=method, url=url,
                        body=text(result.raw), headers=result.headers, attempts=attempt,
                    )  # fmt: skip
                    if may_retry and attempt <= s.max_retries:
                        delay = self._backoff(attempt)
                        if budget is not None and budget.left() < delay:
                            raise over_budget(budget, delay, sent=True, why="a retry") from err
                        ex.retrying(type(err).__name__, delay)
                        await self._pause(delay)
                        continue
                    raise err from exc
                body = text(result.raw)
            if not success:
                # An earlier attempt may have reached the server and deleted the object
                # before the connection failed: gone is what the caller asked for.
                if (
                    status == 404
                    and method == "DELETE"
                    and uncertain
                    and not proto.is_route_not_found(body)
                ):
                    logger.info("%s %s -> 404 on a retry: an earlier attempt deleted it",
                                method, path)  # fmt: skip
                    return Response(method=method, url=url, status=status,
                                    headers=result.headers, body=None)  # fmt: skip
                error = proto.error_for_status(
                    status, method=method, url=url, body=body, headers=result.headers,
                    attempts=attempt,
                )  # fmt: skip
                if isinstance(error, RateLimitError):
                    error.max_retry_after = s.max_retry_after
                raise error
            return Response(method=method, url=url, status=status, headers=result.headers,
                            body=body)  # fmt: skip

    def _remaining(self, headers: Mapping[str, str]) -> str:
        """The quota left, for the DEBUG log: the server's count, else the limiter's."""
        remaining = headers.get("X-RateLimit-Remaining")
        if remaining is not None:
            return remaining
        return f"{self.limiter.quota().remaining} by the client's count"

    def _backoff(self, attempt: int) -> float:
        s = self.settings
        return proto.backoff_delay(attempt, base=s.backoff_base, cap=s.backoff_cap, rand=self._rand)

    async def _attempt(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        body: bytes | None,
        headers: Mapping[str, str],
        timeout: aiohttp.ClientTimeout | None,
        ex: Exchange,
        metered: bool = True,
        budget: Budget | None = None,
        sent: bool = False,
    ) -> Attempt:
        if self._closed:  # closed during a retry pause that was not interruptible
            raise ClientClosedError("this AsyncPlane was closed while the request waited")
        if budget is None:
            return await self._attempt_now(
                session, method, url, params, body, headers, timeout, ex, metered
            )
        limiter = self.limiter if metered else None
        # A 429 pause or a queue that outlasts what is left: answer now, not at the deadline.
        if limiter is not None:
            expected = retry_after_estimate(limiter.quota())
            if expected > budget.left():
                raise over_budget(budget, expected, sent=sent, why="a rate-limit slot")
        admitted: list[bool] = []
        try:
            async with asyncio.timeout_at(budget.deadline) as bound:
                return await self._attempt_now(
                    session, method, url, params, body, headers, timeout, ex, metered, admitted
                )
        except TimeoutError:
            if not bound.expired():
                raise
            if admitted:
                raise over_budget(budget, 0.0, sent=True, why="the answer") from None
            wait = 0.0 if limiter is None else retry_after_estimate(limiter.quota())
            raise over_budget(budget, wait, sent=sent, why="a rate-limit slot") from None

    async def _attempt_now(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        body: bytes | None,
        headers: Mapping[str, str],
        timeout: aiohttp.ClientTimeout | None,
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
            lease = timeout.total if timeout is not None else None
            async with self.limiter.slot(timeout=lease) if metered else _unmetered() as slot:
                admitted = True
                if admitted_out is not None:
                    admitted_out.append(True)
                self._waiting.discard(task)
                # The client may have been closed while this call waited for its slot;
                # aiohttp would raise a bare RuntimeError("Session is closed").
                if self._closed:
                    raise ClientClosedError("this AsyncPlane was closed while the request waited")
                if session.closed:
                    raise ClientClosedError("the aiohttp session passed as session= is closed")
                await ex.admitted()
                s = self.settings
                out = await send_once(
                    session, slot, method, url, params=params, body=body, headers=headers,
                    timeout=timeout, proxy=s.proxy, max_bytes=s.max_response_bytes,
                )  # fmt: skip
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
