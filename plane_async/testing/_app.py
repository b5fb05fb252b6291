"""FakePlane: the aiohttp.web application, its lifecycle, and the request pipeline."""

from __future__ import annotations

import asyncio
import json
import random
import time
import traceback
import uuid
import warnings
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any

import attrs
import orjson
from aiohttp import web

from .._ratelimit.limiter import RateLimit
from . import _objstore
from ._activity import ActivityWorker, touched_items
from ._faults import Faults
from ._legacy import LegacyExtras
from ._objstore import ObjectStorage
from ._render_workspace import Renderer
from ._router import ApiError, Call, Route, server_error
from ._routes import ROUTER as _ROUTER
from ._seed import Seed, seed_store
from ._store import Store
from ._throttle import SlidingWindow
from ._webhooks import WebhookFaults, WebhookSender

__all__ = ["FakePlane", "RequestRecord"]

_PREFIX = "/api/v1/"
_PAGE_NOT_FOUND = {"error": "Page not found."}
_NO_PERMISSION = {"detail": "You do not have permission to perform this action."}
_BODY_LIMIT = 5 * 1024 * 1024  # Plane's FILE_SIZE_LIMIT default
_PROXY_503 = (
    b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
    b"<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
    b"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@attrs.frozen
class RequestRecord:
    """One request as the server saw it. ``status`` is 0 when the connection was reset;
    ``fault`` names the injected fault, if any (``"503"``, ``"reset"``, ``"truncate"``,
    ``"429"``)."""

    method: str
    path: str
    query: Mapping[str, str]
    status: int
    time: float
    fault: str | None = None


class FakePlane:
    """An in-memory Plane Community Edition server on 127.0.0.1, for tests and demos.

    ``async with FakePlane() as server:`` starts it on a free port; point a client at
    ``server.base_url`` with ``server.api_key`` and ``server.workspace``.

    Keyword arguments:

    - ``seed``: a :class:`Seed` (data size, deterministic ids); ``Seed()`` is one project
      "Website" (WEB) with 250 work items, 5 states, 4 labels, 3 modules, 2 cycles,
      2 members. ``Seed(projects=0)`` starts empty (one user).
    - ``workspace``: the workspace slug (default ``"acme"``); ``api_key``: default a new
      ``"plane_api_" + uuid4().hex``.
    - ``rate_limit``: a ``RateLimit`` (``RateLimit(30, 10.0)``: 30 requests per 10 s) or a
      ``(requests, period_seconds)`` tuple per key, Plane's sliding window (default 60 per
      60 s); ``None`` disables it (no rate headers then). A ``RateLimit``'s client-side
      ``margin`` does not apply to the server.
    - ``max_per_page``: 1000 as in CE; 100 to behave like Plane Cloud's documented limit.
    - ``latency``, ``latency_jitter``, ``fail_rate_503``, ``reset_rate``,
      ``truncate_rate``, ``burst_429``, ``burst_429_after``, ``fault_seed``: initial
      :class:`Faults`; change them at run time through ``server.faults``.
    - ``legacy_paths``: behave like an older server that only knows ``issues/``.
    - ``timezone``: the API user's timezone, which Plane renders datetimes in.
    - ``webhooks``: ``[(url, secret), ...]`` to post signed deliveries to, as Plane does,
      for the objects changed through the API; ``server.webhooks.add(url, secret)`` adds
      one while running and ``await server.webhooks.join()`` waits for the deliveries.
      ``webhook_faults``: a :class:`WebhookFaults` (delays, duplicates, lost responses).
    - ``activity_delay``: seconds before an activity (a comment, link, attachment,
      relation, module or cycle membership) moves the work item's ``updated_at``, as
      Plane's worker does it a moment after the write; ``server.activity.flush()`` runs
      the pending ones now.
    """

    def __init__(
        self,
        *,
        seed: Seed | None = None,
        workspace: str = "acme",
        api_key: str | None = None,
        rate_limit: RateLimit | tuple[int, float] | None = (60, 60.0),
        max_per_page: int = 1000,
        latency: float = 0.0,
        latency_jitter: float = 0.0,
        fail_rate_503: float = 0.0,
        reset_rate: float = 0.0,
        truncate_rate: float = 0.0,
        burst_429: int = 0,
        burst_429_after: int = 0,
        fault_seed: int = 0,
        legacy_paths: bool = False,
        timezone: str = "UTC",
        host: str = "127.0.0.1",
        port: int = 0,
        webhooks: Iterable[tuple[str, str]] = (),
        webhook_faults: WebhookFaults | None = None,
        activity_delay: float = 0.0,
        random_seed: None = None,
    ) -> None:
        if random_seed is not None:
            raise TypeError(
                "FakePlane has no random_seed=: the data's seed is seed=Seed(random_seed=...), "
                "the faults' is fault_seed=..."
            )
        rate_limit = _window(rate_limit)
        seed = Seed() if seed is None else seed
        self.workspace = workspace
        self.api_key = api_key or "plane_api_" + uuid.uuid4().hex
        self._keys = {self.api_key}
        self.store = Store(workspace=workspace, rng=random.Random(seed.random_seed))
        seed_store(self.store, seed)
        self.renderer = Renderer(self.store, zoneinfo.ZoneInfo(timezone))
        self.limiter = None if rate_limit is None else SlidingWindow(*rate_limit)
        self.max_per_page = max_per_page
        self.faults = Faults(
            fail_rate_503=fail_rate_503,
            reset_rate=reset_rate,
            truncate_rate=truncate_rate,
            burst_429=burst_429,
            burst_429_after=burst_429_after,
            latency=latency,
            latency_jitter=latency_jitter,
            random_seed=fault_seed,
        )
        self.legacy_paths = legacy_paths
        #: the webhooks and the deliveries made to them
        self.webhooks = WebhookSender(self.store, faults=webhook_faults)
        for url, secret in webhooks:
            self.webhooks.add(url, secret)
        #: Plane's activity worker: bumps ``updated_at`` of the work items written under
        self.activity = ActivityWorker(self.store, activity_delay)
        self.requests: list[RequestRecord] = []
        #: exceptions raised by the fake's own handlers (answered with a 500)
        self.errors: list[str] = []
        #: called before each request is handled (a ``ConcurrentWriter`` writes from here)
        self.request_hooks: list[Callable[[], None]] = []
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def __repr__(self) -> str:
        return f"<FakePlane {self.base_url or 'not started'} workspace={self.workspace!r}>"

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> FakePlane:
        """Start listening; sets ``base_url`` (without ``/api/v1``)."""
        if self._runner is not None:
            return self
        app = web.Application(client_max_size=_BODY_LIMIT * 2)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        self._runner = runner
        sockets = runner.addresses
        port = sockets[0][1]
        self.base_url = f"http://{self._host}:{port}"
        self.store.storage.url = self.base_url + _objstore.PREFIX + "uploads/"
        return self

    async def close(self) -> None:
        """Stop the server and drop open connections. Idempotent."""
        runner, self._runner = self._runner, None
        self.activity.cancel()
        if runner is not None:
            await runner.cleanup()
        await self.webhooks.close()

    async def __aenter__(self) -> FakePlane:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- observation ----------------------------------------------------------------------

    @property
    def open_connections(self) -> int:
        """Client connections currently open to the server."""
        runner = self._runner
        if runner is None or runner.server is None:
            return 0
        return len(runner.server.connections)

    @property
    def max_in_window(self) -> int:
        """Most requests the rate limiter saw in one window, refused ones included."""
        return 0 if self.limiter is None else self.limiter.max_in_window

    @property
    def storage(self) -> ObjectStorage:
        """The object storage file links point to: its ``objects``, the ``requests`` it
        saw, ``file_size_limit``, and ``faults`` (statuses) to inject."""
        return self.store.storage

    @property
    def extras(self) -> LegacyExtras:
        """Deprecated: the 1.2-1.3 tables are on ``store`` (``store.files``,
        ``store.invitations``...) and the object storage is ``storage``."""
        warnings.warn(
            "FakePlane.extras is deprecated: use server.store.<table> (estimates, "
            "estimate_points, relations, files, stickies, invitations) and server.storage "
            "(objects, requests, file_size_limit, faults)",
            DeprecationWarning,
            stacklevel=2,
        )
        return LegacyExtras(self.store)

    @property
    def api_url(self) -> str:
        """``base_url`` + ``/api/v1/``."""
        return self.base_url + "/api/v1/"

    def new_api_key(self) -> str:
        """Register another valid key for the same user (its own rate-limit window)."""
        key = "plane_api_" + uuid.uuid4().hex
        self._keys.add(key)
        return key

    def revoke_api_key(self, key: str) -> None:
        """Make ``key`` invalid (requests with it get Plane's 403)."""
        self._keys.discard(key)

    # -- pipeline -------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        started = time.time()
        for hook in tuple(self.request_hooks):
            hook()
        faults = self.faults
        arrival = faults.arrive(request.method, request.path, request.query)
        delay = faults.delay()
        if delay > 0:
            await asyncio.sleep(delay)
        fault: str | None = None
        planned = faults.planned(request.method, request.path, request.query, arrival)
        if planned == "503":
            response: web.StreamResponse = web.Response(
                status=503, body=_PROXY_503, content_type="text/html"
            )
            fault = "503"
        else:
            response, fault = await self._dispatch(request)
            # a request of the 429 burst is answered with its 429, nothing else
            if fault is None and planned == "reset":
                fault = "reset"
            elif fault is None and planned == "truncate" and isinstance(response, web.Response):
                fault = "truncate"
        status = response.status
        if fault == "reset":
            status = 0
            if request.transport is not None:
                request.transport.abort()
        elif fault == "truncate":
            response = await self._truncate(request, response)  # type: ignore[arg-type]
        self.requests.append(
            RequestRecord(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                status=status,
                time=started,
                fault=fault,
            )
        )
        return response

    @staticmethod
    async def _truncate(request: web.Request, full: web.Response) -> web.StreamResponse:
        body = bytes(full.body) if isinstance(full.body, bytes | bytearray) else b""
        partial = web.StreamResponse(status=full.status, headers=full.headers)
        partial.content_length = max(len(body), 2)
        await partial.prepare(request)
        await partial.write(body[: len(body) // 2])
        if request.transport is not None:
            request.transport.close()
        return partial

    async def _dispatch(self, request: web.Request) -> tuple[web.StreamResponse, str | None]:
        path = request.path
        if path.startswith(_objstore.PREFIX):
            return await _objstore.handle(request, self.store.storage), None
        if not path.startswith(_PREFIX):
            return _json(404, _PAGE_NOT_FOUND), None
        rel = path[len(_PREFIX) :]
        legacy = self.legacy_paths
        if not rel.endswith("/"):
            if _ROUTER.match(rel + "/", legacy=legacy) is None:
                return _json(404, _PAGE_NOT_FOUND), None
            location = path + "/" + (f"?{request.query_string}" if request.query_string else "")
            redirect = web.Response(status=301, content_type="text/html", charset="utf-8")
            redirect.headers["Location"] = location
            return redirect, None
        matched = _ROUTER.match(rel, legacy=legacy)
        if matched is None:
            return _json(404, _PAGE_NOT_FOUND), None
        route, params = matched
        allow = {"Allow": route.allow}
        key = request.headers.get("X-API-Key")
        if not key:
            body = {"detail": "Authentication credentials were not provided."}
            return _json(401, body, allow), None
        if key not in self._keys:
            return _json(403, {"detail": "Given API token is not valid"}, allow), None
        if "slug" in params and params["slug"] != self.store.workspace_slug:
            return _json(403, _NO_PERMISSION, allow), None
        project = None
        if route.project_scoped:
            project = self.store.project(params["pid"])
            if project is None:
                return _json(403, _NO_PERMISSION, allow), None
        if self.faults.take_forced_429():
            retry = {"Retry-After": str(self.faults.burst_retry_after)}
            return _json(429, _THROTTLED, {**allow, **retry}), "429"
        limiter = self.limiter if route.throttled else None
        verdict = limiter.check(key) if limiter is not None else None
        if verdict is not None and not verdict.allowed:
            return _json(429, _THROTTLED, {**allow, **verdict.headers()}), None
        headers = {**allow, **(verdict.headers() if verdict is not None else {})}
        status, body = await self._run(request, route, params, project)
        return _json(status, body, headers), None

    async def _run(
        self, request: web.Request, route: Route, params: dict[str, str], project: Any
    ) -> tuple[int, Any]:
        handler = route.handlers.get(request.method)
        if handler is None:
            return 405, {"detail": f'Method "{request.method}" not allowed.'}
        if (request.content_length or 0) > _BODY_LIMIT:
            return 413, {
                "error": "REQUEST_BODY_TOO_LARGE",
                "detail": "The size of the request body exceeds the maximum allowed size.",
            }
        body: Any = None
        if request.method in ("POST", "PATCH", "PUT") and request.can_read_body:
            raw = await request.read()
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError as exc:
                    return 400, {"detail": f"JSON parse error - {exc}"}
        call = Call(
            method=request.method,
            params=params,
            query=request.query,
            body=body,
            store=self.store,
            render=self.renderer,
            max_per_page=self.max_per_page,
        )
        call.project_row = project
        try:
            change = self.webhooks.before(call, request.path[len(_PREFIX) :])
            reply = handler(call)
        except ApiError as exc:
            return exc.status, exc.body
        except Exception:
            self.errors.append(traceback.format_exc())
            error = server_error()
            return error.status, error.body
        if change is not None:
            self.webhooks.after(change, *reply)
        if reply[0] < 400:
            rel = request.path[len(_PREFIX) :]
            self.activity.record(touched_items(request.method, rel, params, body))
        return reply


_THROTTLED = {"error_code": 5900, "error_message": "RATE_LIMIT_EXCEEDED"}


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    if isinstance(body, _objstore.Redirect):
        return web.Response(status=status, headers={**(headers or {}), "Location": body.location})
    if status == 204 or body is None:
        return web.Response(status=status, headers=headers)
    return web.Response(
        status=status, body=orjson.dumps(body), content_type="application/json", headers=headers
    )


def _window(rate_limit: object) -> tuple[int, float] | None:
    """``rate_limit=`` as (requests, period); TypeError naming the accepted forms."""
    if rate_limit is None:
        return None
    if isinstance(rate_limit, RateLimit):
        return rate_limit.requests, rate_limit.period
    if (
        isinstance(rate_limit, tuple)
        and len(rate_limit) == 2
        and isinstance(rate_limit[0], int)
        and isinstance(rate_limit[1], int | float)
    ):
        return rate_limit[0], float(rate_limit[1])
    raise TypeError(
        "rate_limit must be a RateLimit (e.g. RateLimit(30, 10.0)), a (requests, seconds) "
        f"tuple or None, got {rate_limit!r}"
    )
