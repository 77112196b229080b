"""Reading a stream of events as stored bytes, undecoded: an altered event must not stop us.

Works on ``MIGRATION_EVENTS`` and on any copy of it whose subjects keep the
``<prefix>.<aggregate>.<id>.<event>`` shape (a scratch stream in tests, a restored backup).
"""

import json
from dataclasses import dataclass

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from mailferry_contracts import EVENT_HASH_HEADER, subjects

FETCH = 512


@dataclass(frozen=True)
class RawEvent:
    """One stored message: stream sequence, subject, bytes, and the hash it was stored with."""

    seq: int
    subject: str
    data: bytes
    stored_hash: str | None = None
    """Its ``EVENT_HASH_HEADER``; None on events appended before the header existed."""


@dataclass(frozen=True)
class StreamShape:
    """Where a stream's events live."""

    name: str
    prefix: str
    """Subject prefix in front of ``<aggregate>.<id>.<event>`` (``migration.events``)."""
    first_seq: int
    last_seq: int


def rebase(subject: str, prefix: str) -> str:
    """A subject of ``subjects`` (under ``migration.events``) moved under ``prefix``."""
    return prefix + subject.removeprefix(subjects.EVENTS_ROOT)


async def stream_shape(js: JetStreamContext, name: str) -> StreamShape:
    """The stream's subject prefix and sequence range."""
    info = await js.stream_info(name)
    first = (info.config.subjects or [subjects.all_events()])[0]
    return StreamShape(
        name=name,
        prefix=first.removesuffix(".>"),
        first_seq=info.state.first_seq,
        last_seq=info.state.last_seq,
    )


async def deleted_sequences(nc: Client, name: str) -> set[int]:
    """Sequences removed from the stream (the event log denies deletes: any is tampering)."""
    request = json.dumps({"deleted_details": True}).encode()
    reply = await nc.request(f"$JS.API.STREAM.INFO.{name}", request, timeout=10)
    state = json.loads(reply.data).get("state", {})
    return set(state.get("deleted") or [])


async def read_raw(
    js: JetStreamContext, stream: str, subject_filter: str, until_seq: int
) -> list[RawEvent]:
    """Every message matching ``subject_filter`` up to ``until_seq``, in order, as bytes."""
    if until_seq <= 0:
        return []
    sub = await js.pull_subscribe(
        subject_filter,
        stream=stream,
        config=ConsumerConfig(
            ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL,
            inactive_threshold=30.0, mem_storage=True, num_replicas=1,
        ),
    )  # fmt: skip
    events: list[RawEvent] = []
    try:
        while not events or events[-1].seq < until_seq:
            try:
                batch = await sub.fetch(batch=FETCH, timeout=2.0)
            except (NatsTimeoutError, TimeoutError):
                break  # nothing more matches the filter
            events += [_raw(m) for m in batch]
    finally:
        await sub.unsubscribe()
    return [e for e in events if e.seq <= until_seq]


def _raw(msg: Msg) -> RawEvent:
    stored_hash = (msg.headers or {}).get(EVENT_HASH_HEADER)
    return RawEvent(msg.metadata.sequence.stream, msg.subject, msg.data, stored_hash)
