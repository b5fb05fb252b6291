"""Import time: ``import plane_async`` vs ``import plane`` (plane-sdk) vs ``import aiohttp``.

Each import runs in a fresh interpreter (``python -c``), timed with ``time.perf_counter()``
around the import statement alone, so interpreter start-up is not counted; best of 7.
``aiohttp`` is the floor: plane_async imports it. A second pass with ``-X importtime``
lists what ``import plane_async`` spends its time on.

Run: ``python -m benchmarks.bench_import [--quick]``.
"""

from __future__ import annotations

import subprocess
import sys

from benchmarks._common import REPO_ROOT, Check, Section, run_alone, table

RUNS = 7
TARGET = 0.25
MODULES = (("plane_async", "plane_async"), ("plane-sdk 0.3.2", "plane"), ("aiohttp", "aiohttp"))

_TIMER = (
    "import time; t, c = time.perf_counter(), time.process_time(); import {module}; "
    "print(time.perf_counter() - t, time.process_time() - c)"
)


def _import_time(module: str) -> tuple[float, float] | None:
    """(wall, CPU) seconds of ``import module`` in a fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, "-c", _TIMER.format(module=module)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        return None  # not installed
    wall, cpu = proc.stdout.split()
    return float(wall), float(cpu)


def _breakdown(module: str) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Where ``import module`` spends its time, from ``-X importtime``: self time summed
    per top-level package (the module's own included), and the slowest single modules."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows: list[tuple[str, float, int]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, _, name = (part for part in line[len("import time:") :].split("|"))
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2  # 0: imported by the caller
        rows.append((name.strip(), int(own) / 1e6, depth))
    # The output is post-order (a module's imports come before its own line): the rows of
    # ``import module`` are those after the previous depth-0 line, which belong to the
    # interpreter's start-up.
    end = max(i for i, (name, _, depth) in enumerate(rows) if depth == 0 and name == module)
    start = max((i for i, row in enumerate(rows[:end]) if row[2] == 0), default=-1) + 1
    mine = rows[start : end + 1]
    packages: dict[str, float] = {}
    for name, own, _ in mine:
        top = name.split(".")[0]
        packages[top] = packages.get(top, 0.0) + own
    by_package = sorted(packages.items(), key=lambda kv: -kv[1])
    slowest = sorted(((name, own) for name, own, _ in mine), key=lambda kv: -kv[1])
    return by_package, slowest


def run(quick: bool = False) -> Section:
    """Time each import; returns the section for RESULTS.md."""
    runs = 3 if quick else RUNS
    # Bytecode first, as an installed package has it (pip compiles on install): without
    # it, and with PYTHONDONTWRITEBYTECODE set, every run would time compiling the source.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO_ROOT / "plane_async")], check=True
    )
    best: dict[str, float | None] = {}
    best_cpu: dict[str, float] = {}
    for label, module in MODULES:
        times = [_import_time(module) for _ in range(runs)]
        measured = [t for t in times if t is not None]
        best[label] = min(w for w, _ in measured) if measured else None
        if measured:
            best_cpu[label] = min(c for _, c in measured)
    rows: list[list[object]] = []
    for label, module in MODULES:
        name = f"`import {module}` ({label})" if label != module else f"`import {module}`"
        wall = best[label]
        if wall is None:
            rows.append([name, "not installed", ""])
        else:
            rows.append([name, f"{wall:.3f}", f"{best_cpu[label]:.3f}"])
    by_package, slowest = _breakdown("plane_async")
    body = (
        f"Fresh interpreter per import, best of {runs}; start-up of the interpreter "
        "itself not counted. Wall time is what a user waits; CPU time is less sensitive "
        "to other load on the machine.\n\n"
        + table(["import", "wall s", "CPU s"], rows)
        + "\nWhere `import plane_async` spends its time (`-X importtime`, one run, so the "
        "figures are a little higher than above): self time summed per package, and the "
        "slowest single modules.\n\n"
        + table(["package", "seconds"], [[name, f"{t:.3f}"] for name, t in by_package[:8]])
        + "\n"
        + table(["module", "seconds"], [[name, f"{t:.3f}"] for name, t in slowest[:8]])
    )
    ours = best["plane_async"]
    checks = (
        Check(
            "`import plane_async`",
            f"{ours:.3f} s" if ours is not None else "failed",
            f"< {TARGET} s",
            ours is not None and ours < TARGET,
        ),
    )
    out_rows = tuple({"import": label, "seconds": s} for label, s in best.items())
    return Section("import", "Import time", body, checks, out_rows)


def main() -> None:
    run_alone("bench_import", run)


if __name__ == "__main__":
    main()
