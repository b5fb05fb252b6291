"""A nightly backup of a workspace with the ``plane-async`` command, from Python.

    PLANE_API_KEY=... PLANE_WORKSPACE=acme python examples/nightly_backup.py /backups/acme

The first night exports everything; an interrupted export is finished the next night;
every later night only syncs what changed. The exit code is the command's (0 done, 1 error,
2 usage, 130 interrupted), so a scheduler sees failures.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from plane_async.cli import main


def backup(folder: Path, *extra: str) -> int:
    checkpoint = folder / "checkpoint.json"
    finished = checkpoint.exists() and json.loads(checkpoint.read_text())["complete"]
    command = "sync" if finished else "export"
    return main([command, "--out", str(folder), "--progress", "plain", *extra])


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: nightly_backup.py FOLDER [plane-async flags]")
    sys.exit(backup(Path(sys.argv[1]), *sys.argv[2:]))
