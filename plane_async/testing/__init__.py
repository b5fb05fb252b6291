"""A Plane-compatible fake server for tests: ``FakePlane``.

::

    async with FakePlane(seed=Seed(issues_per_project=50)) as server:
        async with AsyncPlane(api_key=server.api_key, workspace=server.workspace,
                              base_url=server.base_url) as plane:
            ...

The server keeps its data in ``server.store`` and logs every request in
``server.requests``. ``server.client()`` is a client that calls it in the same process (no
socket: ``FakePlane(listen=False)`` opens none). The server needs aiohttp only; it imports
the client only for ``client()``.
"""

from ._app import FakePlane
from ._faults import Faults
from ._pipeline import RequestRecord
from ._seed import Seed
from ._store import Store
from ._webhooks import Webhook, WebhookDelivery, WebhookFaults, WebhookSender
from ._writer import ConcurrentWriter

__all__ = [
    "ConcurrentWriter",
    "FakePlane",
    "Faults",
    "RequestRecord",
    "Seed",
    "Store",
    "Webhook",
    "WebhookDelivery",
    "WebhookFaults",
    "WebhookSender",
]
