"""``python -m plane_async demo``: see plane_async._demo."""

from ._demo import main

raise SystemExit(main())
