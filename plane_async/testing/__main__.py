"""``python -m plane_async.testing serve --help``: FakePlane as a process of its own."""

import sys

from ._serve import main

sys.exit(main())
