"""``plane.estimates``: a project's estimate system and its points."""

from __future__ import annotations

import builtins
from collections.abc import AsyncGenerator, Iterable, Mapping
from typing import Any, Unpack

from .._errors import NotFoundError, PlaneValueError
from .._models import Estimate, EstimatePoint, EstimateType, structure_many
from .._models.writes import EstimateFields, EstimatePointFields
from .._protocol.checks import check_id, check_name, check_update
from .._protocol.values import writable
from .._types import IdLike
from ._base import Resource, is_route_not_found, write_body
from ._options import AllAtOnceOptions, checked
from ._seam import Path

__all__ = ["EstimateFields", "EstimatePointFields", "EstimatesResource"]

#: Plane refuses longer point values through the API
MAX_POINT_VALUE = 20


def point_body(fields: Mapping[str, Any], *, create: bool) -> dict[str, Any]:
    """A checked estimate-point body (``key`` and ``value`` required on create)."""
    if not isinstance(fields, Mapping):
        raise PlaneValueError(f"an estimate point must be a dict like {{'key': 0, 'value': '1'}}, "
                              f"got {fields!r}")  # fmt: skip
    body = write_body(fields, accepted=writable(EstimatePointFields), what="EstimatePoint")
    if create:
        missing = [k for k in ("key", "value") if k not in body]
        if missing:
            raise PlaneValueError(f"an estimate point needs {' and '.join(missing)}: {fields!r}")
    key = body.get("key")
    if "key" in body and (isinstance(key, bool) or not isinstance(key, int) or key < 0):
        raise PlaneValueError(f"key must be an int >= 0, got {key!r}")
    value = body.get("value")
    if "value" in body and (
        not isinstance(value, str) or not value.strip() or len(value) > MAX_POINT_VALUE
    ):
        raise PlaneValueError(
            f"value must be a non-empty string of at most {MAX_POINT_VALUE} characters, "
            f"got {value!r}"
        )
    return body


class EstimatesResource(Resource):
    """The project's estimate (Plane keeps one per project) and its points."""

    def _path(self, project_id: IdLike, *rest: str | IdLike) -> str:
        return self._project_path(project_id, "estimates", *_ids(rest))

    async def _call(
        self,
        method: str,
        path: Path,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        retry_post: bool | None = None,
    ) -> Any:
        try:
            return await super()._call(
                method, path, params=params, json=json, retry_post=retry_post
            )
        except NotFoundError as exc:
            if not is_route_not_found(exc):
                raise  # the project has no estimate, or no such point
            # Plane CE 1.3.1 defines the estimate routes but does not include them in its
            # urls: every estimates path is Django's plain "Page not found".
            raise NotFoundError(
                "this server has no estimates API (Plane Community Edition 1.3.1 does not "
                "route it: every estimates path answers 404 \"Page not found\"); set "
                "estimates in Plane's web app",
                status=exc.status, method=exc.method, url=exc.url, body=exc.body,
                headers=exc.headers, attempts=exc.attempts,
            ) from exc  # fmt: skip

    async def get(self, project_id: IdLike) -> Estimate:
        """The project's estimate (NotFoundError when it has none)."""
        return await self._get(Estimate, self._path(project_id), {})

    async def create(
        self,
        project_id: IdLike,
        *,
        name: str,
        type: EstimateType | str = EstimateType.CATEGORIES,
        description: str | None = None,
        points: Iterable[EstimatePointFields] | None = None,
    ) -> Estimate:
        """Create the project's estimate; ``points`` adds its points right after (checked
        before the first request; should that second request fail, the estimate stays). A
        project that already has one answers ConflictError whose ``existing_id`` is it."""
        check_name(name)
        if type not in [t.value for t in EstimateType]:
            allowed = [t.value for t in EstimateType]
            raise PlaneValueError(f"type must be one of {allowed}, got {type!r}")
        bodies = [point_body(p, create=True) for p in points] if points is not None else []
        body: dict[str, Any] = {"name": name, "type": str(type)}
        if description is not None:
            body["description"] = description
        estimate = await self._write(Estimate, "POST", self._path(project_id), body)
        if bodies:
            await self._add_points(project_id, estimate.id, bodies)
        return estimate

    async def update(self, project_id: IdLike, **fields: Unpack[EstimateFields]) -> Estimate:
        """Rename the estimate or change its description."""
        check_update(fields)
        if "name" in fields:
            check_name(fields["name"])
        body = write_body(fields, accepted=writable(EstimateFields), what="Estimate")
        return await self._write(Estimate, "PATCH", self._path(project_id), body)

    async def delete(self, project_id: IdLike) -> None:
        """Delete the project's estimate and its points."""
        await self._delete(self._path(project_id))

    # ------------------------------------------------------------------ points

    def list_points(
        self, project_id: IdLike, estimate_id: IdLike, **paging: Unpack[AllAtOnceOptions]
    ) -> AsyncGenerator[EstimatePoint]:
        """The estimate's points (one plain list, every field)."""
        path = self._path(project_id, estimate_id, "estimate-points")
        return self._items(EstimatePoint, path, checked(paging, AllAtOnceOptions), paginated=False)

    async def add_points(
        self, project_id: IdLike, estimate_id: IdLike, points: Iterable[EstimatePointFields]
    ) -> builtins.list[EstimatePoint]:
        """Add points in one request: ``[{"key": 0, "value": "1"}, {"key": 1, "value": "2"}]``.
        Every point is checked before sending; an empty list is refused."""
        if isinstance(points, Mapping) or not isinstance(points, Iterable):
            raise PlaneValueError("points must be a list of {'key': ..., 'value': ...} dicts")
        bodies = [point_body(p, create=True) for p in points]
        if not bodies:
            raise PlaneValueError("points must hold at least one point")
        return await self._add_points(project_id, estimate_id, bodies)

    async def _add_points(
        self, project_id: IdLike, estimate_id: IdLike, bodies: builtins.list[dict[str, Any]]
    ) -> builtins.list[EstimatePoint]:
        path = self._path(project_id, estimate_id, "estimate-points")
        data = await self._call("POST", path, json={"estimate_points": bodies})
        rows = self._expect(data, builtins.list, "POST", path, "an array of estimate points")
        return structure_many(EstimatePoint, rows)

    async def update_point(
        self,
        project_id: IdLike,
        estimate_id: IdLike,
        point_id: IdLike,
        **fields: Unpack[EstimatePointFields],
    ) -> EstimatePoint:
        """Change a point's ``key``, ``value`` or ``description``."""
        check_update(fields)
        body = point_body(fields, create=False)
        path = self._path(project_id, estimate_id, "estimate-points", point_id)
        return await self._write(EstimatePoint, "PATCH", path, body)

    async def delete_point(self, project_id: IdLike, estimate_id: IdLike, point_id: IdLike) -> None:
        """Delete one point."""
        await self._delete(self._path(project_id, estimate_id, "estimate-points", point_id))


def _ids(rest: tuple[str | IdLike, ...]) -> tuple[str | IdLike, ...]:
    # positions 0 and 2 are ids (estimate, point); the segment name sits between them
    return tuple(
        check_id(v, "estimate_id" if i == 0 else "point_id") if i % 2 == 0 else v
        for i, v in enumerate(rest)
    )
