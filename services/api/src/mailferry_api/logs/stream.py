"""Reading run logs from the LOGS stream (``migration.logs.<mailbox>.<run>``): no shared disk."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from mailferry_api.logs.lines import Chunk
from mailferry_bus.runners.run_log import ATTEMPT_HEADER
from mailferry_contracts import subjects

_BATCH = 256


class LogReader:
    """Chunks of one run's log, in order: what is stored, then (``follow``) what arrives."""

    def __init__(self, js: JetStreamContext, mailbox_id: str, run_id: str) -> None:
        self._js = js
        self._run_id = run_id
        self.subject = subjects.log_subject(mailbox_id, run_id)

    async def last_sequence(self) -> int:
        """Stream sequence of the newest chunk (0: the run has logged nothing yet)."""
        try:
            msg = await self._js.get_last_msg(subjects.LOGS_STREAM, self.subject)
        except NotFoundError:
            return 0
        return msg.seq or 0

    async def stored(self) -> AsyncIterator[Chunk]:
        """Every chunk stored now."""
        last = await self.last_sequence()
        if last == 0:
            return
        async with self._consumer() as sub:
            seen = 0
            while seen < last:
                for msg in await sub.fetch(batch=_BATCH, timeout=5.0):
                    chunk = _chunk(msg)
                    seen = chunk.sequence
                    yield chunk

    async def follow(self, poll_s: float = 1.0) -> AsyncIterator[Chunk | None]:
        """Every chunk, stored and new, until the run finished and all was read.

        Yields ``None`` on each idle poll, so the caller can send a keep-alive.
        """
        async with self._consumer() as sub:
            while True:
                try:
                    for msg in await sub.fetch(batch=_BATCH, timeout=poll_s):
                        yield _chunk(msg)
                    continue
                except NatsTimeoutError:
                    pass
                # Chunks are published before RunFinished: once it is there, all of them are.
                if await self.run_finished() and await self._drained(sub):
                    return
                yield None

    async def run_finished(self) -> bool:
        subject = subjects.event_subject(subjects.AGGREGATE_RUN, self._run_id, "RunFinished")
        try:
            await self._js.get_last_msg(subjects.EVENTS_STREAM, subject)
        except NotFoundError:
            return False
        return True

    async def _drained(self, sub: JetStreamContext.PullSubscription) -> bool:
        info = await sub.consumer_info()
        return not info.num_pending

    @asynccontextmanager
    async def _consumer(self) -> AsyncIterator[JetStreamContext.PullSubscription]:
        sub = await self._js.pull_subscribe(
            self.subject,
            stream=subjects.LOGS_STREAM,
            config=ConsumerConfig(
                ack_policy=AckPolicy.NONE,
                deliver_policy=DeliverPolicy.ALL,
                inactive_threshold=30.0,
                mem_storage=True,
                num_replicas=1,
            ),
        )
        try:
            yield sub
        finally:
            await sub.unsubscribe()


def _chunk(msg: Msg) -> Chunk:
    attempt = (msg.headers or {}).get(ATTEMPT_HEADER, "1")
    return Chunk(
        sequence=msg.metadata.sequence.stream,
        attempt=int(attempt) if attempt.isdigit() else 1,
        text=msg.data.decode("utf-8", errors="replace"),
    )
