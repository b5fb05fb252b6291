"""Fan-out: look up many work items at once from a service, over one shared client.

    PLANE_API_KEY=... PLANE_WORKSPACE=acme python examples/fanout.py WEB-1 WEB-2 WEB-404

Every lookup runs concurrently in one ``asyncio.TaskGroup``; the client's limiter keeps
them all inside Plane's rate limit (they queue instead of getting 429s). A lookup that
fails (an unknown identifier) is reported on its own and does not cancel the others.
"""

from __future__ import annotations

import asyncio
import sys
import uuid

from plane_async import APIError, AsyncPlane, NotFoundError, PermissionDeniedError
from plane_async.models import Issue


async def lookup(plane: AsyncPlane, identifier: str) -> Issue | APIError:
    """The work item, or the error that says why it could not be read."""
    try:
        return await plane.issues.get_by_identifier(
            identifier, fields=["id", "name", "state", "assignees"], expand=["state", "assignees"]
        )
    except (NotFoundError, PermissionDeniedError) as exc:
        return exc  # Plane answers 403 for an unknown project identifier


async def main(identifiers: list[str]) -> int:
    async with AsyncPlane() as plane:  # $PLANE_API_KEY, $PLANE_WORKSPACE, $PLANE_BASE_URL
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(lookup(plane, ident)) for ident in identifiers]
        by_assignee: dict[uuid.UUID, list[str]] = {}
        failed = 0
        for ident, task in zip(identifiers, tasks, strict=True):
            found = task.result()
            if isinstance(found, APIError):
                failed += 1
                print(f"{ident}: {type(found).__name__} ({found.status_code})")
                continue
            state = found.state_detail
            people = ", ".join(u.display_name for u in found.assignee_details) or "nobody"
            print(f"{ident}: {found.name} [{state.name if state else 'no state'}] -> {people}")
            for user_id in found.assignee_ids:
                by_assignee.setdefault(user_id, []).append(ident)
        print(f"{len(identifiers) - failed} found, {failed} not found, "
              f"{len(by_assignee)} assignees, {plane.stats.requests} requests")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:] or [f"WEB-{n}" for n in range(1, 21)])))
