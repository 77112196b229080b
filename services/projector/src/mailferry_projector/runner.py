"""The projector's loop: fetch a batch, apply it with its position, acknowledge, repeat.

The next batch is fetched and decoded while PostgreSQL works on the current one: the two
overlap instead of taking turns, which is most of the projector's throughput. Batches are
still applied one after the other, in log order.

Any doubt about the position (a failed batch, a rebuild, a lost consumer) is resolved the same
way: read the tracking row and recreate the consumer right after it. Nothing fetched is ever
dropped without either being committed or re-read from the log.
"""

import asyncio
import logging
import time
from dataclasses import dataclass

import nats.errors
import psycopg
from nats.aio.msg import Msg
from psycopg_pool import AsyncConnectionPool

from mailferry_bus.cancellation import raise_if_cancelled
from mailferry_projector import decoding
from mailferry_projector.consumer import LogConsumer, sequence_of
from mailferry_projector.decoding import Item, Rejected
from mailferry_projector.store import PositionMovedError, Tracking, apply_batch, tracked

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 5.0
REPORT_EVERY_S = 10.0
_TRANSIENT = (nats.errors.Error, psycopg.OperationalError, OSError, asyncio.TimeoutError)


@dataclass(frozen=True)
class _Batch:
    messages: list[Msg]
    items: list[Item]


class Projector:
    """Keeps one schema's read models up to date with the event log."""

    def __init__(
        self,
        pool: AsyncConnectionPool,
        consumer: LogConsumer,
        tracking: Tracking,
    ) -> None:
        self._pool = pool
        self._consumer = consumer
        self._tracking = tracking
        self._position: int | None = None
        self._next: asyncio.Future[_Batch] | None = None
        self._failures = 0
        self._reported = (time.monotonic(), 0)

    async def run(self) -> None:
        """Project until cancelled; survive NATS and PostgreSQL outages."""
        try:
            while True:
                raise_if_cancelled()
                await self._safe_step()
        finally:
            await self._drop_next()

    async def _safe_step(self) -> None:
        try:
            if self._position is None:
                await self.reposition()
            await self.step()
            self._failures = 0
        except asyncio.CancelledError:
            raise
        except PositionMovedError as exc:
            log.warning("position moved (%s); re-reading the log", exc)
            self._position = None
        except Exception as exc:  # the loop must outlive any one failure
            await self._back_off(exc)

    async def reposition(self) -> None:
        """Re-read the tracked position and restart the consumer right after it."""
        await self._drop_next()
        async with self._pool.connection() as conn:
            position = await tracked(conn, self._tracking.name)
        await self._consumer.start_at(position + 1)
        self._position = position

    async def step(self) -> int:
        """Apply one batch; return how many messages it held (0 when the log is idle)."""
        reading = self._next or asyncio.ensure_future(self._read())
        self._next = None
        batch = await reading
        messages, items = batch.messages, batch.items
        if not messages:
            return 0
        self._next = asyncio.ensure_future(self._read())  # runs while PostgreSQL applies
        before = self._position
        assert before is not None  # noqa: S101 - run() repositions first
        async with self._pool.connection() as conn:
            self._position = await apply_batch(conn, self._tracking, items, before)
        rejected = [i for i in items if isinstance(i, Rejected) and i.seq > before]
        _log_rejected(rejected)
        await self._settle(messages, {i.seq for i in items if isinstance(i, Rejected)})
        self._report(self._position)
        return len(messages)

    async def _read(self) -> _Batch:
        messages = await self._consumer.fetch()
        return _Batch(
            messages, [decoding.read(sequence_of(m), m.subject, m.data) for m in messages]
        )

    async def _drop_next(self) -> None:
        """Forget the batch read ahead: it is read again from the tracked position."""
        reading, self._next = self._next, None
        if reading is None:
            return
        reading.cancel()
        await asyncio.wait({reading})
        if not reading.cancelled() and reading.exception() is not None:
            log.debug("the batch read ahead failed: %s", reading.exception())

    def _report(self, position: int) -> None:
        """An INFO line at most every few seconds while the projector is busy."""
        now = time.monotonic()
        since, count = self._reported
        count += 1
        if now - since < REPORT_EVERY_S:
            self._reported = (since, count)
            return
        log.info("projected up to sequence %d (%d batches in %.0fs)", position, count, now - since)
        self._reported = (now, 0)

    async def _settle(self, messages: list[Msg], rejected: set[int]) -> None:
        try:
            await self._consumer.settle(messages, rejected)
        except _TRANSIENT as exc:
            # Committed already: a redelivery is skipped by its sequence.
            log.warning("acknowledging a committed batch failed: %s", exc)

    async def _back_off(self, exc: Exception) -> None:
        self._failures += 1
        delay = min(MAX_BACKOFF_S, 0.2 * 2 ** min(self._failures, 5))
        if isinstance(exc, _TRANSIENT):
            log.warning("projector paused %.1fs: %s: %s", delay, type(exc).__name__, exc)
        else:
            log.exception("projector failed; retrying in %.1fs", delay)
        self._position = None
        await asyncio.sleep(delay)


def _log_rejected(rejected: list[Rejected]) -> None:
    for item in rejected:
        log.error("event at sequence %d (%s) skipped: %s", item.seq, item.event_type, item.reason)
