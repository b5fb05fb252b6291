"""``plane.issues``: work items (Plane renamed issues to work items; both paths work)."""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import re
import uuid
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import Any, Unpack, cast

from .._errors import NotFoundError, PaginationError, PlaneValueError, ResponseDecodeError
from .._models import Issue, Priority, SearchResult, structure_many
from .._models.writes import IssueCreateFields, IssueFields, IssueUpsertFields
from .._paging.engine import Page, iter_items
from .._paging.keyset import ISSUE_ORDERS, OrderKey, order_key
from .._paging.stream import ResultStream
from .._protocol.checks import (
    check_choice,
    check_external,
    check_id,
    check_name,
    check_update,
    order_params,
)
from .._protocol.values import writable
from .._types import IdLike, ListOptions, ReadOptions
from ._base import Resource, is_route_not_found, write_body
from ._seam import WorkItemPath

__all__ = [
    "IssuesResource",
]

_IDENTIFIER = re.compile(r"^([A-Za-z0-9_]{1,12})-(\d{1,10})$")
#: the server's order of a work-item list when no order_by is sent
_DEFAULT_ORDER = "-created_at"
_CHANGED_ORDER = "-updated_at"


_ACCEPTED = writable(IssueFields)
_IDS = frozenset({"state", "parent", "estimate_point", "type_id", "created_by"})
_ID_LISTS = frozenset({"assignees", "labels"})


def issue_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of a work-item create/update; refuses unknown names and bad ids."""
    check_choice("priority", fields.get("priority"), Priority)
    return write_body(fields, accepted=_ACCEPTED, ids=_IDS, id_lists=_ID_LISTS, what="Issue")


class IssuesResource(Resource):
    """Work items of a project: list, read, create, update, delete, look up, import."""

    def _path(self, project_id: IdLike, *rest: IdLike) -> WorkItemPath:
        pid = check_id(project_id, "project_id")
        extra = tuple(check_id(r, "issue_id") for r in rest)
        return lambda segment: self._project_path(pid, segment, *extra)

    def list(
        self,
        project_id: IdLike,
        *,
        order_by: str | None = None,
        external_source: str | None = None,
        external_id: str | None = None,
        **options: Unpack[ListOptions],
    ) -> AsyncGenerator[Issue]:
        """Every work item of the project, across pages (newest first).

        ``order_by``: a field, ``"-"`` first for descending (``"-priority"`` is urgent
        last, ``"state__group"``, ``"labels__name"``...). With ``external_source`` and
        ``external_id``: only the work item imported with them (none or one; archived,
        draft and intake items included), as ``get_by_external_id`` finds it.
        """
        path, params, lookup = self._list_request(project_id, order_by, external_source,
                                                  external_id)  # fmt: skip
        check = self._lookup_check(path, params) if lookup else None
        return self._items(Issue, path, options, params=params, paginated=not lookup,
                           not_found_empty=lookup, check_body=check,
                           order=_order(order_by, lookup))  # fmt: skip

    def pages(
        self,
        project_id: IdLike,
        *,
        order_by: str | None = None,
        external_source: str | None = None,
        external_id: str | None = None,
        **options: Unpack[ListOptions],
    ) -> AsyncGenerator[Page[Issue]]:
        """The project's work items page by page, with the envelope (totals, cursors);
        the arguments are those of ``list`` (an external-id lookup is one page)."""
        path, params, lookup = self._list_request(project_id, order_by, external_source,
                                                  external_id)  # fmt: skip
        check = self._lookup_check(path, params) if lookup else None
        return self._pages(Issue, path, options, params=params, paginated=not lookup,
                           not_found_empty=lookup, check_body=check,
                           order=_order(order_by, lookup))  # fmt: skip

    def changed_since(
        self,
        project_id: IdLike,
        since: dt.datetime,
        *,
        per_page: int | None = None,
        **options: Unpack[ReadOptions],
    ) -> AsyncGenerator[Issue]:
        """Work items created or updated at or after ``since`` (an aware datetime), the
        most recently changed first, for an incremental sync.

        Reads ``order_by=-updated_at`` and stops at the first item changed before
        ``since`` (items changed exactly at ``since`` are included), so a few changes
        cost one or two requests however large the project. Deleted items do not show
        (Plane's lists leave them out): compare ``ids()`` with what you hold to find
        them. An item changed while the sync runs may be missed by this sync; start the
        next one from the moment this one started (a little earlier, for clock skew).
        """
        if not isinstance(since, dt.datetime) or since.tzinfo is None or since.utcoffset() is None:
            raise PlaneValueError(
                "since must be a timezone-aware datetime, e.g. "
                f"datetime.now(timezone.utc) - timedelta(hours=1); got {since!r}"
            )
        list_options = cast(ListOptions, {**options, "per_page": per_page})
        pages = self._pages(
            Issue,
            self._path(project_id),
            list_options,
            params={"order_by": _CHANGED_ORDER},
            order=order_key(_CHANGED_ORDER, ISSUE_ORDERS),
        )
        return ResultStream(_changed(pages, since), "plane.issues.changed_since(...)")

    def ids(self, project_id: IdLike, *, per_page: int | None = None) -> AsyncGenerator[uuid.UUID]:
        """The id of every work item of the project (newest first), for finding deletions.

        Asks only for ``id`` (and ``created_at``, which keeps the read exact while items
        are created and deleted) in pages of the client's ``max_per_page``.
        """
        options: ListOptions = {
            "fields": ["id", "created_at"],
            "per_page": self._session.max_per_page if per_page is None else per_page,
        }
        fetch, kwargs = self._reader(
            Issue,
            self._path(project_id),
            options,
            params=None,
            paginated=True,
            order=order_key(_DEFAULT_ORDER, ISSUE_ORDERS),
        )
        return ResultStream(iter_items(fetch, _raw_id, **kwargs), "plane.issues.ids(...)")

    def _list_request(
        self,
        project_id: IdLike,
        order_by: str | None,
        external_source: str | None,
        external_id: str | None,
    ) -> tuple[WorkItemPath, dict[str, str], bool]:
        """Path, query and whether this is the external-id lookup (one object or 404)."""
        path = self._path(project_id)
        params = order_params(Issue, order_by)
        if external_source is None and external_id is None:
            return path, params, False
        if order_by is not None:
            raise PlaneValueError("order_by does not apply to an external-id lookup")
        return path, check_external(external_source, external_id), True

    async def get(
        self, project_id: IdLike, issue_id: IdLike, **options: Unpack[ReadOptions]
    ) -> Issue:
        """One work item. Archived, draft and intake items answer NotFoundError."""
        return await self._get(Issue, self._path(project_id, issue_id), options)

    async def get_by_identifier(self, identifier: str, **options: Unpack[ReadOptions]) -> Issue:
        """A work item by its human identifier, e.g. ``"WEB-12"`` (project identifier and
        sequence number). An unknown project identifier answers PermissionDeniedError (403)."""
        match = _IDENTIFIER.match(identifier.strip()) if isinstance(identifier, str) else None
        if match is None:
            raise PlaneValueError(
                "identifier must look like 'WEB-12' (project identifier, '-', sequence number), "
                f"got {identifier!r}"
            )
        ident = f"{match.group(1).upper()}-{int(match.group(2))}"
        return await self._get(Issue, lambda seg: self._ws_path(seg, ident), options)

    async def get_by_external_id(
        self,
        project_id: IdLike,
        external_source: str,
        external_id: str,
        **options: Unpack[ReadOptions],
    ) -> Issue | None:
        """The work item imported with this ``external_source``/``external_id``, or None.

        Finds archived, draft and intake items too (the server's lookup is unfiltered).
        """
        params = check_external(external_source, external_id)
        path = self._path(project_id)
        try:
            issue = await self._get(Issue, path, options, params=params)
        except NotFoundError as exc:
            if is_route_not_found(exc):
                raise
            return None
        self._lookup_check(path, params)(issue.raw)
        return issue

    def _lookup_check(self, path: WorkItemPath, asked: Mapping[str, str]) -> Callable[[Any], None]:
        """A check that the body of an external-id lookup is the one work item asked for.

        A server that ignores the two parameters (an older or a different one) answers the
        whole list instead: returning it, or its envelope as a work item, would hand out
        unrelated items.
        """

        def check(body: Any) -> None:
            if isinstance(body, Mapping) and "results" in body and "id" not in body:
                count = body.get("total_results", len(body.get("results") or ()))
                problem = (
                    f"the server ignored the external-id lookup and answered a page of {count} "
                    "work items (it does not support the lookup)"
                )
            elif isinstance(body, Mapping):
                wrong = {k: body[k] for k in asked if k in body and body[k] != asked[k]}
                if not wrong:
                    return
                problem = f"the server answered a work item with {wrong}"
            else:
                return  # a list or null is refused by the structure checks
            raise ResponseDecodeError(
                f"{problem}; asked for {dict(asked)}",
                status=200, method="GET", body=body,
                url=self._session.base_url + self._session.resolve(path),
            )  # fmt: skip

        return check

    async def search(
        self,
        text: str,
        *,
        project_id: IdLike | None = None,
        limit: int = 10,
        workspace_search: bool = False,
    ) -> builtins.list[SearchResult]:
        """Search work items by name, project identifier or sequence number.

        Searches one project with ``project_id``, else the whole workspace.
        """
        if not isinstance(text, str) or not text.strip():
            raise PlaneValueError("search text must be a non-empty string")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise PlaneValueError(f"limit must be an int >= 1, got {limit!r}")
        params = {"search": text, "limit": str(limit)}
        if project_id is not None and not workspace_search:
            params["project_id"] = str(check_id(project_id, "project_id"))
            params["workspace_search"] = "false"
        else:
            params["workspace_search"] = "true"

        def path(segment: str) -> str:
            return self._ws_path(segment, "search")

        body = await self._call("GET", path, params=params)
        found = self._expect(body, dict, "GET", path, 'an object {"issues": [...]}')
        issues = self._expect(found.get("issues"), list, "GET", path, "an 'issues' array")
        return structure_many(SearchResult, issues)

    async def create(
        self, project_id: IdLike, *, name: str, **fields: Unpack[IssueCreateFields]
    ) -> Issue:
        """Create a work item; only ``name`` is required. Not retried after a network fault
        (the server may already have created it) unless the client has ``retry_post=True``;
        use ``upsert`` with external ids for idempotent imports."""
        check_name(name)
        body = issue_body({"name": name, **fields})
        return await self._write(Issue, "POST", self._path(project_id), body)

    async def update(
        self, project_id: IdLike, issue_id: IdLike, **fields: Unpack[IssueFields]
    ) -> Issue:
        """Change the given fields (PATCH); ``None`` clears a field, omitted ones stay."""
        check_update(fields)
        body = issue_body(fields)
        return await self._write(Issue, "PATCH", self._path(project_id, issue_id), body)

    async def delete(self, project_id: IdLike, issue_id: IdLike) -> None:
        """Delete a work item (Plane soft-deletes it)."""
        await self._delete(self._path(project_id, issue_id))

    async def upsert(
        self,
        project_id: IdLike,
        *,
        external_source: str,
        external_id: str,
        **fields: Unpack[IssueUpsertFields],
    ) -> Issue:
        """Create the work item, or update the one already imported with these external ids.

        Safe to re-run after a failure: the create is retried on network faults because a
        repeat answers 409 with the existing id, which is then updated.
        """
        return await self._upsert(
            Issue,
            self._path(project_id),
            fields,
            external_source=external_source,
            external_id=external_id,
            existing=lambda existing_id: self._path(project_id, existing_id),
            body=issue_body,
        )


def _order(order_by: str | None, lookup: bool) -> OrderKey | None:
    if lookup:
        return None
    return order_key((order_by or _DEFAULT_ORDER).strip(), ISSUE_ORDERS)


def _raw_id(raw: Any) -> uuid.UUID:
    value = raw.get("id") if isinstance(raw, dict) else None
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        raise PaginationError(f"a work item in the list has no valid id: {raw!r}") from None


async def _changed(pages: AsyncGenerator[Page[Issue]], since: dt.datetime) -> AsyncGenerator[Issue]:
    async with contextlib.aclosing(pages):
        async for page in pages:
            for issue in page.results:
                if issue.updated_at < since:
                    return
                yield issue
