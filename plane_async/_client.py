"""AsyncPlane: settings, lifecycle and the resource namespaces."""

from __future__ import annotations

import copy
import os
import warnings
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urlsplit

from ._errors import (
    ClientClosedError,
    NotFoundError,
    PlaneValueError,
    ResponseDecodeError,
    ResponseTooLargeError,
    reworded,
)
from ._http.transport import RequestStats, Response, Transport, TransportSettings
from ._http.wait_budget import check_budget
from ._observability.bus import Hook, Hooks
from ._observability.telemetry import Telemetry
from ._protocol import wire as proto
from ._protocol.values import check_json
from ._ratelimit.limiter import Limiter, Quota, RateLimit, shared_limiter
from ._secret import SecretURL

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
        api_key = key = proto.check_api_key(
            api_key if api_key is not None else os.environ.get("PLANE_API_KEY")
        )
        ws = workspace if workspace is not None else os.environ.get("PLANE_WORKSPACE") or None
        self._workspace = proto.check_slug(ws) if ws is not None else None
        url = base_url if base_url is not None else os.environ.get("PLANE_BASE_URL")
        if proxy is not None:
            if not isinstance(proxy, str) or urlsplit(proxy).scheme not in ("http", "https"):
                raise PlaneValueError("proxy must be an http:// or https:// URL")
            proxy = SecretURL(proxy)
        self._base_url = proto.normalize_base_url(
            url or proto.DEFAULT_BASE_URL,
            allow_insecure_http=allow_insecure_http,
            via_proxy=proxy is not None,
        )
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise PlaneValueError(f"max_retries must be an int >= 0, got {max_retries!r}")
        if (
            isinstance(max_per_page, bool)
            or not isinstance(max_per_page, int)
            or not 1 <= max_per_page <= 1000
        ):
            raise PlaneValueError(
                "max_per_page must be an int from 1 to 1000 (100 for Plane Cloud, up to 1000 "
                f"for Community Edition), got {max_per_page!r}"
            )
        if timeout is not None:
            timeout = proto.check_positive_number(timeout, "timeout")
        if connect_timeout is not None:
            connect_timeout = proto.check_positive_number(connect_timeout, "connect_timeout")
        wait_budget = check_budget(wait_budget)
        if session is not None:
            import aiohttp  # already loaded by whoever made the session

            if not isinstance(session, aiohttp.ClientSession):
                raise PlaneValueError("session must be an aiohttp.ClientSession or None")
        try:
            backoff_base, backoff_cap = retry_backoff
        except (TypeError, ValueError):
            raise PlaneValueError(
                "retry_backoff must be (base, cap) in seconds, e.g. (0.5, 8.0)"
            ) from None
        backoff_base = proto.check_positive_number(
            backoff_base, "retry_backoff base", allow_zero=True
        )
        backoff_cap = proto.check_positive_number(backoff_cap, "retry_backoff cap", allow_zero=True)
        if rate_limit is not None and not isinstance(rate_limit, RateLimit):
            raise PlaneValueError(
                "rate_limit must be a RateLimit, e.g. RateLimit(60, 60.0), or None to follow "
                "the limit the server announces"
            )
        self._rate_limit = rate_limit
        is_limiter = callable(getattr(limiter, "slot", None)) and callable(
            getattr(limiter, "quota", None)
        )
        is_backend = callable(getattr(limiter, "for_key", None))
        if limiter is not None and not is_limiter and not is_backend:
            raise PlaneValueError(
                "limiter must be a RedisLimiter, implement plane_async.types.Limiter (slot() and "
                "quota()), or be None"
            )
        self.max_per_page = max_per_page
        if work_items_path not in ("auto", "work-items", "issues"):
            raise PlaneValueError(
                "work_items_path must be 'auto', 'work-items' (current servers) or 'issues' "
                f"(self-hosted servers from before 2025), got {work_items_path!r}"
            )
        #: "work-items" or "issues" once known; None means find out on the first call
        self._work_items_segment: str | None = (
            None if work_items_path == "auto" else work_items_path
        )
        settings = TransportSettings(
            base_url=self._base_url,
            api_key=key,
            max_retries=max_retries,
            timeout=timeout,
            connect_timeout=connect_timeout,
            retry_post=retry_post,
            max_retry_after=(rate_limit or RateLimit()).max_retry_after,
            max_response_bytes=max_response_bytes,
            verify_ssl=verify_ssl,
            proxy=proxy,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            wait_budget=wait_budget,
        )
        #: this view's per-call options (with_options); None: the client's settings
        self._call_budget: float | None = None
        #: the client a with_options() view was made from (it owns the connections)
        self._parent: AsyncPlane | None = None
        hooks = Hooks.of(on_request, on_response)
        otel = Telemetry.of(telemetry)
        # A RedisLimiter (a backend) gives this client its key's limiter; closing the
        # client lets the backend close the connections it opened for this loop.
        self._key_limiter: Limiter | None = None
        chosen: Limiter | None = None
        if limiter is not None and not is_limiter:
            self._key_limiter = chosen = cast("RedisLimiter", limiter).for_key(
                self._base_url, key, rate_limit
            )
        elif limiter is not None:
            chosen = cast(Limiter, limiter)
        self._transport = Transport(
            settings,
            (lambda: chosen)
            if chosen is not None
            else lambda: shared_limiter(self._base_url, key, self._rate_limit),
            session=session,
            observers=() if otel is None else (otel.observer(self._base_url),),
            hooks=hooks,
        )
        self._init_namespaces()
        self._instrument()

    def _instrument(self) -> None:
        if self._transport.observers.traced:
            from .resources._base import Resource
            from .resources._operations import instrument

            namespaces = {k: v for k, v in vars(self).items() if isinstance(v, Resource)}
            instrument(namespaces, self._transport.observers)

    def with_options(self, *, wait_budget: float | None = None) -> AsyncPlane:
        """A view of this client whose calls use other options; it shares the connections,
        the limiter and the lifecycle (closing either closes both).

        ``wait_budget``: seconds a call may take in all, waiting for a rate-limit slot and
        pausing before retries included; past it, ``WaitBudgetExceededError`` with
        ``retry_after``. ``plane.with_options(wait_budget=5).issues.get(...)``.
        """
        budget = check_budget(wait_budget)
        view = copy.copy(self)
        view._call_budget = budget if budget is not None else self._call_budget
        view._parent = self._parent or self
        view._init_namespaces()
        view._instrument()
        return view

    @property
    def wait_budget(self) -> float | None:
        """Seconds a call may take in all (None: unbounded), this view's or the client's."""
        if self._call_budget is not None:
            return self._call_budget
        return self._transport.settings.wait_budget

    def _init_namespaces(self) -> None:
        """Attach the resource namespaces (plane.projects, plane.issues, ...)."""
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

        self.users = UsersResource(self)
        self.projects = ProjectsResource(self)
        self.states = StatesResource(self)
        self.labels = LabelsResource(self)
        self.issues = IssuesResource(self)
        self.comments = CommentsResource(self)
        self.links = LinksResource(self)
        self.activities = ActivitiesResource(self)
        self.modules = ModulesResource(self)
        self.cycles = CyclesResource(self)
        self.members = MembersResource(self)
        self.intake = IntakeResource(self)
        self.estimates = EstimatesResource(self)
        self.relations = RelationsResource(self)
        self.attachments = AttachmentsResource(self)
        self.assets = AssetsResource(self)
        self.stickies = StickiesResource(self)
        self.invitations = InvitationsResource(self)

    # ------------------------------------------------------------------ properties

    @property
    def base_url(self) -> str:
        """The API root this client talks to, ending in ``/api/v1/``."""
        return self._base_url

    @property
    def workspace(self) -> str:
        """The workspace slug; PlaneValueError if none was configured."""
        if self._workspace is None:
            raise PlaneValueError(
                "this call needs a workspace: pass workspace='your-slug' to AsyncPlane "
                "or set PLANE_WORKSPACE"
            )
        return self._workspace

    @property
    def rate_limit(self) -> RateLimit | None:
        """The cap given as ``rate_limit=``; None when the client follows the server's limit."""
        return self._rate_limit

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
        base_url = getattr(self, "_base_url", None)
        workspace = getattr(self, "_workspace", None)
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
        key_limiter, self._key_limiter = self._key_limiter, None
        close = getattr(key_limiter, "aclose", None)
        if close is not None:
            await close()

    async def check(self) -> None:
        """Verify the API key and the workspace with one request, or raise a precise error.

        For a FastAPI lifespan or the start of a job: ``InvalidAPIKeyError`` for a wrong,
        expired or deactivated key, ``PermissionDeniedError`` naming the workspace when it
        does not exist or the key's user is not a member, ``NotFoundError`` when base_url
        has no Plane API, ``TransportError`` when the server cannot be reached. Without a
        workspace, only the key is verified.
        """
        if self._workspace is None:
            path = "users/me/"
            params = None
        else:
            path = proto.build_path("workspaces", self._workspace, "projects")
            params = {"per_page": "1", "fields": "id"}
        hint = "check base_url (the address of your Plane server, e.g. https://plane.example.com)"
        try:
            await self._send("GET", path, params=params)
        except NotFoundError as exc:
            if not proto.is_route_not_found(exc.body):
                raise
            raise reworded(
                exc, f"{self._base_url} has no Plane API ({exc.message}): {hint}"
            ) from exc
        except ResponseDecodeError as exc:
            if isinstance(exc, ResponseTooLargeError):
                raise
            # a web page (Plane's web app, a login portal) where the API should answer
            message = (
                f"{self._base_url} answered with something that is not Plane's JSON API "
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
        if not isinstance(method, str) or not method.isalpha():
            raise PlaneValueError(f"method must be an HTTP method like 'GET', got {method!r}")
        check_json(json, "json")
        response = await self._send(
            method, proto.normalize_raw_path(path), params=_params(params), json=json,
            timeout=timeout, wait_budget=check_budget(wait_budget),
        )  # fmt: skip
        return response.body

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        timeout: float | None = None,
        retry_post: bool | None = None,
        metered: bool = True,
        wait_budget: float | None = None,
    ) -> Response:
        return await self._transport.request(
            method, path, params=params, json=json, timeout=timeout, retry_post=retry_post,
            metered=metered, wait_budget=self._call_budget if wait_budget is None else wait_budget,
        )  # fmt: skip


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
