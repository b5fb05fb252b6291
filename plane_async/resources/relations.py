"""``plane.relations``: how work items relate (blocking, duplicates, date order)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable

from .._errors import NotFoundError, PlaneValueError
from .._models import RelatedIssue, Relations, RelationType, structure, structure_many
from .._protocol.checks import check_id, issue_id_list
from .._types import IdLike
from ._base import Resource, is_route_not_found

__all__ = ["RelationsResource"]

_TYPES = [t.value for t in RelationType]


def check_relation_type(relation_type: object) -> RelationType:
    """One of Plane's eight relation types, else PlaneValueError listing them."""
    if isinstance(relation_type, str) and relation_type in _TYPES:
        return RelationType(relation_type)
    raise PlaneValueError(f"relation_type must be one of {_TYPES}, got {relation_type!r}")


class RelationsResource(Resource):
    """Relations between work items (Plane 1.3.0 and later). Community Edition has no
    call that removes a relation."""

    def _path(self, project_id: IdLike, issue_id: IdLike) -> str:
        iid = check_id(issue_id, "issue_id")
        # only the new spelling: the relations route never had an issues/ alias
        return self._project_path(project_id, "work-items", iid, "relations")

    async def get(self, project_id: IdLike, issue_id: IdLike) -> Relations:
        """Every relation of the work item, grouped by type and seen from it:
        ``(await plane.relations.get(pid, iid)).blocked_by``."""
        path = self._path(project_id, issue_id)
        return structure(Relations, await self._send_checked("GET", path))

    async def add(
        self,
        project_id: IdLike,
        issue_id: IdLike,
        relation_type: RelationType | str,
        issue_ids: Iterable[IdLike],
    ) -> builtins.list[RelatedIssue]:
        """Relate the work item to ``issue_ids``: ``add(pid, a, "blocked_by", [b])`` means
        b blocks a. Returns the related items; relations that exist already are kept
        (safe to repeat, retried on network faults)."""
        kind = check_relation_type(relation_type)
        ids = issue_id_list(issue_ids)
        if str(check_id(issue_id, "issue_id")) in ids:
            raise PlaneValueError("a work item cannot be related to itself")
        path = self._path(project_id, issue_id)
        body = {"relation_type": kind.value, "issues": ids}
        data = await self._send_checked("POST", path, json=body)
        rows = self._expect(data, builtins.list, "POST", path, "an array of related work items")
        return structure_many(RelatedIssue, rows)

    async def _send_checked(self, method: str, path: str, json: object = None) -> object:
        try:
            return await self._call(method, path, json=json, retry_post=True)
        except NotFoundError as exc:
            if not is_route_not_found(exc):
                raise
            raise NotFoundError(
                "this server has no work-item relations endpoint (it came with Plane 1.3.0)",
                status=exc.status, method=exc.method, url=exc.url, body=exc.body,
                headers=exc.headers, attempts=exc.attempts,
            ) from exc  # fmt: skip
