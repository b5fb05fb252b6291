"""The command line's ``gather``: a failure cancels the others and waits for them, even when
the gather is itself cancelled meanwhile (one nested in another that fails too), so no
reader is still running when its caller closes it."""

from __future__ import annotations

import asyncio

import pytest

from plane_async.cli._common import gather


async def test_a_nested_gather_cancelled_while_it_cleans_up_still_waits_for_its_tasks() -> None:
    release = asyncio.Event()
    inner_failed = asyncio.Event()
    finished: list[str] = []

    async def slow_to_stop() -> None:
        try:
            await asyncio.Event().wait()  # until cancelled
        finally:
            await release.wait()  # its clean-up takes a while (a request in flight...)
            finished.append("stopped")

    async def fails(event: asyncio.Event | None, why: str) -> None:
        if event is not None:
            await event.wait()
        await asyncio.sleep(0)
        if event is None:
            inner_failed.set()
        raise ValueError(why)

    async def inner() -> None:
        try:
            await gather(slow_to_stop(), fails(None, "work items: the key was revoked"))
        finally:
            # what the export does here: close the readers those tasks iterate
            finished.append("closed")

    outer = asyncio.ensure_future(
        gather(inner(), fails(inner_failed, "memberships: the key was revoked"))
    )
    for _ in range(20):
        await asyncio.sleep(0)
    assert finished == []  # the inner gather still waits for its task's clean-up
    release.set()
    with pytest.raises(ValueError, match="revoked"):
        await outer
    assert finished == ["stopped", "closed"]
