"""FakePlane's request pipeline: faults, routing, authentication, the rate limit, the
handler, and the record of every request. It answers an ``aiohttp.web.Request`` whether
it came over a socket (``FakePlane._handle``) or from the in-process exchange."""

from __future__ import annotations

import asyncio
import json
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import orjson
from aiohttp import web

from ._activity import ActivityWorker, touched_items
from ._faults import Faults
from ._objstore import PREFIX as STORAGE_PREFIX
from ._objstore import Redirect
from ._objstore import handle as serve_storage
from ._render_workspace import Renderer
from ._router import ApiError, Call, Route, server_error
from ._routes import ROUTER as _ROUTER
from ._store import Store
from ._throttle import SlidingWindow
from ._webhooks import WebhookSender

__all__ = ["BODY_LIMIT", "Pipeline", "RequestRecord"]

_PREFIX = "/api/v1/"
_PAGE_NOT_FOUND = {"error": "Page not found."}
_NO_PERMISSION = {"detail": "You do not have permission to perform this action."}
BODY_LIMIT = 5 * 1024 * 1024  # Plane's FILE_SIZE_LIMIT default
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


class Pipeline:
    """The request handling FakePlane inherits; FakePlane's constructor sets the state."""

    store: Store
    renderer: Renderer
    faults: Faults
    limiter: SlidingWindow | None
    max_per_page: int
    legacy_paths: bool
    webhooks: WebhookSender
    activity: ActivityWorker
    requests: list[RequestRecord]
    errors: list[str]
    request_hooks: list[Callable[[], None]]
    _keys: set[str]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """The socket's handler: the answer, with a reset or a truncation carried out."""
        started = time.time()
        response, fault = await self.answer(request)
        status = response.status
        if fault == "reset":
            status = 0
            if request.transport is not None:
                request.transport.abort()
        elif fault == "truncate":
            response = await self._truncate(request, response)  # type: ignore[arg-type]
        self.record(request, started, status, fault)
        return response

    async def answer(self, request: web.Request) -> tuple[web.StreamResponse, str | None]:
        """The response to ``request`` and the fault to inflict on its connection, if any
        (``"reset"``, ``"truncate"``; ``"503"`` and ``"429"`` are answered)."""
        for hook in tuple(self.request_hooks):
            hook()
        faults = self.faults
        arrival = faults.arrive(request.method, request.path, request.query)
        delay = faults.delay()
        if delay > 0:
            await asyncio.sleep(delay)
        planned = faults.planned(request.method, request.path, request.query, arrival)
        if planned == "503":
            return web.Response(status=503, body=_PROXY_503, content_type="text/html"), "503"
        response, fault = await self._dispatch(request)
        # a request of the 429 burst is answered with its 429, nothing else
        if fault is None and planned == "reset":
            fault = "reset"
        elif fault is None and planned == "truncate" and isinstance(response, web.Response):
            fault = "truncate"
        return response, fault

    def record(self, request: web.Request, started: float, status: int, fault: str | None) -> None:
        """Log the request in ``requests`` (``status`` 0: the connection was reset)."""
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
        if path.startswith(STORAGE_PREFIX):
            return await serve_storage(request, self.store.storage), None
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
        if (request.content_length or 0) > BODY_LIMIT:
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
    if isinstance(body, Redirect):
        return web.Response(status=status, headers={**(headers or {}), "Location": body.location})
    if status == 204 or body is None:
        return web.Response(status=status, headers=headers)
    return web.Response(
        status=status, body=orjson.dumps(body), content_type="application/json", headers=headers
    )
