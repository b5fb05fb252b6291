"""URL routing the way Django resolves Plane's v1 patterns, and the per-request context."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ._render_workspace import Renderer, split_param
from ._store import Project, Store

__all__ = ["ApiError", "Call", "Handler", "Route", "Router", "not_found", "server_error"]

#: Django's ``<uuid:...>`` converter: lowercase hex only.
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
_METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE")


class ApiError(Exception):
    """Raised by a handler to answer with ``status`` and a JSON ``body``."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def not_found() -> ApiError:
    return ApiError(404, {"error": "The requested resource does not exist."})


def server_error() -> ApiError:
    return ApiError(500, {"error": "Something went wrong please try again later"})


class Call:
    """What a handler sees: path parameters, query, parsed body and the server's data."""

    __slots__ = (
        "actor",
        "body",
        "max_per_page",
        "method",
        "params",
        "project_row",
        "query",
        "render",
        "store",
    )

    def __init__(
        self,
        *,
        method: str,
        params: dict[str, str],
        query: Mapping[str, str],
        body: Any,
        store: Store,
        render: Renderer,
        max_per_page: int,
    ) -> None:
        self.method = method
        self.params = params
        self.query = query
        self.body = body
        self.store = store
        self.render = render
        self.max_per_page = max_per_page
        self.actor = store.me.id if store.me is not None else None
        self.project_row: Project | None = None

    @property
    def project(self) -> Project:
        """The project of a project-scoped route (the permission check found it)."""
        if self.project_row is None:
            raise not_found()
        return self.project_row

    @property
    def data(self) -> dict[str, Any]:
        """The JSON body as a dict (DRF treats a non-object body as invalid input)."""
        if isinstance(self.body, dict):
            return self.body
        if self.body is None:
            return {}
        raise ApiError(
            400, {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}
        )

    @property
    def fields(self) -> list[str] | None:
        return split_param(self.query.get("fields"))

    @property
    def expand(self) -> list[str] | None:
        return split_param(self.query.get("expand"))

    def shape(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Apply this request's ``fields``/``expand``."""
        return self.render.shape(obj, self.fields, self.expand)


Reply = tuple[int, Any]
Handler = Callable[[Call], Reply]


class Route:
    __slots__ = ("allow", "handlers", "new_path", "pattern", "project_scoped", "throttled")

    def __init__(
        self,
        pattern: re.Pattern[str],
        handlers: dict[str, Handler],
        *,
        project_scoped: bool,
        new_path: bool,
        throttled: bool = True,
    ) -> None:
        self.pattern = pattern
        #: False for Plane's ViewSets (stickies, invitations): no rate limit, no headers
        self.throttled = throttled
        self.handlers = handlers
        self.project_scoped = project_scoped
        self.new_path = new_path
        self.allow = ", ".join(m for m in _METHOD_ORDER if m in handlers)


def _compile(template: str) -> re.Pattern[str]:
    out = []
    pos = 0
    for m in _PARAM.finditer(template):
        out.append(re.escape(template[pos : m.start()]))
        kind = m.group(2) or "str"
        out.append(f"(?P<{m.group(1)}>{_UUID if kind == 'uuid' else '[^/]+'})")
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("".join(out) + r"\Z")


class Router:
    """Routes relative to ``/api/v1/``; first match wins, as in Django's urlpatterns."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self,
        template: str,
        handlers: dict[str, Handler],
        *,
        project_scoped: bool | None = None,
        throttled: bool = True,
    ) -> None:
        """Register ``template``; ``{items}`` registers both ``work-items`` and ``issues``."""
        if project_scoped is None:
            project_scoped = "{pid:uuid}/" in template and not template.endswith("{pid:uuid}/")
        spellings = (
            [("work-items", True), ("issues", False)] if "{items}" in template else [("", False)]
        )
        for word, new_path in spellings:
            self.routes.append(
                Route(
                    _compile(template.replace("{items}", word)),
                    handlers,
                    project_scoped=project_scoped,
                    new_path=new_path,
                    throttled=throttled,
                )
            )

    def match(self, path: str, *, legacy: bool) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if legacy and route.new_path:
                continue
            m = route.pattern.match(path)
            if m is not None:
                return route, m.groupdict()
        return None
