"""The event log as the projector reads it: batches of raw messages from a JetStream consumer.

Raw nats-py, not FastStream, because the projector's unit of work is a batch and its position
lives in PostgreSQL:

* a batch of hundreds of events is applied in one transaction and acknowledged after the
  commit; FastStream's batch subscriber decodes each body through its middleware and logs each
  message, which costs more than the SQL of an event, and the handler would still need the raw
  messages for their stream sequences and for terminating the undecodable ones;
* on start, and whenever the tracking row and the process disagree (a rebuild ran), the durable
  consumer is recreated at the tracked position (delete + add with ``opt_start_seq``): that is
  the JetStream management API, not something a declared subscriber does.

Everything else follows the house rules: explicit acks, durable name and stream from
``mailferry_contracts.subjects``, reconnection left to the NATS client (unlimited reconnects).
"""

import contextlib
import logging
from collections.abc import Collection

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from mailferry_contracts import subjects

log = logging.getLogger(__name__)


class LogConsumer:
    """Reads the event log from a given sequence in batches.

    With ``durable`` (the live projector) messages are acknowledged explicitly and survive a
    restart of either side; without it (a rebuild) an ephemeral consumer reads without acks.
    """

    def __init__(
        self,
        js: JetStreamContext,
        *,
        durable: str | None,
        batch_size: int,
        fetch_timeout: float,
        ack_wait: float = 60.0,
    ) -> None:
        self._js = js
        self._durable = durable
        self._batch_size = batch_size
        self._fetch_timeout = fetch_timeout
        self._ack_wait = ack_wait
        self._sub: JetStreamContext.PullSubscription | None = None

    async def start_at(self, first_seq: int) -> None:
        """(Re)create the consumer so that its next message is the one at ``first_seq``."""
        await self.close()
        config = self._config(first_seq)
        if self._durable is not None:
            with contextlib.suppress(NotFoundError):
                await self._js.delete_consumer(subjects.EVENTS_STREAM, self._durable)
        self._sub = await self._js.pull_subscribe(
            subjects.all_events(),
            durable=self._durable,
            stream=subjects.EVENTS_STREAM,
            config=config,
        )
        log.info("reading %s from sequence %d", subjects.EVENTS_STREAM, first_seq)

    def _config(self, first_seq: int) -> ConsumerConfig:
        durable = self._durable is not None
        return ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=max(first_seq, 1),
            ack_policy=AckPolicy.EXPLICIT if durable else AckPolicy.NONE,
            ack_wait=self._ack_wait if durable else None,
            max_deliver=-1 if durable else None,
            max_ack_pending=max(1000, 2 * self._batch_size) if durable else None,
            inactive_threshold=None if durable else 60.0,
            mem_storage=None if durable else True,
        )

    async def fetch(self) -> list[Msg]:
        """The next batch; empty when nothing arrived within the fetch timeout."""
        if self._sub is None:
            raise RuntimeError("start_at() first")
        try:
            return await self._sub.fetch(self._batch_size, timeout=self._fetch_timeout)
        except TimeoutError:
            # nats-py 2.16 raises its own TimeoutError, or a bare asyncio one when the 408 of
            # its no-wait probe arrives just before the deadline; both mean "nothing yet".
            return []

    async def pending(self) -> int:
        """Messages of the log the consumer has not delivered yet."""
        if self._sub is None:
            raise RuntimeError("start_at() first")
        info = await self._sub.consumer_info()
        return int(info.num_pending or 0)

    async def settle(self, messages: list[Msg], rejected: Collection[int]) -> None:
        """After the commit: acknowledge the batch, terminate what can never be projected."""
        if self._durable is None:
            return
        for msg in messages:
            if rejected and sequence_of(msg) in rejected:
                await msg.term()
            else:
                await msg.ack()

    async def close(self) -> None:
        """Stop receiving (the durable consumer itself stays on the server)."""
        if self._sub is None:
            return
        sub, self._sub = self._sub, None
        try:
            await sub.unsubscribe()
        except nats.errors.Error as exc:
            log.debug("unsubscribe failed: %s", exc)


_V1_ACK_TOKENS = 9
"""``$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>``"""


def sequence_of(msg: Msg) -> int:
    """Stream sequence of a message delivered by a JetStream consumer.

    The common reply subject is split here: nats-py's full metadata (timestamps, dataclasses)
    cost a twentieth of the projector's time. Any other form goes through nats-py.
    """
    tokens = (msg.reply or "").split(".")
    if len(tokens) == _V1_ACK_TOKENS and tokens[0] == "$JS" and tokens[1] == "ACK":
        return int(tokens[5])
    return int(msg.metadata.sequence.stream)
