"""The live streams: a snapshot when a browser connects, then coalesced updates.

Every (re)connection starts with ``ready``: the client re-reads what it shows, so a browser that
was away misses nothing (no Last-Event-ID bookkeeping needed). Then ``update`` events follow, at
most one per ``interval_s``.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from nats.js import JetStreamContext

from mailferry_api.progress.stream import latest_progress
from mailferry_api.progress.totals import Reported
from mailferry_api.realtime.coalesce import Batch
from mailferry_api.realtime.hub import Hub, Listener
from mailferry_api.realtime.messages import active_items, job_update, totals
from mailferry_bus import utc_now

INTERVAL_S = 0.5
"""At most two updates per second per stream."""
RETRY_MS = 2000
"""How long a browser waits before reconnecting by itself."""
MAX_TRACKED_JOBS = 1000
"""The jobs list keeps live totals of at most this many jobs."""

Position = Callable[[], Awaitable[int]]
Message = dict[str, Any]


def sse(event: str, data: dict[str, Any], event_id: int | None = None) -> Message:
    """A server-sent event for sse-starlette."""
    message: Message = {"event": event, "data": json.dumps(data, separators=(",", ":"))}
    if event_id:
        message["id"] = str(event_id)
    return message


async def batches(listener: Listener, position: Position) -> AsyncIterator[Batch]:
    """Coalesced batches, paced by the interval; events only once projected."""
    coalescer = listener.coalescer
    while True:
        if not coalescer.pending:
            await listener.wake.wait()
        listener.wake.clear()
        await asyncio.sleep(coalescer.delay(time.monotonic()))
        projected = await position() if coalescer.waits_for_projection else 0
        batch = coalescer.take(projected, time.monotonic())
        if batch is not None:
            yield batch
        elif coalescer.pending:
            # Only events the projector has not applied yet: look again after an interval.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(listener.wake.wait(), coalescer.interval_s)


async def _latest(js: JetStreamContext, job_id: str) -> dict[str, Reported]:
    return {
        str(env.payload.mailbox_id): Reported(env.payload, env.occurred_at)
        for env in await latest_progress(js, job_id)
    }


async def job_snapshot(
    js: JetStreamContext, job_id: str, position: Position
) -> tuple[dict[str, Any], dict[str, Reported]]:
    """What a job page needs when it (re)connects, and the latest report of each mailbox."""
    latest = await _latest(js, job_id)
    now = utc_now()
    ready = {"position": await position(), "progress": active_items(latest, now)}
    return {**ready, "totals": totals(latest, now)}, latest


async def job_stream(hub: Hub, job_id: str, position: Position) -> AsyncIterator[Message]:
    """The live stream of one job page."""
    listener = Listener(lambda job: job == job_id, INTERVAL_S)
    await hub.join(listener)
    try:
        ready, latest = await job_snapshot(hub.js, job_id, position)
        yield {**sse("ready", ready, ready["position"]), "retry": RETRY_MS}
        async for batch in batches(listener, position):
            for signal in batch.progress:
                latest[signal.mailbox_id] = Reported(signal.progress, signal.at)
            yield sse("update", job_update(batch, latest, utc_now()), batch.position)
    finally:
        await hub.leave(listener)


async def jobs_stream(hub: Hub, position: Position) -> AsyncIterator[Message]:
    """The live stream of the jobs list: which jobs changed, and live totals of running ones."""
    listener = Listener(lambda _: True, INTERVAL_S)
    await hub.join(listener)
    tracked: dict[str, dict[str, Reported]] = {}
    try:
        at = await position()
        yield {**sse("ready", {"position": at}, at), "retry": RETRY_MS}
        async for batch in batches(listener, position):
            progress = await _job_totals(hub.js, tracked, batch)
            data = {"position": batch.position or None, "changed": sorted(batch.changed)}
            yield sse("update", {**data, "progress": progress}, batch.position)
    finally:
        await hub.leave(listener)


async def _job_totals(
    js: JetStreamContext, tracked: dict[str, dict[str, Reported]], batch: Batch
) -> dict[str, Any]:
    jobs = {signal.job_id for signal in batch.progress}
    for job in jobs - tracked.keys():
        if len(tracked) >= MAX_TRACKED_JOBS:
            tracked.pop(next(iter(tracked)))
        tracked[job] = await _latest(js, job)
    for signal in batch.progress:
        tracked[signal.job_id][signal.mailbox_id] = Reported(signal.progress, signal.at)
    now = utc_now()
    return {job: totals(tracked[job], now) for job in sorted(jobs)}
