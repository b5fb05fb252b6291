"""``python -m plane_async``: the ``plane-async`` command (see plane_async.cli)."""

from .cli import main

raise SystemExit(main())
