"""A Plane-compatible fake server for tests: ``FakePlane``.

::

    async with FakePlane(seed=Seed(issues_per_project=50)) as server:
        async with AsyncPlane(api_key=server.api_key, workspace=server.workspace,
                              base_url=server.base_url) as plane:
            ...

The server keeps its data in ``server.store`` and logs every request in
``server.requests``. It needs aiohttp only; it does not import the client.
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
