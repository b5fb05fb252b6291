"""What one event loop uses of a Redis: the client, the script, the pub/sub channels, the
owner its reservations are filed under; and closing or resetting them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import TYPE_CHECKING, Any

from .redis_owner import Owner

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.asyncio.client import PubSub
    from redis.commands.core import AsyncScript

__all__ = ["LoopConn", "close_conn", "load_script", "redis_errors", "reset_conn"]


def load_script() -> str:
    return resources.files("plane_async._ratelimit").joinpath("redis.lua").read_text("utf-8")


def redis_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, OSError)


class LoopConn:
    """What one event loop uses: the client, its script, one pub/sub per key channel, and
    the owner its reservations are filed under."""

    __slots__ = ("background", "client", "gates", "owned", "owner", "pubsubs", "script", "users")

    def __init__(self, client: Redis, owned: bool) -> None:
        self.client = client
        self.owned = owned
        self.script: AsyncScript = client.register_script(load_script())
        self.pubsubs: dict[str, PubSub] = {}
        self.gates: dict[str, asyncio.Lock] = {}
        self.users = 0
        self.owner = Owner()
        # calls that outlive a cancelled caller (hand-backs of unused slots): closing waits
        self.background: set[asyncio.Future[Any]] = set()

    def outlive(self, call: asyncio.Future[Any]) -> None:
        """Keep ``call`` (its caller was cancelled) until it is done; close waits for it."""
        self.background.add(call)
        call.add_done_callback(self.background.discard)


async def close_pubsub(pubsub: PubSub) -> None:
    # redis-py before 8 declares PubSub.aclose() without types; 8 types it
    aclose: Callable[[], Awaitable[object]] = pubsub.aclose
    with contextlib.suppress(*redis_errors()):
        await aclose()


async def close_conn(conn: LoopConn) -> None:
    # The hand-backs that cancelled callers left running go first: closing the pool under
    # them fails them, or redis-py retries them on new connections that nothing closes.
    await asyncio.sleep(0)  # callers cancelled just before this: their hand-backs start now
    while True:
        while conn.background:
            await asyncio.wait(list(conn.background))
        await conn.owner.close()
        for pubsub in conn.pubsubs.values():
            await close_pubsub(pubsub)
        conn.pubsubs.clear()
        if conn.background:
            continue
        if conn.owned:
            with contextlib.suppress(*redis_errors()):
                await conn.client.aclose()
        if not conn.background:
            return


async def reset_conn(conn: LoopConn) -> None:
    pubsubs = list(conn.pubsubs.values())
    conn.pubsubs.clear()
    for pubsub in pubsubs:
        await close_pubsub(pubsub)
    with contextlib.suppress(*redis_errors()):
        await conn.client.connection_pool.disconnect()
