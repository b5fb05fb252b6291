"""ETL: export every work item of a workspace to JSON Lines, resumable after a crash.

    PLANE_API_KEY=... PLANE_WORKSPACE=acme python examples/etl_export.py work-items.jsonl

Each line is one work item as Plane sent it (``to_dict``), with its state expanded, plus
the project's identifier. After every page the checkpoint file records where each project
stopped; run the same command again after a failure and it continues from there. An error
in the middle of a project carries ``.cursor``, the page to resume from.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from plane_async import AsyncPlane, Cursor, PlaneError, Query
from plane_async.models import to_dict

#: only what the export needs: fewer bytes per page, and the state as an object
QUERY = Query().fields("id", "name", "sequence_id", "priority", "state").expand("state")


def load_checkpoints(path: Path) -> dict[str, str]:
    """project id -> the cursor (as text) to resume it from; "done" when finished."""
    if not path.exists():
        return {}
    loaded: dict[str, str] = json.loads(path.read_text())
    return loaded


def save_checkpoints(path: Path, checkpoints: dict[str, str]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(checkpoints))
    tmp.replace(path)  # atomic: a crash never leaves half a checkpoint file


async def export(plane: AsyncPlane, out: Path) -> int:
    checkpoint_file = out.with_suffix(".checkpoint.json")
    checkpoints = load_checkpoints(checkpoint_file)
    written = 0
    with out.open("a", encoding="utf-8") as sink:
        async for project in plane.projects.list(fields=["id", "identifier"]):
            key = str(project.id)
            if checkpoints.get(key) == "done":
                continue
            start = Cursor.parse(checkpoints[key]) if key in checkpoints else None
            async for page in plane.issues.pages(project.id, query=QUERY, cursor=start):
                for issue in page.results:
                    state = issue.state_detail  # a StateLite: the query expands it
                    row = {
                        "project": project.identifier,
                        "key": f"{project.identifier}-{issue.sequence_id}",
                        "state_name": state.name if state is not None else None,
                        "item": to_dict(issue),
                    }
                    sink.write(json.dumps(row) + "\n")
                written += len(page.results)
                sink.flush()
                checkpoints[key] = str(page.resume_cursor)
                save_checkpoints(checkpoint_file, checkpoints)
            checkpoints[key] = "done"
            save_checkpoints(checkpoint_file, checkpoints)
    return written


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="work-items.jsonl", type=Path)
    parser.add_argument("--max-retries", type=int, default=3, help="per request (default 3)")
    args = parser.parse_args(argv)
    out: Path = args.out
    # $PLANE_API_KEY, $PLANE_WORKSPACE, $PLANE_BASE_URL
    async with AsyncPlane(max_retries=args.max_retries) as plane:
        try:
            written = await export(plane, out)
        except PlaneError as exc:
            where = f" (resume from cursor {exc.cursor})" if exc.cursor is not None else ""
            print(f"export stopped: {type(exc).__name__}: {exc}{where}", file=sys.stderr)
            print("run the same command again to continue", file=sys.stderr)
            return 1
    print(f"{written} work items written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
