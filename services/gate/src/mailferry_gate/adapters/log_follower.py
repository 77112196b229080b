"""Reads the event log from sequence 1, then keeps following it.

An ephemeral pull consumer without acks (the gate rebuilds its state from the log at every
start, so it has nothing to acknowledge). If the server forgets the consumer (restart,
inactivity), it is created again from the next sequence, as ordered consumers do.
"""

import contextlib
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError, ServiceUnavailableError

from mailferry_bus import StoredEvent
from mailferry_bus.cancellation import raise_if_cancelled
from mailferry_contracts import UndecodableMessageError, decode
from mailferry_contracts import subjects as subj

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Batch:
    """Events read in one fetch; ``drained`` when nothing more is waiting in the log."""

    events: list[StoredEvent]
    drained: bool


class LogFollower:
    """Yields batches of the event log, forever."""

    def __init__(self, js: JetStreamContext, batch: int = 256, idle_s: float = 1.0) -> None:
        self._js = js
        self._batch = batch
        self._idle = idle_s
        self._next = 1

    async def batches(self) -> AsyncGenerator[Batch, None]:
        """Every event once, in stream order; an empty drained batch when idle."""
        sub = await self._subscribe()
        try:
            while True:
                raise_if_cancelled()
                try:
                    msgs = await sub.fetch(batch=self._batch, timeout=self._idle)
                except TimeoutError:
                    # nats-py 2.16 raises its own TimeoutError, or a bare asyncio one when the
                    # 408 of its no-wait probe arrives just before the deadline: both mean idle.
                    yield Batch([], drained=True)
                    continue
                except (NotFoundError, ServiceUnavailableError):
                    log.warning("event log consumer lost; resuming at sequence %d", self._next)
                    sub = await self._subscribe()
                    continue
                events = [e for e in map(self._stored, msgs) if e is not None]
                drained = not msgs or msgs[-1].metadata.num_pending == 0
                yield Batch(events, drained=drained)
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _subscribe(self) -> JetStreamContext.PullSubscription:
        return await self._js.pull_subscribe(
            subj.all_events(),
            stream=subj.EVENTS_STREAM,
            config=ConsumerConfig(
                ack_policy=AckPolicy.NONE,
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=self._next,
                inactive_threshold=60.0,
                mem_storage=True,
                num_replicas=1,
            ),
        )

    def _stored(self, msg: object) -> StoredEvent | None:
        seq: int = msg.metadata.sequence.stream  # type: ignore[attr-defined]
        self._next = seq + 1
        try:
            envelope = decode(msg.data)  # type: ignore[attr-defined]
        except UndecodableMessageError as exc:
            # The log cannot be dead-lettered; skipping is all the gate can do, loudly.
            log.error("event log sequence %d skipped: %s", seq, exc)  # noqa: TRY400 - expected
            return None
        return StoredEvent(seq, msg.subject, msg.data, envelope)  # type: ignore[attr-defined]
