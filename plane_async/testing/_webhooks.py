"""FakePlane's webhook sender: signed deliveries, sent the way Plane sends them.

Plane (``bgtasks/webhook_task.py``) posts ``json.dumps(payload)`` with ``Content-Type:
application/json``, ``User-Agent: Autopilot``, ``X-Plane-Delivery`` (a new uuid4 on every
attempt), ``X-Plane-Event`` and ``X-Plane-Signature`` (hex HMAC-SHA256 of the body with the
webhook's secret). It waits 30 s, retries only on a connection error or a timeout (up to
5 times, 0-600 s apart) and never on an HTTP status, then disables the webhook.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable
from typing import Any

import attrs

from ._faults import SeededFaults
from ._router import Call
from ._store import Store
from ._webhook_events import Change, Payload, WebhookEvents

__all__ = ["Webhook", "WebhookDelivery", "WebhookFaults", "WebhookSender"]

#: the subscriptions of Plane's webhook model (``module`` and ``cycle`` cover their items)
EVENTS = frozenset({"project", "issue", "module", "cycle", "issue_comment"})


@attrs.define
class WebhookFaults(SeededFaults):
    """What goes wrong with deliveries. Assign attributes at any time to change them.

    - ``delay`` and ``delay_jitter``: seconds before each delivery is sent
      (``delay + uniform(0, delay_jitter)``); jitter reorders deliveries.
    - ``duplicate_rate``: send a delivered event again (same body, new delivery id), as
      Plane does when its worker runs a task twice.
    - ``lost_response_rate``: the receiver's answer is lost (the sender times out after
      the receiver handled it), so the delivery is retried.
    - ``retry_delay``: at most this many seconds before a retry (Plane: 600); each
      retry waits ``uniform(0, retry_delay)``.
    """

    delay: float = 0.0
    delay_jitter: float = 0.0
    duplicate_rate: float = 0.0
    lost_response_rate: float = 0.0
    retry_delay: float = 0.0


@attrs.define
class Webhook:
    """A webhook as Plane stores it. ``is_active`` turns False after the last retry fails."""

    url: str
    secret: str = attrs.field(repr=False)
    events: frozenset[str] = EVENTS
    id: str = attrs.field(factory=lambda: str(uuid.uuid4()))
    is_active: bool = True


@attrs.frozen
class WebhookDelivery:
    """One attempt to deliver an event. ``status`` is None when no answer came (``error``
    says why); ``fault`` names the injected fault (``"duplicate"``, ``"lost_response"``)."""

    webhook_id: str
    url: str
    event: str
    action: str
    delivery_id: str
    attempt: int
    body: bytes = attrs.field(repr=False)
    headers: dict[str, str] = attrs.field(repr=False)
    status: int | None
    error: str | None = None
    fault: str | None = None


class WebhookSender:
    """The webhooks of one FakePlane and the deliveries it made (``server.webhooks``)."""

    def __init__(
        self,
        store: Store,
        *,
        faults: WebhookFaults | None = None,
        timeout: float = 30.0,
        max_retries: int = 5,
    ) -> None:
        self.hooks: list[Webhook] = []
        #: every attempt, in the order they finished
        self.deliveries: list[WebhookDelivery] = []
        self.faults = faults or WebhookFaults()
        self.timeout = timeout
        self.max_retries = max_retries
        self._events = WebhookEvents(store)
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: Any = None  # an aiohttp.ClientSession, made on the first delivery
        self._sleep = asyncio.sleep  # tests replace it to see the delays without waiting

    def __repr__(self) -> str:
        return f"<WebhookSender hooks={len(self.hooks)} deliveries={len(self.deliveries)}>"

    def add(
        self, url: str, secret: str | None = None, *, events: Iterable[str] = EVENTS
    ) -> Webhook:
        """Register a webhook (works while the server runs). Without ``secret`` one is made
        the way Plane makes it (``plane_wh_`` + 32 hex digits)."""
        chosen = frozenset(events)
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"a webhook URL starts with http:// or https://, not {url!r}")
        if unknown := chosen - EVENTS:
            raise ValueError(f"unknown webhook events {sorted(unknown)}; known: {sorted(EVENTS)}")
        hook = Webhook(url, secret or "plane_wh_" + uuid.uuid4().hex, chosen)
        self.hooks.append(hook)
        return hook

    def remove(self, hook: Webhook) -> None:
        """Stop sending to ``hook`` (deliveries already scheduled still go out)."""
        self.hooks = [h for h in self.hooks if h is not hook]

    @property
    def pending(self) -> int:
        """Deliveries scheduled or in flight (retries included)."""
        return len(self._tasks)

    async def join(self) -> None:
        """Wait until every scheduled delivery, retry and duplicate has been sent."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Cancel what is still scheduled and close the HTTP session. Idempotent."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    # -- the FakePlane hook ---------------------------------------------------------------

    def before(self, call: Call, rel_path: str) -> Change | None:
        """Called before a handler runs: what it may change (None: nothing to send)."""
        if not any(h.is_active for h in self.hooks):
            return None
        return self._events.before(call, rel_path)

    def after(self, change: Change, status: int, body: Any) -> None:
        """Called with the handler's answer: schedule the deliveries of the change."""
        for payload in self._events.after(change, status, body):
            for hook in self.hooks:
                if hook.is_active and payload[0] in hook.events:
                    self._spawn(self._deliver(hook, payload, 0, None))

    # -- sending --------------------------------------------------------------------------

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(
        self, hook: Webhook, payload: Payload, attempt: int, fault: str | None
    ) -> None:
        faults = self.faults
        wait = faults.delay + (faults.rng.uniform(0, faults.delay_jitter) if attempt == 0 else 0)
        if attempt > 0 and faults.retry_delay > 0:
            wait += faults.rng.uniform(0, faults.retry_delay)
        if wait > 0:
            await self._sleep(wait)
        event, action, data, activity = payload
        body = json.dumps(
            {
                "event": event,
                "action": action,
                "webhook_id": hook.id,
                "workspace_id": self._events.store.workspace_id,
                "data": data,
                "activity": activity,
            }
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Autopilot",
            "X-Plane-Delivery": str(uuid.uuid4()),
            "X-Plane-Event": event,
        }
        if hook.secret:
            key = hook.secret.encode("utf-8")
            headers["X-Plane-Signature"] = hmac.new(key, body, hashlib.sha256).hexdigest()
        status, error = await self._post(hook.url, body, headers)
        if status is not None and faults.roll(faults.lost_response_rate):
            status, error, fault = None, "response lost (injected)", "lost_response"
        delivery_id = headers["X-Plane-Delivery"]
        self.deliveries.append(
            WebhookDelivery(
                webhook_id=hook.id,
                url=hook.url,
                event=event,
                action=action,
                delivery_id=delivery_id,
                attempt=attempt,
                body=body,
                headers=headers,
                status=status,
                error=error,
                fault=fault,
            )
        )
        if status is None:
            if attempt < self.max_retries:
                self._spawn(self._deliver(hook, payload, attempt + 1, None))
            else:
                hook.is_active = False  # Plane disables the webhook and emails its owner
        elif fault is None and faults.roll(faults.duplicate_rate):
            self._spawn(self._deliver(hook, payload, attempt, "duplicate"))

    async def _post(
        self, url: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int | None, str | None]:
        import aiohttp

        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(self.timeout))
        try:
            async with self._session.post(url, data=body, headers=headers) as response:
                await response.read()
                return response.status, None
        except (aiohttp.ClientError, TimeoutError) as exc:
            return None, f"{type(exc).__name__}: {exc}"
