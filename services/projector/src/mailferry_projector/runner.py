"""The projector's loop: fetch a batch, apply it with its position, acknowledge, repeat.

Any doubt about the position (a failed batch, a rebuild, a lost consumer) is resolved the same
way: read the tracking row and recreate the consumer right after it. Nothing fetched is ever
dropped without either being committed or re-read from the log.
"""

import asyncio
import logging
import time

import nats.errors
import psycopg
from nats.aio.msg import Msg
from psycopg_pool import AsyncConnectionPool

from mailferry_bus.cancellation import raise_if_cancelled
from mailferry_projector import decoding
from mailferry_projector.consumer import LogConsumer, sequence_of
from mailferry_projector.decoding import Rejected
from mailferry_projector.store import PositionMovedError, Tracking, apply_batch, tracked

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 5.0
REPORT_EVERY_S = 10.0
_TRANSIENT = (nats.errors.Error, psycopg.OperationalError, OSError, asyncio.TimeoutError)


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
        self._failures = 0
        self._reported = (time.monotonic(), 0)

    async def run(self) -> None:
        """Project until cancelled; survive NATS and PostgreSQL outages."""
        while True:
            raise_if_cancelled()
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
        async with self._pool.connection() as conn:
            position = await tracked(conn, self._tracking.name)
        await self._consumer.start_at(position + 1)
        self._position = position

    async def step(self) -> int:
        """Apply one batch; return how many messages it held (0 when the log is idle)."""
        messages = await self._consumer.fetch()
        if not messages:
            return 0
        items = [decoding.read(sequence_of(m), m.subject, m.data) for m in messages]
        before = self._position
        assert before is not None  # noqa: S101 - run() repositions first
        async with self._pool.connection() as conn:
            self._position = await apply_batch(conn, self._tracking, items, before)
        rejected = [i for i in items if isinstance(i, Rejected) and i.seq > before]
        _log_rejected(rejected)
        await self._settle(messages, {i.seq for i in items if isinstance(i, Rejected)})
        self._report(self._position)
        return len(messages)

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
