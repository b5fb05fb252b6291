"""Instructions, not seconds: ``import plane_async`` and one ``plane.issues.get``, counted by
``valgrind --tool=callgrind``, for this checkout and (``--against REV``) another revision.

Seconds on a shared 2-core machine move by 10-30% from run to run; the instruction count of
the same code moves by well under 1%, so a change of a few percent (a restructure that adds
modules, a seam that adds a call per request) is visible here and lost in the timed
benchmarks. Two figures per tree:

- **import**: instructions of ``python -c "import plane_async"`` minus those of
  ``python -c pass`` (the interpreter's start-up);
- **per request**: instructions of a client process that sends 1,100 sequential
  ``plane.issues.get`` calls to FakePlane (in a child process, not counted) minus one that
  sends 100, divided by 1,000: the marginal cost of a call, set-up excluded.

``--against REV`` checks REV out into a temporary worktree (removed afterwards) and measures
it the same way, with this checkout's interpreter (the tree's own FakePlane serves it).
Not part of ``python -m benchmarks`` (it takes about three minutes a tree under valgrind).

Run: ``python -m benchmarks.bench_instructions [--against REV]``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._common import REPO_ROOT, table

FEW, MANY = 100, 1100

_CLIENT = """
import asyncio, sys, uuid
from benchmarks._common import BENCH_RATE_LIMIT, serve

async def main(n):
    from plane_async import AsyncPlane, RateLimit
    with serve(50) as server:
        async with AsyncPlane(
            api_key=server.api_key, workspace=server.workspace, base_url=server.base_url,
            rate_limit=RateLimit(BENCH_RATE_LIMIT, 60.0), max_per_page=1000,
        ) as plane:
            pid = uuid.UUID(server.project_id)
            ids = server.issue_ids
            for i in range(n):
                issue = await plane.issues.get(pid, ids[i % len(ids)])
                _ = issue.id, issue.name, issue.created_at, issue.state

asyncio.run(main(int(sys.argv[1])))
"""


def _instructions(code: str, *args: str, tree: Path) -> int:
    """Instructions callgrind counts for ``python -c code args`` in ``tree`` (the process
    itself only: a child it starts is not traced). The tree is the only path added, and
    the same way for every tree: each extra entry costs every stdlib import a lookup."""
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=str(tree))
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         "-c", code, *args],
        cwd=tree, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    match = re.search(r"Collected : (\d+)", proc.stderr)
    if match is None:
        raise RuntimeError(f"callgrind printed no count:\n{proc.stderr[-2000:]}")
    return int(match.group(1))


def measure(tree: Path) -> dict[str, int]:
    """Import and per-request instructions of the plane_async in ``tree``."""
    # Compiled first, so that no count includes writing a module's bytecode (a fresh
    # worktree has none, and compiling costs more than importing).
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(tree / "plane_async"),
         str(tree / "benchmarks")],
        check=True,
    )  # fmt: skip
    start_up = _instructions("pass", tree=tree)
    imported = _instructions("import plane_async", tree=tree)
    few = _instructions(_CLIENT, str(FEW), tree=tree)
    many = _instructions(_CLIENT, str(MANY), tree=tree)
    return {"import": imported - start_up, "request": (many - few) // (MANY - FEW)}


def _worktree(rev: str, into: Path) -> Path:
    subprocess.run(
        ["git", "-C", str(REPO_ROOT), "worktree", "add", "--detach", "--quiet", str(into), rev],
        check=True,
    )
    return into


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_instructions")
    parser.add_argument("--against", metavar="REV", help="a revision to measure beside this one")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    trees = {"this checkout": REPO_ROOT}
    scratch = Path(tempfile.mkdtemp(prefix="plane-async-rev-"))
    try:
        if args.against:
            trees = {args.against: _worktree(args.against, scratch / "tree"), **trees}
        figures = {name: measure(tree) for name, tree in trees.items()}
    finally:
        if args.against and (scratch / "tree").exists():
            subprocess.run(
                ["git", "-C", str(REPO_ROOT), "worktree", "remove", "--force",
                 str(scratch / "tree")],
                check=False,
            )  # fmt: skip
        shutil.rmtree(scratch, ignore_errors=True)
    first = next(iter(figures.values()))
    rows: list[list[object]] = [
        [
            name,
            f"{f['import'] / 1e6:,.0f}M",
            f"{f['import'] / first['import']:.3f}x",
            f"{f['request'] / 1e3:,.1f}k",
            f"{f['request'] / first['request']:.3f}x",
        ]
        for name, f in figures.items()
    ]
    print(table(["tree", "import", "vs first", "per issues.get", "vs first"], rows, "lrrrr"))


if __name__ == "__main__":
    main()
