"""Webhooks: CPU to verify and parse one delivery, against a hand-rolled check.

The body is a work-item update as Plane sends it (``json.dumps`` of the payload, the item
rendered from a recorded response with labels, assignees and state expanded). Cases:

- hand-rolled: ``hmac.new(...).hexdigest()``, ``hmac.compare_digest``, ``json.loads``,
  then two dict reads: what a careful user writes without a library;
- plane_async: ``verify_event`` (the same HMAC, orjson, the typed event) then
  ``event.data.name`` and ``event.activity.field``;
- plane_async + dedupe: the same plus ``Deduplicator.first(event)`` (one SHA-256 of the body
  is computed by ``parse_event`` in every case).

Best of 5 runs of 2,000 deliveries, ``time.process_time()``.

Run: ``python -m benchmarks.bench_webhooks``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from benchmarks._common import REPO_ROOT, Check, Section, table

SECRET = "plane_wh_" + "0123456789abcdef" * 2
RUNS = 5
TARGET = 1.5


def _body() -> bytes:
    fixtures = REPO_ROOT / "tests" / "fixtures"

    def body_of(name: str) -> Any:
        return json.loads((fixtures / f"{name}.json").read_text())["body"]

    me = body_of("users-me")
    data = dict(body_of("work-item-detail"))
    state = body_of("states-list")["results"][0]
    data["labels"] = [
        {k: x[k] for k in ("id", "name", "color")} for x in body_of("labels-list")["results"][:2]
    ]
    data["assignees"] = [me]
    data["state"] = {k: state[k] for k in ("id", "name", "color", "group")}
    payload = {
        "event": "issue",
        "action": "updated",
        "webhook_id": "5b8f3a52-66a4-4bb0-9d3e-0b7b8f5a1c11",
        "workspace_id": "0f3b1e22-2d6c-4a3f-8e57-9c1d7c2a4b10",
        "data": data,
        "activity": {"field": "priority", "new_value": "urgent", "old_value": "none",
                     "actor": me, "old_identifier": None, "new_identifier": None},
    }  # fmt: skip
    return json.dumps(payload).encode()


def _time(case: Callable[[bytes, str], object], body: bytes, signature: str, n: int) -> float:
    best = float("inf")
    for _ in range(RUNS):
        started = time.process_time()
        for _ in range(n):
            case(body, signature)
        best = min(best, time.process_time() - started)
    return best / n * 1e6


def run(quick: bool = False) -> Section:
    from plane_async.webhooks import Deduplicator, verify_event

    body = _body()
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    key = SECRET.encode()

    def hand_rolled(body: bytes, signature: str) -> object:
        expected = hmac.new(key, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise ValueError("bad signature")
        payload = json.loads(body)
        return payload["data"]["name"], payload["activity"]["field"]

    def ours(body: bytes, signature: str) -> object:
        event = verify_event(SECRET, body, signature)
        return event.data.name, event.activity.field

    seen = Deduplicator()

    def ours_dedupe(body: bytes, signature: str) -> object:
        event = verify_event(SECRET, body, signature)
        seen.first(event)
        return event.data.name, event.activity.field

    n = 500 if quick else 2000
    base = _time(hand_rolled, body, signature, n)
    rows: list[dict[str, Any]] = []
    for name, case in (
        ("hand-rolled: hmac + json.loads + 2 dict reads", hand_rolled),
        ("plane_async: verify_event + 2 typed reads", ours),
        ("plane_async: the same + Deduplicator.first", ours_dedupe),
    ):
        us = base if case is hand_rolled else _time(case, body, signature, n)
        rows.append({"case": name, "us_per_delivery": us, "ratio": us / base})
    body_md = (
        f"One work-item update delivery of {len(body):,} bytes; best of {RUNS} runs of {n}.\n\n"
        + table(
            ["case", "CPU µs / delivery", "vs hand-rolled"],
            [[r["case"], f"{r['us_per_delivery']:.1f}", f"{r['ratio']:.2f}x"] for r in rows],
        )
    )
    ratio = float(rows[1]["ratio"])
    checks = (
        Check(
            "webhook verify + parse + 2 reads vs hand-rolled hmac + json",
            f"{ratio:.2f}x",
            f"≤ {TARGET}x",
            ratio <= TARGET,
        ),
    )
    return Section("webhooks", "Webhooks: CPU per delivery", body_md, checks, tuple(rows))


if __name__ == "__main__":
    print(run().body)
