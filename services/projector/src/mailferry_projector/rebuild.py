"""Drop the read models and their tracking, re-apply the migrations, replay the log from 1.

The same code path as the live projector (``apply_batch``), on one connection that holds the
schema's advisory lock from the drop to the last batch: a live projector waits meanwhile, then
finds the tracking row moved and re-reads the log from there. ``schema`` may name a scratch
schema, so that a rebuild can be compared with the live read models without touching them.
"""

import logging
import time
from dataclasses import dataclass
from typing import Any

import psycopg
from nats.js import JetStreamContext

from mailferry_contracts import subjects
from mailferry_projector import decoding
from mailferry_projector.consumer import LogConsumer, sequence_of
from mailferry_projector.decoding import Rejected
from mailferry_projector.lag import stream_last_seq
from mailferry_projector.store import (
    Tracking,
    apply_batch,
    connection_kwargs,
    drop_owned,
    lock_key,
    migrate,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RebuildReport:
    """What a rebuild did."""

    schema: str
    position: int
    events: int
    rejected: int
    seconds: float


async def rebuild(
    js: JetStreamContext,
    database_url: str,
    schema: str,
    *,
    batch_size: int = 500,
    until: int | None = None,
) -> RebuildReport:
    """Rebuild ``schema``'s read models from the log (up to ``until``, default its end)."""
    started = time.monotonic()
    conn = await psycopg.AsyncConnection.connect(database_url, **connection_kwargs(schema))
    try:
        await conn.execute("SELECT pg_advisory_lock(%s)", (lock_key(schema),))
        await _reset(conn, schema)
        target = await stream_last_seq(js) if until is None else until
        position, events, rejected = await replay(js, conn, schema, 0, target, batch_size)
    finally:
        await conn.close()  # also releases the session's advisory lock
    report = RebuildReport(schema, position, events, rejected, time.monotonic() - started)
    log.info("rebuilt %s: %s", schema, report)
    return report


async def _reset(conn: psycopg.AsyncConnection[Any], schema: str) -> None:
    async with conn.transaction():
        await drop_owned(conn, schema)
    await migrate(conn, schema)


async def replay(
    js: JetStreamContext,
    conn: psycopg.AsyncConnection[Any],
    schema: str,
    position: int,
    target: int,
    batch_size: int,
) -> tuple[int, int, int]:
    """Apply the events after ``position`` up to ``target`` into ``schema``'s read models."""
    consumer = LogConsumer(js, durable=None, batch_size=batch_size, fetch_timeout=1.0)
    tracking = Tracking(schema, subjects.PROJECTOR_DURABLE, subjects.EVENTS_STREAM)
    events = rejected = 0
    await consumer.start_at(position + 1)
    try:
        while position < target:
            messages = await consumer.fetch()
            if not messages:
                if await consumer.pending() == 0:
                    break
                continue
            # A fetch may run past the window; what lies beyond it is not this replay's.
            window = [m for m in messages if sequence_of(m) <= target]
            if not window:
                break
            items = [decoding.read(sequence_of(m), m.subject, m.data) for m in window]
            position = await apply_batch(conn, tracking, items, position)
            events += len(items)
            rejected += sum(isinstance(i, Rejected) for i in items)
    finally:
        await consumer.close()
    return position, events, rejected
