"""AsyncPlane: settings, lifecycle and the resource namespaces."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from ._errors import (
    ClientClosedError,
    NotFoundError,
    ResponseDecodeError,
    ResponseTooLargeError,
    reworded,
)
from ._http.exchange import HttpExchange
from ._http.transport import RequestStats, Transport
from ._observability.bus import Hook
from ._observability.telemetry import Telemetry
from ._protocol import checks
from ._protocol import wire as proto
from ._protocol.checks import check_method
from ._protocol.values import check_json
from ._ratelimit import Limiter, Quota, RateLimit, shared_limiter
from ._session import Session, WorkItemsRoute
from ._settings import LimiterChoice, Settings, api_key_setting

if TYPE_CHECKING:
    import aiohttp

    from ._ratelimit.redis import RedisLimiter

__all__ = ["AsyncPlane"]


class AsyncPlane:
    """An async session with one Plane server, one API key and (optionally) one workspace.

    Use it as ``async with AsyncPlane(...) as plane:`` or call ``await plane.aclose()``.
    Every argument has a default from the environment: ``PLANE_API_KEY``,
    ``PLANE_WORKSPACE`` and ``PLANE_BASE_URL`` (else Plane Cloud).

    A client belongs to the event loop it first sends on. By default every client of one
    (base URL, API key) in the process shares one limiter, whatever its event loop or
    thread, and ``rate_limit=None`` follows the limit the server announces in its
    ``X-RateLimit-*`` headers (a ``RateLimit`` is a cap never exceeded); ``limiter=`` plugs
    in another backend
    (any :class:`plane_async.types.Limiter`, e.g. one shared across processes), which must pause
    its senders on a 429.

    ``wait_budget`` (seconds, default None: unbounded) bounds each whole call, rate-limit
    queue and retry pauses included: past it, ``WaitBudgetExceededError`` with
    ``retry_after``. ``with_options(wait_budget=...)`` sets it for the calls of a view.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        workspace: str | None = None,
        base_url: str | None = None,
        rate_limit: RateLimit | None = None,
        max_retries: int = 3,
        timeout: float | None = 30.0,
        connect_timeout: float | None = 10.0,
        session: aiohttp.ClientSession | None = None,
        allow_insecure_http: bool = False,
        max_per_page: int = 100,
        retry_post: bool = False,
        max_response_bytes: int = 64 * 1024 * 1024,
        verify_ssl: bool = True,
        proxy: str | None = None,
        retry_backoff: tuple[float, float] = (0.5, 8.0),
        work_items_path: Literal["auto", "work-items", "issues"] = "auto",
        limiter: Limiter | RedisLimiter | None = None,
        telemetry: bool | Telemetry = False,
        on_request: Hook | Sequence[Hook] | None = None,
        on_response: Hook | Sequence[Hook] | None = None,
        wait_budget: float | None = None,
    ) -> None:
        # Rebound at once: the parameter would otherwise show the key in this frame's
        # locals (capture_locals, pytest -l) if a later check raises.
        api_key = key = api_key_setting(api_key)
        settings = Settings.build(
            api_key=key, workspace=workspace, base_url=base_url, rate_limit=rate_limit,
            max_retries=max_retries, timeout=timeout, connect_timeout=connect_timeout,
            session=session, allow_insecure_http=allow_insecure_http,
            max_per_page=max_per_page, retry_post=retry_post,
            max_response_bytes=max_response_bytes, verify_ssl=verify_ssl, proxy=proxy,
            retry_backoff=retry_backoff, work_items_path=work_items_path, limiter=limiter,
            telemetry=telemetry, on_request=on_request, on_response=on_response,
            wait_budget=wait_budget,
        )  # fmt: skip
        self._settings = settings
        self.max_per_page = settings.max_per_page
        #: the client a with_options() view was made from (it owns the connections)
        self._parent: AsyncPlane | None = None
        # A backend (RedisLimiter) gives this client its key's limiter; closing the client
        # hands it back, so the backend closes what it opened for it on this loop.
        chosen = settings.limiter.limiter
        self._limiter_choice: LimiterChoice | None = settings.limiter
        otel = settings.telemetry
        self._transport = Transport(
            settings.transport,
            (lambda: chosen)
            if chosen is not None
            else lambda: shared_limiter(settings.base_url, key, settings.rate_limit),
            session=settings.session,
            observers=() if otel is None else (otel.observer(settings.base_url),),
            hooks=settings.hooks,
        )
        #: what the namespaces send through (a with_options() view has its own)
        route = WorkItemsRoute(settings.work_items_segment)
        self._session = Session(
            self._transport, settings.base_url, settings.workspace, settings.max_per_page, route
        )
        self._init_namespaces()
        self._instrument()

    def _instrument(self) -> None:
        if self._transport.observers.traced:
            # lazy, as in _init_namespaces: keeps the namespaces out of `import plane_async`
            from .resources._base import Resource
            from .resources._operations import instrument

            namespaces = {k: v for k, v in vars(self).items() if isinstance(v, Resource)}
            instrument(namespaces, self._transport.observers)

    @classmethod
    def _over(cls, exchange: HttpExchange, **options: Any) -> AsyncPlane:
        """A client whose API requests go through ``exchange`` instead of aiohttp (how
        ``plane_async.testing.FakePlane.client()`` calls the fake in the same process)."""
        client = cls(**options)
        client._transport.exchange = exchange
        return client

    def with_options(self, *, wait_budget: float | None = None) -> AsyncPlane:
        """A view of this client whose calls use other options; it shares the connections,
        the limiter and the lifecycle (closing either closes both).

        ``wait_budget``: seconds a call may take in all, waiting for a rate-limit slot and
        pausing before retries included; past it, ``WaitBudgetExceededError`` with
        ``retry_after``. ``plane.with_options(wait_budget=5).issues.get(...)``.
        """
        budget = checks.check_budget(wait_budget)
        view = copy.copy(self)
        view._session = self._session.with_budget(budget)
        view._parent = self._parent or self
        view._init_namespaces()
        view._instrument()
        return view

    @property
    def wait_budget(self) -> float | None:
        """Seconds a call may take in all (None: unbounded), this view's or the client's."""
        if self._session.wait_budget is not None:
            return self._session.wait_budget
        return self._transport.settings.wait_budget

    def _init_namespaces(self) -> None:
        """Attach the resource namespaces (plane.projects, plane.issues, ...)."""
        # Lazy for import time: the 18 namespace modules load with the first client, not
        # with `import plane_async` (the write TypedDicts of the root are lazy for the same).
        from .resources import (
            ActivitiesResource,
            AssetsResource,
            AttachmentsResource,
            CommentsResource,
            CyclesResource,
            EstimatesResource,
            IntakeResource,
            InvitationsResource,
            IssuesResource,
            LabelsResource,
            LinksResource,
            MembersResource,
            ModulesResource,
            ProjectsResource,
            RelationsResource,
            StatesResource,
            StickiesResource,
            UsersResource,
        )

        session = self._session
        self.users = UsersResource(session)
        self.projects = ProjectsResource(session)
        self.states = StatesResource(session)
        self.labels = LabelsResource(session)
        self.issues = IssuesResource(session)
        self.comments = CommentsResource(session)
        self.links = LinksResource(session)
        self.activities = ActivitiesResource(session)
        self.modules = ModulesResource(session)
        self.cycles = CyclesResource(session)
        self.members = MembersResource(session)
        self.intake = IntakeResource(session)
        self.estimates = EstimatesResource(session)
        self.relations = RelationsResource(session)
        self.attachments = AttachmentsResource(session)
        self.assets = AssetsResource(session)
        self.stickies = StickiesResource(session)
        self.invitations = InvitationsResource(session)

    # ------------------------------------------------------------------ properties

    @property
    def base_url(self) -> str:
        """The API root this client talks to, ending in ``/api/v1/``."""
        return self._settings.base_url

    @property
    def workspace(self) -> str:
        """The workspace slug; PlaneValueError if none was configured."""
        return self._session.workspace

    @property
    def rate_limit(self) -> RateLimit | None:
        """The cap given as ``rate_limit=``; None when the client follows the server's limit."""
        return self._settings.rate_limit

    @property
    def closed(self) -> bool:
        return self._transport.closed

    @property
    def limiter(self) -> Limiter:
        """The limiter shared by every client of this (base URL, API key) on the running
        loop, or the one given as ``limiter=``. Needs a running event loop."""
        return self._transport.limiter

    @property
    def stats(self) -> RequestStats:
        """Counters of this client's requests: attempts, retries, 429s, network failures."""
        return self._transport.stats

    def quota(self) -> Quota:
        """The current request quota: remaining requests and when the next slot frees.

        Shared by every client of the key on the running loop (call it inside the loop).
        """
        return self._transport.limiter.quota()

    def __repr__(self) -> str:
        # getattr: a client whose __init__ raised is still printed (locals capture, pdb)
        settings = getattr(self, "_settings", None)
        base_url = None if settings is None else settings.base_url
        workspace = None if settings is None else settings.workspace
        return f"AsyncPlane(base_url={base_url!r}, workspace={workspace!r})"

    # ------------------------------------------------------------------ lifecycle

    def __del__(self, _warn: Any = warnings.warn) -> None:
        # As aiohttp's and httpx's clients do: name the object the caller forgot to close,
        # not only aiohttp's connector. _warn is bound now: at interpreter exit the
        # warnings module may already be gone.
        transport = getattr(self, "_transport", None)
        if getattr(self, "_parent", None) is not None:
            return  # a with_options() view: its parent owns the connections
        if transport is not None and transport.holds_connections:
            _warn(
                f"unclosed {self!r}: use `async with AsyncPlane(...) as plane:` or "
                "`await plane.aclose()` when done",
                ResourceWarning,
                source=self,
            )

    async def __aenter__(self) -> AsyncPlane:
        if self.closed:
            raise ClientClosedError("this AsyncPlane is closed; create a new one")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP session (a caller's ``session=`` is left open). Idempotent."""
        if self._parent is not None:
            await self._parent.aclose()
            return
        await self._transport.aclose()
        choice, self._limiter_choice = self._limiter_choice, None
        if choice is not None and choice.backend is not None and choice.limiter is not None:
            await choice.backend.release_key(choice.limiter)

    async def check(self) -> None:
        """Verify the API key and the workspace with one request, or raise a precise error.

        For a FastAPI lifespan or the start of a job: ``InvalidAPIKeyError`` for a wrong,
        expired or deactivated key, ``PermissionDeniedError`` naming the workspace when it
        does not exist or the key's user is not a member, ``NotFoundError`` when base_url
        has no Plane API, ``TransportError`` when the server cannot be reached. Without a
        workspace, only the key is verified.
        """
        workspace = self._settings.workspace
        if workspace is None:
            path = "users/me/"
            params = None
        else:
            path = proto.build_path("workspaces", workspace, "projects")
            params = {"per_page": "1", "fields": "id"}
        hint = "check base_url (the address of your Plane server, e.g. https://plane.example.com)"
        try:
            await self._session.send("GET", path, params=params)
        except NotFoundError as exc:
            if not proto.is_route_not_found(exc.body):
                raise
            raise reworded(
                exc, f"{self._settings.base_url} has no Plane API ({exc.message}): {hint}"
            ) from exc
        except ResponseDecodeError as exc:
            if isinstance(exc, ResponseTooLargeError):
                raise
            # a web page (Plane's web app, a login portal) where the API should answer
            message = (
                f"{self._settings.base_url} answered with something that is not Plane's JSON API "
                f"({exc.message}): {hint}"
            )
            raise reworded(exc, message) from exc

    # ------------------------------------------------------------------ raw access

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        timeout: float | None = None,
        wait_budget: float | None = None,
    ) -> Any:
        """Call any endpoint: ``await plane.request("GET", "users/me/")``.

        ``path`` is relative to ``/api/v1/``; a trailing slash is added. Returns the parsed
        JSON body (None for an empty one). Retries, the limiter and typed errors apply;
        ``timeout`` bounds each attempt, ``wait_budget`` the whole call (the client's when
        None).
        """
        check_method(method)
        check_json(json, "json")
        response = await self._session.send(
            method, proto.normalize_raw_path(path), params=_params(params), json=json,
            timeout=timeout, wait_budget=checks.check_budget(wait_budget),
        )  # fmt: skip
        return response.body


def _params(params: dict[str, Any] | None) -> dict[str, str] | None:
    if params is None:
        return None
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, list | tuple | set | frozenset):
            out[key] = ",".join(str(v) for v in value)
        else:
            out[key] = str(value)
    return out
