"""Webhooks, pure: signatures computed as Plane computes them, typed events, dedupe keys."""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from plane_async import FieldValueError, PlaneError, PlaneValueError
from plane_async.models import Issue, Priority, User
from plane_async.webhooks import (
    CommentEvent,
    CycleEvent,
    Deduplicator,
    IssueEvent,
    ModuleEvent,
    ProjectEvent,
    WebhookAction,
    WebhookEvent,
    WebhookPayloadError,
    WebhookVerificationError,
    parse_event,
    sign,
    verify_event,
    verify_signature,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"
SECRET = "plane_wh_" + "0123456789abcdef" * 2
WEBHOOK_ID = "5b8f3a52-66a4-4bb0-9d3e-0b7b8f5a1c11"
WORKSPACE_ID = "0f3b1e22-2d6c-4a3f-8e57-9c1d7c2a4b10"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())["body"]


ME = fixture("users-me")


def plane_delivery(
    event: str, action: str, data: dict[str, Any], activity: dict[str, Any] | None = None
) -> tuple[bytes, str]:
    """(body, signature) exactly as Plane's webhook_send_task builds and requests sends them."""
    payload = {
        "event": event,
        "action": action,
        "webhook_id": WEBHOOK_ID,
        "workspace_id": WORKSPACE_ID,
        "data": data,
        "activity": activity
        or {
            "field": None,
            "new_value": None,
            "old_value": None,
            "actor": ME,
            "old_identifier": None,
            "new_identifier": None,
        },
    }
    signature = hmac.new(
        SECRET.encode("utf-8"), json.dumps(payload).encode("utf-8"), hashlib.sha256
    ).hexdigest()
    body = json.dumps(payload, allow_nan=False).encode("utf-8")  # requests' json= body
    return body, signature


def issue_data(**changes: Any) -> dict[str, Any]:
    """A work item as Plane's IssueExpandSerializer renders it for a webhook."""
    data = dict(fixture("work-item-detail"))
    labels = fixture("labels-list")["results"][:2]
    state = fixture("states-list")["results"][0]
    data["labels"] = [{k: lab[k] for k in ("id", "name", "color")} for lab in labels]
    data["assignees"] = [ME]
    data["state"] = {k: state[k] for k in ("id", "name", "color", "group")}
    data["description"] = {"type": "doc", "content": [{"type": "paragraph"}]}
    data.update(changes)
    return data


# -- signatures ------------------------------------------------------------------------------


def test_signatures_match_plane_for_non_ascii_floats_and_nested_data() -> None:
    data = issue_data(
        name="Café ☕ — naïve 日本語 \U0001f680",
        sort_order=65535.123456789,
        point=3,
        description={"content": [{"text": "ü", "marks": [{"attrs": {"x": 1e-07, "y": 1e16}}]}]},
    )
    body, signature = plane_delivery("issue", "created", data)
    assert b"\\u00e9" in body and b"1e+16" in body  # what Python's json.dumps produces
    assert verify_signature(SECRET, body, signature)
    assert sign(SECRET, body) == signature
    event = verify_event(SECRET, body, signature)
    assert isinstance(event, IssueEvent)
    assert event.data.name == "Café ☕ — naïve 日本語 \U0001f680"
    assert event.data.sort_order == 65535.123456789


def test_tampered_bodies_wrong_secrets_and_bad_signatures_are_refused() -> None:
    body, signature = plane_delivery("issue", "created", issue_data())
    assert verify_signature(SECRET, body, signature)
    assert verify_signature(SECRET, body, signature.upper())  # hex is hex
    tampered = body.replace(b'"Seed issue', b'"Evil issue')
    assert tampered != body
    assert not verify_signature(SECRET, tampered, signature)
    assert not verify_signature(SECRET + "x", body, signature)
    assert not verify_signature(SECRET, body, "sha256=" + signature)
    assert not verify_signature(SECRET, body, signature[:-1])
    assert not verify_signature(SECRET, body, "zz" * 32)
    assert not verify_signature(SECRET, body, "é" * 64)
    assert not verify_signature(SECRET, body, "")
    assert not verify_signature(SECRET, body, None)
    # re-serialised JSON is not what Plane signed
    reserialised = json.dumps(json.loads(body), separators=(",", ":")).encode()
    assert not verify_signature(SECRET, reserialised, signature)
    with pytest.raises(WebhookVerificationError, match="does not match"):
        verify_event(SECRET, tampered, signature)
    with pytest.raises(WebhookVerificationError, match="no X-Plane-Signature"):
        verify_event(SECRET, body, None)


def test_bad_secrets_and_text_bodies_are_refused_before_comparing() -> None:
    body, signature = plane_delivery("project", "created", fixture("project-detail"))
    with pytest.raises(PlaneValueError, match="empty"):
        verify_signature("", body, signature)
    with pytest.raises(PlaneValueError, match="empty"):
        verify_signature(b"", body, signature)
    with pytest.raises(PlaneValueError, match="trailing newline"):
        verify_signature(SECRET + "\n", body, signature)
    with pytest.raises(PlaneValueError, match="raw request body as bytes"):
        verify_signature(SECRET, body.decode(), signature)  # type: ignore[arg-type]
    assert verify_signature(SECRET.encode(), bytearray(body), signature)


def test_secrets_never_appear_in_errors_or_reprs() -> None:
    body, signature = plane_delivery("issue", "created", issue_data())
    texts = []
    for bad in (SECRET + " ", "x"):
        try:
            verify_event(bad, body, signature)
        except PlaneError as exc:
            texts.append(repr(exc) + str(exc))
    texts.append(repr(Deduplicator()))
    texts.append(repr(parse_event(body)))
    assert texts and not any(SECRET in t or "plane_wh_" in t for t in texts)


# -- parsing ---------------------------------------------------------------------------------


def test_every_event_kind_is_parsed_into_its_model() -> None:
    cases: list[tuple[str, dict[str, Any], type[WebhookEvent], str]] = [
        ("issue", issue_data(), IssueEvent, "Seed issue #250"),
        ("project", fixture("project-detail"), ProjectEvent, "Website"),
        ("cycle", fixture("cycle-detail"), CycleEvent, "Sprint 1"),
        ("module", fixture("module-detail"), ModuleEvent, "Auth"),
        ("issue_comment", fixture("comment-create"), CommentEvent, ""),
    ]
    for kind, data, cls, name in cases:
        body, signature = plane_delivery(kind, "created", data)
        event = verify_event(SECRET, body, signature, delivery_id="d-1")
        assert type(event) is cls, kind
        assert event.event == kind
        assert event.action is WebhookAction.CREATED
        assert event.webhook_id == uuid.UUID(WEBHOOK_ID)
        assert event.workspace_id == uuid.UUID(WORKSPACE_ID)
        assert event.object_id == uuid.UUID(data["id"])
        assert event.delivery_id == "d-1"
        assert event.activity.field is None
        assert isinstance(event.activity.actor, User)
        assert event.activity.actor.email == "alice@example.com"
        if name:
            assert str(getattr(event.data, "name", "")).startswith(name), kind
    issue = parse_event(plane_delivery("issue", "created", issue_data())[0])
    assert isinstance(issue, IssueEvent) and isinstance(issue.data, Issue)
    assert issue.data.priority is Priority(issue_data()["priority"])
    assert [label.name for label in issue.data.labels] == [
        lab["name"] for lab in fixture("labels-list")["results"][:2]
    ]
    assert issue.data.assignees[0].display_name == "alice"
    assert issue.data.state is not None and not isinstance(issue.data.state, uuid.UUID)
    comment = parse_event(plane_delivery("issue_comment", "created", fixture("comment-create"))[0])
    assert isinstance(comment, CommentEvent)
    assert comment.data.comment_html == "<p>fixture comment</p>"


def test_an_update_names_the_field_and_keeps_both_values() -> None:
    activity = {
        "field": "priority",
        "new_value": "urgent",
        "old_value": "none",
        "actor": ME,
        "old_identifier": None,
        "new_identifier": None,
    }
    event = parse_event(plane_delivery("issue", "updated", issue_data(), activity)[0])
    assert event.action == "updated"
    assert (event.activity.field, event.activity.old_value, event.activity.new_value) == (
        "priority",
        "none",
        "urgent",
    )
    assert repr(event).startswith("IssueEvent(action='updated', id=")
    assert "field='priority'" in repr(event)


def test_old_action_spellings_are_normalised() -> None:
    for sent, expected in (
        ("create", "created"),
        ("update", "updated"),
        ("delete", "deleted"),
        ("PATCH", "updated"),
        ("deleted", "deleted"),
    ):
        event = parse_event(plane_delivery("project", sent, {"id": WEBHOOK_ID})[0])
        assert event.action is WebhookAction(expected)
    newer = parse_event(plane_delivery("project", "archived", {"id": WEBHOOK_ID})[0])
    assert newer.action == "archived" and not newer.action.is_known


def test_a_deletion_carries_only_the_id() -> None:
    project_id = str(uuid.uuid4())
    event = parse_event(plane_delivery("project", "deleted", {"id": project_id})[0])
    assert isinstance(event, ProjectEvent) and event.action is WebhookAction.DELETED
    assert event.object_id == event.data.id == uuid.UUID(project_id)
    assert not hasattr(event.data, "name")


def test_a_null_activity_fails_only_when_read() -> None:
    payload = json.loads(plane_delivery("issue", "created", issue_data())[0])
    payload["activity"] = None
    event = parse_event(json.dumps(payload))
    assert event.action is WebhookAction.CREATED
    with pytest.raises(FieldValueError, match="activity"):
        _ = event.activity


def test_an_unknown_event_kind_is_a_generic_event() -> None:
    body, _ = plane_delivery("intake_issue", "created", {"id": WEBHOOK_ID, "status": -2})
    event = parse_event(body)
    assert type(event) is WebhookEvent
    assert event.event == "intake_issue" and event.data == {"id": WEBHOOK_ID, "status": -2}
    assert repr(event).startswith("WebhookEvent(event='intake_issue'")


def test_an_odd_field_fails_only_when_read() -> None:
    body, _ = plane_delivery("issue", "updated", issue_data(priority=7, sort_order="x"))
    event = parse_event(body)
    assert isinstance(event, IssueEvent)
    assert event.data.name == "Seed issue #250"
    with pytest.raises(FieldValueError, match=r"Issue\.priority"):
        _ = event.data.priority
    odd = parse_event(body.replace(WEBHOOK_ID.encode(), b"not-a-uuid"))
    with pytest.raises(FieldValueError, match="webhook_id"):
        _ = odd.webhook_id
    assert odd.action is WebhookAction.UPDATED
    assert parse_event(body.decode()) == event  # text bodies parse too


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not JSON"),
        (b"<html>", "not JSON"),
        (b"[1, 2]", "JSON list, not an object"),
        (b'{"action": "created"}', 'no "event"'),
        (b'{"event": 3}', 'no "event"'),
    ],
)
def test_a_body_that_is_not_a_delivery_is_a_payload_error(body: bytes, message: str) -> None:
    with pytest.raises(WebhookPayloadError, match=message) as info:
        parse_event(body)
    assert isinstance(info.value, ValueError)


# -- deduplication ---------------------------------------------------------------------------


def test_dedupe_keys_are_stable_across_retries_and_differ_between_fields() -> None:
    activity = {"field": "name", "new_value": "b", "old_value": "a", "actor": ME}
    body, _ = plane_delivery("issue", "updated", issue_data(), activity)
    first = parse_event(body, delivery_id=str(uuid.uuid4()))
    retry = parse_event(body, delivery_id=str(uuid.uuid4()))  # Plane: same bytes, new id
    assert first.delivery_id != retry.delivery_id
    assert first.dedupe_key == retry.dedupe_key == hashlib.sha256(body).hexdigest()
    assert first == retry and len({first, retry}) == 1
    other_field = {**activity, "field": "priority", "new_value": "low", "old_value": "none"}
    other = parse_event(plane_delivery("issue", "updated", issue_data(), other_field)[0])
    assert other.dedupe_key != first.dedupe_key and other != first
    copied = pickle.loads(pickle.dumps(first))
    assert copied.dedupe_key == first.dedupe_key and copied.delivery_id == first.delivery_id


def test_a_deduplicator_collapses_repeats_and_stays_bounded() -> None:
    seen = Deduplicator(maxsize=3)
    bodies = [plane_delivery("project", "deleted", {"id": str(uuid.uuid4())})[0] for _ in range(5)]
    events = [parse_event(b) for b in bodies]
    assert [seen.first(e) for e in events[:2]] == [True, True]
    assert not seen.first(parse_event(bodies[0]))  # a retry
    seen.forget(events[1])
    assert seen.first(events[1])
    for e in events[2:]:
        seen.first(e)
    assert len(seen) == 3
    assert seen.first(events[4]) is False  # the newest are remembered
    assert seen.first(events[0]) is True  # the oldest were let go
    with pytest.raises(PlaneValueError):
        Deduplicator(maxsize=0)


@pytest.mark.slow
def test_importing_webhooks_loads_no_web_framework() -> None:
    code = (
        "import sys, plane_async.webhooks as w\n"
        "names = ('aiohttp.web', 'aiohttp', 'starlette', 'fastapi')\n"
        "bad = [m for m in names if m in sys.modules]\n"
        "assert not bad, bad\n"
        "import plane_async.webhooks.asgi\n"
        "assert 'starlette' in sys.modules and 'aiohttp.web' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_webhook_errors_are_in_the_error_tree_and_exported_with_the_errors() -> None:
    import plane_async

    assert plane_async.WebhookVerificationError is WebhookVerificationError
    assert plane_async.WebhookPayloadError is WebhookPayloadError
    assert issubclass(WebhookVerificationError, PlaneError)
    assert issubclass(WebhookPayloadError, PlaneError) and issubclass(
        WebhookPayloadError, ValueError
    )
    with pytest.raises(PlaneError):
        verify_event(SECRET, b"{}", "0" * 64)
    with pytest.raises(ValueError):
        parse_event(b"[]")


@pytest.mark.parametrize(
    ("name", "module"),
    [("aiohttp_handler", "plane_async.webhooks.aiohttp"),
     ("WebhookDependency", "plane_async.webhooks.asgi")],
)  # fmt: skip
def test_the_receivers_old_attribute_paths_still_work_with_a_deprecation(
    name: str, module: str
) -> None:
    import importlib

    import plane_async.webhooks as webhooks

    with pytest.warns(DeprecationWarning, match=f"import it from {module} instead"):
        old = getattr(webhooks, name)
    assert old is getattr(importlib.import_module(module), name)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        webhooks.Nope  # type: ignore[attr-defined]  # noqa: B018


def test_the_module_exports_are_sorted_and_exist() -> None:
    import plane_async.webhooks as module

    assert module.__all__ == sorted(module.__all__)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
