"""AsyncPlane settings: defaults from the environment, validation before any request."""

from __future__ import annotations

import pytest

from plane_async import AsyncPlane, RateLimit
from plane_async._errors import PlaneValueError

KEY = "plane_api_0123456789abcdef0123456789abcdef"


def test_defaults_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANE_API_KEY", KEY)
    monkeypatch.setenv("PLANE_WORKSPACE", "acme")
    monkeypatch.setenv("PLANE_BASE_URL", "https://plane.example.com/")
    plane = AsyncPlane()
    assert plane.workspace == "acme"
    assert plane.base_url == "https://plane.example.com/api/v1/"


def test_default_base_url_is_plane_cloud(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANE_BASE_URL", raising=False)
    assert AsyncPlane(api_key=KEY).base_url == "https://api.plane.so/api/v1/"


def test_missing_key_is_refused_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANE_API_KEY", raising=False)
    with pytest.raises(PlaneValueError, match="PLANE_API_KEY"):
        AsyncPlane()


def test_missing_workspace_is_explained_when_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANE_WORKSPACE", raising=False)
    plane = AsyncPlane(api_key=KEY)
    with pytest.raises(PlaneValueError, match="PLANE_WORKSPACE"):
        _ = plane.workspace


def test_repr_never_shows_the_key() -> None:
    plane = AsyncPlane(api_key=KEY, workspace="acme")
    assert KEY not in repr(plane)
    assert "acme" in repr(plane)


def test_insecure_http_to_remote_host_is_refused() -> None:
    with pytest.raises(PlaneValueError, match="unencrypted"):
        AsyncPlane(api_key=KEY, base_url="http://plane.example.com")
    AsyncPlane(api_key=KEY, base_url="http://plane.example.com", allow_insecure_http=True)
    AsyncPlane(api_key=KEY, base_url="http://127.0.0.1:8000")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_retries": -1},
        {"max_retries": True},
        {"max_per_page": 0},
        {"max_per_page": 1001},
        {"timeout": 0},
        {"timeout": "30"},
        {"rate_limit": (60, 60)},
        {"proxy": "socks5://x"},
        {"workspace": "../admin"},
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(PlaneValueError):
        AsyncPlane(api_key=KEY, **kwargs)  # type: ignore[arg-type]


def test_rate_limit_default_follows_the_server() -> None:
    assert AsyncPlane(api_key=KEY).rate_limit is None
    assert AsyncPlane(api_key=KEY, rate_limit=RateLimit(60, 60.0)).rate_limit == RateLimit(60, 60.0)


@pytest.mark.parametrize("bad", ["plane_api_x y", " plane_api_x", "plane_api_x\r\nX-Evil: 1"])
def test_key_with_whitespace_or_control_characters_is_refused_without_echo(bad: str) -> None:
    with pytest.raises(PlaneValueError, match="whitespace or control") as info:
        AsyncPlane(api_key=bad)
    assert bad.strip() not in str(info.value)


def test_a_closed_client_cannot_be_entered_again() -> None:
    from plane_async._errors import ClientClosedError
    from tests.support import vclock

    async def main() -> None:
        plane = AsyncPlane(api_key=KEY)
        async with plane:
            pass
        assert plane.closed
        async with plane:
            pass

    with pytest.raises(ClientClosedError, match="create a new one"):
        vclock.run(main())
