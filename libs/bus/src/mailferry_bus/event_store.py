"""Append-only event log on JetStream with per-aggregate optimistic concurrency and a hash chain.

Every envelope is published with ``Nats-Msg-Id = envelope.id`` (a retried append is a no-op)
and, per aggregate, ``Nats-Expected-Last-Subject-Sequence`` against the wildcard of the
aggregate's subjects: a writer that decided on stale state gets ``ConcurrencyConflictError``
instead of silently interleaving. Several envelopes go in one atomic batch: all or nothing.
"""

import asyncio
import json
import uuid
from bisect import bisect_right
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import BadRequestError, NotFoundError

from mailferry_bus.direct_read import read_until
from mailferry_bus.errors import AppendRejectedError, ConcurrencyConflictError
from mailferry_bus.read_cache import ReadCache
from mailferry_contracts import EVENT_HASH_HEADER, Envelope, decode, encode, event_hash
from mailferry_contracts import subjects as subj

S = TypeVar("S")

_WRONG_LAST_SEQUENCE = 10071
_BATCH_DUPLICATE_ID = 10201
MAX_BATCH = 1000
"""JetStream's limit of messages in one atomic batch."""


@dataclass(frozen=True)
class StoredEvent:
    """An event as read back from the log."""

    sequence: int
    subject: str
    raw: bytes
    envelope: Envelope[Any]

    @property
    def hash(self) -> str:
        """Hash of the stored bytes; the next event of the aggregate carries it."""
        return event_hash(self.raw)


@dataclass(frozen=True)
class Head:
    """Position of an aggregate: the sequence and hash of its last event (0/None when empty)."""

    sequence: int = 0
    hash: str | None = None


EMPTY = Head()


def _sequence(event: StoredEvent) -> int:
    return event.sequence


class EventStore:
    """Reads and appends aggregates' events."""

    def __init__(
        self, nc: Client, js: JetStreamContext, timeout: float = 5.0, cache: ReadCache | None = None
    ) -> None:
        self._nc = nc
        self._js = js
        self._timeout = timeout
        self._cache = cache or ReadCache()

    async def head(self, aggregate: str, aggregate_id: str) -> Head:
        """Sequence and hash of the aggregate's last event."""
        try:
            msg = await self._js.get_last_msg(
                subj.EVENTS_STREAM, subj.aggregate_subjects(aggregate, aggregate_id)
            )
        except NotFoundError:
            return EMPTY
        if msg.data is None or msg.seq is None:
            raise AppendRejectedError("JetStream returned a message without data or sequence")
        return Head(msg.seq, event_hash(msg.data))

    async def load(self, aggregate: str, aggregate_id: str) -> tuple[list[StoredEvent], Head]:
        """Every event of one aggregate in order, and its head."""
        head = await self.head(aggregate, aggregate_id)
        if head.sequence == 0:
            return [], head
        events = await self.read(subj.aggregate_subjects(aggregate, aggregate_id), head.sequence)
        return events, head

    async def read(self, subject_filter: str, until_sequence: int) -> list[StoredEvent]:
        """Events matching ``subject_filter`` from the start up to ``until_sequence``.

        An event at ``until_sequence`` must match the filter (an aggregate's head, or the
        request being dispatched); the read waits for it up to the store's timeout. Only what
        the cache does not hold yet is fetched and decoded.
        """
        known = self._cache.get(subject_filter)
        if known and known[-1].sequence >= until_sequence:
            return known[: bisect_right(known, until_sequence, key=_sequence)]
        start = known[-1].sequence + 1 if known else 1
        stored = await read_until(
            self._nc, subj.EVENTS_STREAM, subject_filter, until_sequence, self._timeout, start
        )
        events = known + [
            StoredEvent(m.sequence, m.subject, m.data, decode(m.data)) for m in stored
        ]
        self._cache.put(subject_filter, events)
        return events

    async def append(
        self, envelopes: Sequence[Envelope[Any]], expected: Head | None = None
    ) -> list[int]:
        """Append envelopes of one aggregate; return their stream sequences.

        With ``expected``, a concurrent writer makes this raise ``ConcurrencyConflictError``.
        Without it, the envelopes are appended at the current head whatever it is (for facts
        that do not depend on the aggregate's state, such as a runner's RunFinished).
        """
        if not envelopes:
            return []
        aggregate, aggregate_id = _single_aggregate(envelopes)
        if expected is not None:
            return await self._append_at(envelopes, expected)
        for _ in range(10):
            head = await self.head(aggregate, aggregate_id)
            try:
                return await self._append_at(envelopes, head)
            except ConcurrencyConflictError:
                continue
        raise ConcurrencyConflictError(subj.aggregate_subjects(aggregate, aggregate_id), -1)

    async def update(
        self,
        aggregate: str,
        aggregate_id: str,
        fold: Callable[[list[StoredEvent]], S],
        decide: Callable[[S], Sequence[Envelope[Any]]]
        | Callable[[S], Awaitable[Sequence[Envelope[Any]]]],
        attempts: int = 3,
    ) -> tuple[S, list[int]]:
        """Load, fold, decide, append at the loaded head; on conflict start over.

        ``decide`` raises to refuse (e.g. a domain error mapped to HTTP 4xx). After
        ``attempts`` conflicts the last ``ConcurrencyConflictError`` propagates (HTTP 409).
        """
        for attempt in range(attempts):
            events, head = await self.load(aggregate, aggregate_id)
            state = fold(events)
            decided = decide(state)
            envelopes = await decided if asyncio.iscoroutine(decided) else decided
            try:
                return state, await self._append_at(envelopes, head)  # type: ignore[arg-type]
            except ConcurrencyConflictError:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _append_at(self, envelopes: Sequence[Envelope[Any]], head: Head) -> list[int]:
        chained = _chain(envelopes, head.hash)
        if not chained:
            return []
        if len(chained) == 1:
            return [await self._publish_one(chained[0], head)]
        if len(chained) > MAX_BATCH:
            raise AppendRejectedError(f"{len(chained)} events exceed one atomic batch")
        return await self._publish_batch(chained, head)

    async def _publish_one(self, item: tuple[str, bytes, Envelope[Any]], head: Head) -> int:
        subject, data, env = item
        headers = {
            "Nats-Msg-Id": str(env.id),
            EVENT_HASH_HEADER: event_hash(data),
            **_occ_headers(env, head),
        }
        try:
            ack = await self._js.publish(
                subject, data, stream=subj.EVENTS_STREAM, headers=headers, timeout=self._timeout
            )
        except BadRequestError as exc:
            if exc.err_code == _WRONG_LAST_SEQUENCE:
                raise ConcurrencyConflictError(
                    headers["Nats-Expected-Last-Subject-Sequence-Subject"],
                    head.sequence,
                    exc.description or "",
                ) from exc
            raise AppendRejectedError(str(exc)) from exc
        return ack.seq

    async def _publish_batch(
        self, items: list[tuple[str, bytes, Envelope[Any]]], head: Head
    ) -> list[int]:
        batch_id = uuid.uuid4().hex
        last = len(items)
        reply: dict[str, Any] = {}
        for position, (subject, data, env) in enumerate(items, start=1):
            headers = {
                "Nats-Msg-Id": str(env.id),
                EVENT_HASH_HEADER: event_hash(data),
                "Nats-Batch-Id": batch_id,
                "Nats-Batch-Sequence": str(position),
            }
            if position == 1:
                headers.update(_occ_headers(env, head))
            if position < last:
                await self._nc.publish(subject, data, headers=headers)
                continue
            headers["Nats-Batch-Commit"] = "1"
            msg = await self._nc.request(subject, data, headers=headers, timeout=self._timeout)
            reply = json.loads(msg.data)
        return await self._batch_outcome(reply, items, head)

    async def _batch_outcome(
        self, reply: dict[str, Any], items: list[tuple[str, bytes, Envelope[Any]]], head: Head
    ) -> list[int]:
        error = reply.get("error")
        if error is None:
            end = int(reply["seq"])
            return list(range(end - len(items) + 1, end + 1))
        code = error.get("err_code")
        first = items[0][2]
        if code == _WRONG_LAST_SEQUENCE:
            raise ConcurrencyConflictError(
                subj.aggregate_subjects(first.aggregate_type, first.aggregate_id),
                head.sequence,
                error.get("description", ""),
            )
        if code == _BATCH_DUPLICATE_ID:
            return await self._already_appended(items)
        raise AppendRejectedError(error.get("description", str(error)))

    async def _already_appended(self, items: list[tuple[str, bytes, Envelope[Any]]]) -> list[int]:
        """A retried batch whose first attempt was committed: return the stored sequences."""
        first = items[0][2]
        events, _ = await self.load(first.aggregate_type, first.aggregate_id)
        by_id = {e.envelope.id: e.sequence for e in events}
        missing = [env.id for _, _, env in items if env.id not in by_id]
        if missing:
            raise AppendRejectedError(f"batch half-known to the dedup window: {missing[:3]}")
        return [by_id[env.id] for _, _, env in items]


def _single_aggregate(envelopes: Sequence[Envelope[Any]]) -> tuple[str, str]:
    keys = {(e.aggregate_type, e.aggregate_id) for e in envelopes}
    if len(keys) != 1:
        raise ValueError(f"one append covers exactly one aggregate, got {sorted(keys)}")
    return next(iter(keys))


def _chain(
    envelopes: Sequence[Envelope[Any]], prev_hash: str | None
) -> list[tuple[str, bytes, Envelope[Any]]]:
    chained = []
    for env in envelopes:
        linked = env.model_copy(update={"prev_hash": prev_hash})
        data = encode(linked)
        subject = subj.event_subject(env.aggregate_type, env.aggregate_id, env.type)
        chained.append((subject, data, linked))
        prev_hash = event_hash(data)
    return chained


def _occ_headers(env: Envelope[Any], head: Head) -> dict[str, str]:
    return {
        "Nats-Expected-Last-Subject-Sequence": str(head.sequence),
        "Nats-Expected-Last-Subject-Sequence-Subject": subj.aggregate_subjects(
            env.aggregate_type, env.aggregate_id
        ),
    }
