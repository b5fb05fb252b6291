"""The ``plane-async`` command: export, sync and import a workspace; run the demo.

A user of the public API only (``plane_async``), one module per subcommand. Exit codes:
0 done, 1 error (server, network, files), 2 usage (a flag or an argument that cannot work),
130 interrupted by Ctrl-C, 143 stopped by SIGTERM (the checkpoint is saved either way).
"""

from ._main import main

__all__ = ["main"]
