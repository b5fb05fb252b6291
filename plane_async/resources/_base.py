"""What every resource namespace shares: paths, reads, pages and write bodies."""

from __future__ import annotations

import contextlib
import sys
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

from .._errors import ConflictError, NotFoundError, ResponseDecodeError
from .._models import PlaneModel, structure, structurer
from .._models.converter import unstructure_for_write
from .._models.query import build_query
from .._paging.engine import Page, iter_items, iter_pages
from .._paging.keyset import OrderKey
from .._paging.stream import ResultStream
from .._protocol import wire as proto
from .._protocol.checks import check_all_at_once, check_external, check_id, check_options
from .._protocol.values import check_write_field
from .._types import IdLike, ListOptions, ReadOptions
from ._backdate import as_stored
from ._operations import bind_operation
from ._seam import Path, Seam, WorkItemPath

M = TypeVar("M", bound=PlaneModel)


_PAGE_OPTIONS = ("per_page", "cursor", "max_items", "max_pages", "dedupe", "prefetch")
_READ_OPTIONS = ("fields", "expand", "query")


class Resource:
    """Base of the namespaces (``plane.issues``, ...): thin wrappers over the transport."""

    #: False for routes Plane does not rate-limit: they take no limiter slot
    _metered = True

    def __init__(self, session: Seam) -> None:
        self._session = session

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    # ------------------------------------------------------------------ paths

    def _ws_path(self, *segments: str | uuid.UUID) -> str:
        return proto.build_path("workspaces", self._session.workspace, *segments)

    def _project_path(self, project_id: IdLike, *segments: str | uuid.UUID) -> str:
        pid = check_id(project_id, "project_id")
        return self._ws_path("projects", pid, *segments)

    def _under_work_item(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        kind: str,
        id_name: str,
        rest: tuple[IdLike, ...] = (),
    ) -> WorkItemPath:
        """``.../<work-items|issues>/<issue_id>/<kind>/<rest...>/``; ids checked now."""
        pid = check_id(project_id, "project_id")
        iid = check_id(issue_id, "issue_id")
        extra = tuple(check_id(r, id_name) for r in rest)
        return lambda segment: self._project_path(pid, segment, iid, kind, *extra)

    # ------------------------------------------------------------------ requests

    async def _call(
        self,
        method: str,
        path: Path,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        retry_post: bool | None = None,
    ) -> Any:
        response = await self._session.send(
            method, path, params=params, json=json, retry_post=retry_post, metered=self._metered
        )
        return response.body

    def _expect(self, body: Any, kind: type, method: str, path: Path, what: str) -> Any:
        """``body`` if it is a ``kind``; else ResponseDecodeError (never an empty result)."""
        if isinstance(body, kind):
            return body
        resolved = self._session.resolve(path)
        raise ResponseDecodeError(
            f"expected {what} from {method} {resolved}, got {_json_kind(body)}",
            status=200,
            method=method,
            url=self._session.base_url + resolved,
            body=body,
        )

    async def _get(
        self,
        model: type[M],
        path: Path,
        options: ReadOptions,
        *,
        params: dict[str, str] | None = None,
    ) -> M:
        check_options(options, _READ_OPTIONS, "get")
        query_params = read_params(model, options)
        if params:
            query_params.update(params)
        body = await self._call("GET", path, params=query_params or None)
        return self._object(model, body, "GET", path)

    def _object(self, model: type[M], body: Any, method: str, path: Path) -> M:
        """``body`` as a ``model``; a single-object call needs a JSON object (a ``null``,
        an array or a string raises ResponseDecodeError now, not when a field is read)."""
        found = self._expect(body, dict, method, path, f"a {model.__name__} object")
        return structure(model, found)

    async def _write(
        self,
        model: type[M],
        method: str,
        path: Path,
        body: Mapping[str, Any],
        *,
        retry_post: bool | None = None,
    ) -> M:
        data = await self._call(method, path, json=dict(body), retry_post=retry_post)
        if method == "POST":
            data = as_stored(data, body)  # a backdated create: the stored created_at
        return self._object(model, data, method, path)

    async def _upsert(
        self,
        model: type[M],
        path: Path,
        values: Mapping[str, Any],
        *,
        external_source: str,
        external_id: str,
        existing: Callable[[uuid.UUID], Path],
        body: Callable[[Mapping[str, Any]], dict[str, Any]],
        changes_body: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
        create_errors: contextlib.AbstractContextManager[None] | None = None,
    ) -> M:
        """Create from ``values`` plus the external ids, or update the object that already
        has them: POST ``body(values + ids)`` (retried on network faults); when the server
        answers 409 naming the existing object (same external ids, or same name), PATCH
        ``changes_body(values)`` (default ``body``) to it, or just read it when there is
        nothing to change. Every body is built, and so checked, before the first request.

        ``create_errors`` wraps the POST only (e.g. a feature hint for its 400).
        """
        keys = check_external(external_source, external_id)
        create = body({**values, **keys})
        changes = (changes_body or body)(values)
        try:
            with create_errors or contextlib.nullcontext():
                return await self._write(model, "POST", path, create, retry_post=True)
        except ConflictError as exc:
            existing_id = exc.existing_id
            if existing_id is None:
                raise
        if not changes:
            return await self._get(model, existing(existing_id), {})
        return await self._write(model, "PATCH", existing(existing_id), changes)

    async def _delete(self, path: Path) -> None:
        await self._call("DELETE", path)

    def _pages(
        self,
        model: type[M],
        path: Path,
        options: ListOptions,
        *,
        params: Mapping[str, str] | None = None,
        paginated: bool = True,
        not_found_empty: bool = False,
        check_body: Callable[[Any], None] | None = None,
        order: OrderKey | None = None,
    ) -> AsyncGenerator[Page[M], None]:
        fetch, kwargs = self._reader(
            model, path, options, params=params, paginated=paginated,
            not_found_empty=not_found_empty, check_body=check_body, order=order,
        )  # fmt: skip
        return ResultStream(iter_pages(fetch, structurer(model), **kwargs), self._caller())

    def _items(
        self,
        model: type[M],
        path: Path,
        options: ListOptions,
        *,
        params: Mapping[str, str] | None = None,
        paginated: bool = True,
        not_found_empty: bool = False,
        check_body: Callable[[Any], None] | None = None,
        order: OrderKey | None = None,
    ) -> AsyncGenerator[M, None]:
        fetch, kwargs = self._reader(
            model, path, options, params=params, paginated=paginated,
            not_found_empty=not_found_empty, check_body=check_body, order=order,
        )  # fmt: skip
        return ResultStream(iter_items(fetch, structurer(model), **kwargs), self._caller())

    def _caller(self) -> str:
        """``plane.issues.list(...)``: the public call that asked for a stream, for its
        misuse message (two frames up: the namespace method that called _items/_pages)."""
        namespace = type(self).__name__.removesuffix("Resource").lower()
        method = sys._getframe(2).f_code.co_name
        return f"plane.{namespace}.{method}(...)"

    def _reader(
        self,
        model: type[PlaneModel],
        path: Path,
        options: ListOptions,
        *,
        params: Mapping[str, str] | None,
        paginated: bool,
        not_found_empty: bool = False,
        check_body: Callable[[Any], None] | None = None,
        order: OrderKey | None = None,
    ) -> tuple[Callable[[dict[str, str]], Awaitable[Any]], dict[str, Any]]:
        """The page fetcher and the engine's arguments. ``not_found_empty``: a 404 for the
        object (not the route) is an empty list, for lookups that answer one object or 404.
        ``check_body`` sees each body first (and raises if it is not what was asked for).
        ``order``: the list's order key; its field is added to restricted ``fields``."""
        check_options(options, _PAGE_OPTIONS + _READ_OPTIONS, "list/pages")
        fixed = dict(params or {})
        fixed.update(read_params(model, options))
        if order is not None and order.parse is not None and "fields" in fixed:
            names = fixed["fields"].split(",")
            if order.field not in names:
                fixed["fields"] = ",".join([*names, order.field])
        kwargs: dict[str, Any] = {k: options[k] for k in _PAGE_OPTIONS if k in options}  # type: ignore[literal-required]
        kwargs["max_per_page"] = self._session.max_per_page
        kwargs["paginated"] = paginated
        kwargs["order"] = order
        if not paginated:
            check_all_at_once(kwargs)
            for k in ("per_page", "cursor", "prefetch"):
                kwargs.pop(k, None)

        async def fetch(page_params: dict[str, str]) -> Any:
            try:
                body = await self._call("GET", path, params={**fixed, **page_params} or None)
            except NotFoundError as exc:
                if not_found_empty and not is_route_not_found(exc):
                    return []
                raise
            if check_body is not None:
                check_body(body)
            return body

        return bind_operation(fetch), kwargs


def _json_kind(body: Any) -> str:
    """What a decoded JSON body is, in JSON's words."""
    if body is None:
        return "null"
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    return kinds.get(type(body), "a number")


def read_params(model: type[PlaneModel], options: ReadOptions | ListOptions) -> dict[str, str]:
    """``fields``/``expand`` query parameters from the options, checked against the model."""
    query = build_query(options.get("query"), options.get("fields"), options.get("expand"))
    return query.to_params(model) if query else {}


def write_body(
    fields: Mapping[str, Any],
    *,
    accepted: Mapping[str, Any],
    ids: frozenset[str] = frozenset(),
    id_lists: frozenset[str] = frozenset(),
    what: str,
) -> dict[str, Any]:
    """A JSON body from typed keyword arguments: absent means "leave as is", None clears.

    ``accepted`` maps each writable name to its type (``writable(SomeFields)``). Unknown
    names are refused (the server would silently ignore them); values of the wrong type,
    non-finite numbers and ids are checked.
    """
    return {
        name: unstructure_for_write(
            check_write_field(what, name, value, accepted, ids=ids, id_lists=id_lists)
        )
        for name, value in fields.items()
    }


def is_route_not_found(exc: NotFoundError) -> bool:
    """True when a 404 means "no such route" (Django's handler404), not "no such object"."""
    return proto.is_route_not_found(exc.body)
