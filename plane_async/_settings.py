"""``AsyncPlane``'s keyword arguments, checked once into one frozen ``Settings``.

Every check runs before the client exists (nothing is opened for a bad argument), in the
order of the constructor's parameters, and raises ``PlaneValueError`` saying what to pass.
The value checks themselves live in ``_protocol.checks``; here they are applied, with
the environment's defaults (``PLANE_API_KEY``, ``PLANE_WORKSPACE``, ``PLANE_BASE_URL``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import attrs

from ._errors import PlaneValueError
from ._http.transport import TransportSettings
from ._observability.bus import Hook, Hooks
from ._observability.telemetry import Telemetry
from ._protocol import checks
from ._protocol.wire import DEFAULT_BASE_URL, normalize_base_url
from ._ratelimit import Limiter, LimiterBackend, RateLimit, limiter_backend
from ._secret import Secret

if TYPE_CHECKING:
    import aiohttp

__all__ = ["LimiterChoice", "Settings", "api_key_setting", "choose_limiter"]


@attrs.frozen
class LimiterChoice:
    """What ``limiter=`` decided: ``backend`` gave ``limiter`` for this client's key (closing
    the client hands it back with ``backend.release_key``); both None for the process-wide
    registry's limiter of the key, looked up when a request needs it."""

    backend: LimiterBackend | None = None
    limiter: Limiter | None = None


def choose_limiter(
    given: Limiter | LimiterBackend | None,
    base_url: str,
    api_key: Secret,
    rate_limit: RateLimit | None,
) -> LimiterChoice:
    """The limiter for ``limiter=given``: a ``Limiter`` as it is, a backend's limiter of
    this key, or (None) the process-wide one; PlaneValueError for anything else."""
    if given is None:
        return LimiterChoice()
    backend = limiter_backend(given)
    return LimiterChoice(backend, backend.for_key(base_url, api_key, rate_limit))


def api_key_setting(api_key: str | None) -> Secret:
    """``api_key=`` or ``PLANE_API_KEY``, checked, as a ``Secret`` (its repr shows nothing).

    The constructor rebinds its parameter to this first thing, so no frame local shows the
    key if a later check raises (``capture_locals``, ``pytest -l``).
    """
    return checks.check_api_key(api_key if api_key is not None else os.environ.get("PLANE_API_KEY"))


def _check_rate_limit(rate_limit: object) -> RateLimit | None:
    if rate_limit is not None and not isinstance(rate_limit, RateLimit):
        raise PlaneValueError(
            "rate_limit must be a RateLimit, e.g. RateLimit(60, 60.0), or None to follow "
            "the limit the server announces"
        )
    return rate_limit


def _check_session(session: object) -> None:
    if session is not None:
        import aiohttp  # already loaded by whoever made the session

        if not isinstance(session, aiohttp.ClientSession):
            raise PlaneValueError("session must be an aiohttp.ClientSession or None")


def _optional_seconds(value: float | None, name: str) -> float | None:
    return None if value is None else checks.check_positive_number(value, name)


@attrs.frozen
class Settings:
    """A client's checked settings (``Settings.build`` takes ``AsyncPlane``'s arguments)."""

    #: the workspace slug; None when none was configured
    workspace: str | None
    #: the API root, ending in ``/api/v1/``
    base_url: str
    #: the cap given as ``rate_limit=``; None follows the limit the server announces
    rate_limit: RateLimit | None
    max_per_page: int
    #: "work-items" or "issues"; None finds out on the first call
    work_items_segment: Literal["work-items", "issues"] | None
    limiter: LimiterChoice
    transport: TransportSettings
    session: aiohttp.ClientSession | None = attrs.field(repr=False)
    hooks: Hooks | None
    telemetry: Telemetry | None

    @classmethod
    def build(
        cls,
        *,
        api_key: Secret,
        workspace: str | None,
        base_url: str | None,
        rate_limit: RateLimit | None,
        max_retries: int,
        timeout: float | None,
        connect_timeout: float | None,
        session: aiohttp.ClientSession | None,
        allow_insecure_http: bool,
        max_per_page: int,
        retry_post: bool,
        max_response_bytes: int,
        verify_ssl: bool,
        proxy: str | None,
        retry_backoff: tuple[float, float],
        work_items_path: Literal["auto", "work-items", "issues"],
        limiter: Limiter | LimiterBackend | None,
        telemetry: bool | Telemetry,
        on_request: Hook | Sequence[Hook] | None,
        on_response: Hook | Sequence[Hook] | None,
        wait_budget: float | None,
    ) -> Settings:
        """Check every argument (``api_key`` already checked by ``api_key_setting``)."""
        ws = workspace if workspace is not None else os.environ.get("PLANE_WORKSPACE") or None
        slug = checks.check_slug(ws) if ws is not None else None
        url = base_url if base_url is not None else os.environ.get("PLANE_BASE_URL")
        secret_proxy = checks.check_proxy(proxy)
        root = normalize_base_url(
            url or DEFAULT_BASE_URL,
            allow_insecure_http=allow_insecure_http,
            via_proxy=secret_proxy is not None,
        )
        retries = checks.check_max_retries(max_retries)
        per_page = checks.check_max_per_page(max_per_page)
        timeout = _optional_seconds(timeout, "timeout")
        connect_timeout = _optional_seconds(connect_timeout, "connect_timeout")
        budget = checks.check_budget(wait_budget)
        _check_session(session)
        backoff_base, backoff_cap = checks.check_retry_backoff(retry_backoff)
        rate = _check_rate_limit(rate_limit)
        chosen = choose_limiter(limiter, root, api_key, rate)
        segment = checks.check_work_items_path(work_items_path)
        transport = TransportSettings(
            base_url=root, api_key=api_key, max_retries=retries, timeout=timeout,
            connect_timeout=connect_timeout, retry_post=retry_post,
            max_retry_after=(rate or RateLimit()).max_retry_after,
            max_response_bytes=max_response_bytes, verify_ssl=verify_ssl, proxy=secret_proxy,
            backoff_base=backoff_base, backoff_cap=backoff_cap, wait_budget=budget,
        )  # fmt: skip
        return cls(
            workspace=slug, base_url=root, rate_limit=rate, max_per_page=per_page,
            work_items_segment=segment, limiter=chosen, transport=transport, session=session,
            hooks=Hooks.of(on_request, on_response), telemetry=Telemetry.of(telemetry),
        )  # fmt: skip
