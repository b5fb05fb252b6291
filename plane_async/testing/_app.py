"""FakePlane: its state, the aiohttp.web application and its lifecycle (the request
pipeline is ``_pipeline.py``)."""

from __future__ import annotations

import random
import uuid
import warnings
import zoneinfo
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .._ratelimit.limiter import RateLimit
from ._activity import ActivityWorker
from ._faults import Faults
from ._legacy import LegacyExtras
from ._objstore import PREFIX as STORAGE_PREFIX
from ._objstore import ObjectStorage
from ._pipeline import BODY_LIMIT, Pipeline, RequestRecord
from ._render_workspace import Renderer
from ._seed import Seed, seed_store
from ._store import Store
from ._throttle import SlidingWindow
from ._webhooks import WebhookFaults, WebhookSender

if TYPE_CHECKING:
    from .._client import AsyncPlane

__all__ = ["IN_PROCESS_URL", "FakePlane"]

#: the base URL of a server started with listen=False
IN_PROCESS_URL = "http://fakeplane.invalid"


class FakePlane(Pipeline):
    """An in-memory Plane Community Edition server on 127.0.0.1, for tests and demos.

    ``async with FakePlane() as server:`` starts it on a free port; point a client at
    ``server.base_url`` with ``server.api_key`` and ``server.workspace``.

    Keyword arguments:

    - ``seed``: a :class:`Seed` (data size, deterministic ids); ``Seed()`` is one project
      "Website" (WEB) with 250 work items, 5 states, 4 labels, 3 modules, 2 cycles,
      2 members. ``Seed(projects=0)`` starts empty (one user).
    - ``workspace``: the workspace slug (default ``"acme"``); ``api_key``: default a new
      ``"plane_api_" + uuid4().hex``.
    - ``rate_limit``: a ``RateLimit`` (``RateLimit(30, 10.0)``: 30 requests per 10 s) or a
      ``(requests, period_seconds)`` tuple per key, Plane's sliding window (default 60 per
      60 s); ``None`` disables it (no rate headers then). A ``RateLimit``'s client-side
      ``margin`` does not apply to the server.
    - ``max_per_page``: 1000 as in CE; 100 to behave like Plane Cloud's documented limit.
    - ``latency``, ``latency_jitter``, ``fail_rate_503``, ``reset_rate``,
      ``truncate_rate``, ``burst_429``, ``burst_429_after``, ``fault_seed``: initial
      :class:`Faults`; change them at run time through ``server.faults``.
    - ``legacy_paths``: behave like an older server that only knows ``issues/``.
    - ``timezone``: the API user's timezone, which Plane renders datetimes in.
    - ``webhooks``: ``[(url, secret), ...]`` to post signed deliveries to, as Plane does,
      for the objects changed through the API; ``server.webhooks.add(url, secret)`` adds
      one while running and ``await server.webhooks.join()`` waits for the deliveries.
      ``webhook_faults``: a :class:`WebhookFaults` (delays, duplicates, lost responses).
    - ``listen``: False to open no socket; reach the server with :meth:`client`.
    - ``activity_delay``: seconds before an activity (a comment, link, attachment,
      relation, module or cycle membership) moves the work item's ``updated_at``, as
      Plane's worker does it a moment after the write; ``server.activity.flush()`` runs
      the pending ones now.
    """

    def __init__(
        self,
        *,
        seed: Seed | None = None,
        workspace: str = "acme",
        api_key: str | None = None,
        rate_limit: RateLimit | tuple[int, float] | None = (60, 60.0),
        max_per_page: int = 1000,
        latency: float = 0.0,
        latency_jitter: float = 0.0,
        fail_rate_503: float = 0.0,
        reset_rate: float = 0.0,
        truncate_rate: float = 0.0,
        burst_429: int = 0,
        burst_429_after: int = 0,
        fault_seed: int = 0,
        legacy_paths: bool = False,
        timezone: str = "UTC",
        host: str = "127.0.0.1",
        port: int = 0,
        webhooks: Iterable[tuple[str, str]] = (),
        webhook_faults: WebhookFaults | None = None,
        activity_delay: float = 0.0,
        listen: bool = True,
        random_seed: None = None,
    ) -> None:
        if random_seed is not None:
            raise TypeError(
                "FakePlane has no random_seed=: the data's seed is seed=Seed(random_seed=...), "
                "the faults' is fault_seed=..."
            )
        rate_limit = _window(rate_limit)
        seed = Seed() if seed is None else seed
        self.workspace = workspace
        self.api_key = api_key or "plane_api_" + uuid.uuid4().hex
        self._keys = {self.api_key}
        self.store = Store(workspace=workspace, rng=random.Random(seed.random_seed))
        seed_store(self.store, seed)
        self.renderer = Renderer(self.store, zoneinfo.ZoneInfo(timezone))
        self.limiter = None if rate_limit is None else SlidingWindow(*rate_limit)
        self.max_per_page = max_per_page
        self.faults = Faults(
            fail_rate_503=fail_rate_503,
            reset_rate=reset_rate,
            truncate_rate=truncate_rate,
            burst_429=burst_429,
            burst_429_after=burst_429_after,
            latency=latency,
            latency_jitter=latency_jitter,
            random_seed=fault_seed,
        )
        self.legacy_paths = legacy_paths
        #: the webhooks and the deliveries made to them
        self.webhooks = WebhookSender(self.store, faults=webhook_faults)
        for url, secret in webhooks:
            self.webhooks.add(url, secret)
        #: Plane's activity worker: bumps ``updated_at`` of the work items written under
        self.activity = ActivityWorker(self.store, activity_delay)
        self.requests: list[RequestRecord] = []
        #: exceptions raised by the fake's own handlers (answered with a 500)
        self.errors: list[str] = []
        #: called before each request is handled (a ``ConcurrentWriter`` writes from here)
        self.request_hooks: list[Callable[[], None]] = []
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._listen = listen
        self._running = False
        self.base_url = ""

    def __repr__(self) -> str:
        return f"<FakePlane {self.base_url or 'not started'} workspace={self.workspace!r}>"

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> FakePlane:
        """Start serving; sets ``base_url`` (without ``/api/v1``). With ``listen=False``
        nothing listens: ``base_url`` is ``http://fakeplane.invalid`` (a name that never
        resolves), served only by :meth:`client`."""
        if self._running:
            return self
        if self._listen:
            app = web.Application(client_max_size=BODY_LIMIT * 2)
            app.router.add_route("*", "/{tail:.*}", self._handle)
            runner = web.AppRunner(app, access_log=None, handle_signals=False)
            await runner.setup()
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
            self._runner = runner
            port = runner.addresses[0][1]
            self.base_url = f"http://{self._host}:{port}"
        else:
            self.base_url = IN_PROCESS_URL
        self._running = True
        self.store.storage.url = self.base_url + STORAGE_PREFIX + "uploads/"
        return self

    async def close(self) -> None:
        """Stop the server and drop open connections. Idempotent."""
        runner, self._runner = self._runner, None
        self._running = False
        self.activity.cancel()
        if runner is not None:
            await runner.cleanup()
        await self.webhooks.close()

    @property
    def listening(self) -> bool:
        """True when the server takes connections on 127.0.0.1 (``listen=True``, started)."""
        return self._runner is not None

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`close`."""
        return self._running

    def client(self, **options: Any) -> AsyncPlane:
        """An ``AsyncPlane`` for this server that calls it in the same process: no socket,
        no port, so a test can run on a virtual clock. ``options`` are AsyncPlane's
        (``api_key``, ``workspace`` and ``base_url`` default to this server's).

        Everything but the connection is as over HTTP: the routes, the rate limit and its
        headers, the faults (a reset or a truncated body raises the ``TransportError``
        aiohttp would), ``requests``. Uploads and downloads of files go to the object
        storage over real HTTP, so they need the server to listen (the default).
        """
        # lazy: the fake server (also run as its own process) does not load the client
        from ._inprocess import in_process_client

        return in_process_client(self, **options)

    async def __aenter__(self) -> FakePlane:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- observation ----------------------------------------------------------------------

    @property
    def open_connections(self) -> int:
        """Client connections currently open to the server."""
        runner = self._runner
        if runner is None or runner.server is None:
            return 0
        return len(runner.server.connections)

    @property
    def max_in_window(self) -> int:
        """Most requests the rate limiter saw in one window, refused ones included."""
        return 0 if self.limiter is None else self.limiter.max_in_window

    @property
    def storage(self) -> ObjectStorage:
        """The object storage file links point to: its ``objects``, the ``requests`` it
        saw, ``file_size_limit``, and ``faults`` (statuses) to inject."""
        return self.store.storage

    @property
    def extras(self) -> LegacyExtras:
        """Deprecated: the 1.2-1.3 tables are on ``store`` (``store.files``,
        ``store.invitations``...) and the object storage is ``storage``."""
        warnings.warn(
            "FakePlane.extras is deprecated: use server.store.<table> (estimates, "
            "estimate_points, relations, files, stickies, invitations) and server.storage "
            "(objects, requests, file_size_limit, faults)",
            DeprecationWarning,
            stacklevel=2,
        )
        return LegacyExtras(self.store)

    @property
    def api_url(self) -> str:
        """``base_url`` + ``/api/v1/``."""
        return self.base_url + "/api/v1/"

    def new_api_key(self) -> str:
        """Register another valid key for the same user (its own rate-limit window)."""
        key = "plane_api_" + uuid.uuid4().hex
        self._keys.add(key)
        return key

    def revoke_api_key(self, key: str) -> None:
        """Make ``key`` invalid (requests with it get Plane's 403)."""
        self._keys.discard(key)

    # -- pipeline -------------------------------------------------------------------------


def _window(rate_limit: object) -> tuple[int, float] | None:
    """``rate_limit=`` as (requests, period); TypeError naming the accepted forms."""
    if rate_limit is None:
        return None
    if isinstance(rate_limit, RateLimit):
        return rate_limit.requests, rate_limit.period
    if (
        isinstance(rate_limit, tuple)
        and len(rate_limit) == 2
        and isinstance(rate_limit[0], int)
        and isinstance(rate_limit[1], int | float)
    ):
        return rate_limit[0], float(rate_limit[1])
    raise TypeError(
        "rate_limit must be a RateLimit (e.g. RateLimit(30, 10.0)), a (requests, seconds) "
        f"tuple or None, got {rate_limit!r}"
    )
