"""One leadership term of the gate: rebuild from the log, then follow it and act.

Nothing is published while the log is replayed. Once caught up, the gate decides for every job
(``decisions.decide``) and appends what it decided with optimistic concurrency at the job's head
as the gate has read it; then it waits until its own events come back through the log before
deciding again for that job. So every decision is made on a state that holds everything the
log held at the job's head, and a concurrent writer (the API, another gate replica) makes the
append fail instead of interleaving.
"""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from nats.errors import Error as NatsError

from mailferry_bus import (
    EMPTY,
    AppendRejectedError,
    Bus,
    ConcurrencyConflictError,
    Head,
    StoredEvent,
)
from mailferry_contracts.subjects import AGGREGATE_JOB
from mailferry_gate.adapters.log_follower import LogFollower
from mailferry_gate.adapters.notifier import publish_gate_ready
from mailferry_gate.adapters.webhook_client import WebhookClient
from mailferry_gate.checks import GatePolicy
from mailferry_gate.decisions import Outcome, decide
from mailferry_gate.handlers import on_batch
from mailferry_gate.settings import WebhookTarget
from mailferry_gate.signing import NOTIFICATION_HEADER, signed_headers
from mailferry_gate.state import State, evolve, job_of
from mailferry_gate.webhooks import (
    Delivery,
    RetryPolicy,
    attempt_envelope,
    next_attempt_at,
    payload_of,
    pending_deliveries,
    redact,
)

log = logging.getLogger(__name__)

DECIDE_EVERY = 500
"""During a burst, decide at least every this many events, even if more are waiting."""


@dataclass(frozen=True)
class Tools:
    """The session's collaborators at the edge; tests pass their own clock, sleep and jitter."""

    bus: Bus
    http: WebhookClient
    clock: Callable[[], datetime]
    sleep: Callable[[float], Awaitable[None]]
    jitter: Callable[[], float]


@dataclass
class Progress:
    """Where the session is in the log."""

    caught_up: asyncio.Event = field(default_factory=asyncio.Event)
    heads: dict[uuid.UUID, Head] = field(default_factory=dict)
    awaiting: dict[uuid.UUID, int] = field(default_factory=dict)
    dirty: set[uuid.UUID] = field(default_factory=set)
    since_decision: int = 0


class GateSession:
    """The gate's work while it holds the leader lease."""

    def __init__(
        self,
        tools: Tools,
        policy: GatePolicy,
        retry: RetryPolicy,
        webhooks: list[WebhookTarget],
    ) -> None:
        self.state = State()
        self.progress = Progress()
        self._tools = tools
        self._policy = policy
        self._retry = retry
        self._targets = {redact(t.url): t for t in webhooks}
        self._changed = asyncio.Event()
        self._recorded: dict[tuple[uuid.UUID, str], int] = {}
        self._inflight: set[tuple[uuid.UUID, str]] = set()
        self._attempts: set[asyncio.Task[None]] = set()

    @property
    def caught_up(self) -> bool:
        """The state holds the whole log as it was when the session started."""
        return self.progress.caught_up.is_set()

    @property
    def idle(self) -> bool:
        """Caught up, nothing left to decide, no own event on its way, no delivery running."""
        progress = self.progress
        waiting = any(
            sequence > progress.heads.get(job_id, EMPTY).sequence
            for job_id, sequence in progress.awaiting.items()
        )
        return self.caught_up and not progress.dirty and not waiting and not self._inflight

    async def run(self) -> None:
        """Follow the log and deliver webhooks until cancelled."""
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._follow())
                group.create_task(self._deliver_webhooks())
        finally:
            for task in self._attempts:
                task.cancel()

    def apply(self, stored: StoredEvent) -> None:
        """Fold one event read from the log."""
        envelope = stored.envelope
        evolve(self.state, envelope, stored.sequence)
        job_id = job_of(envelope)
        if job_id is None:
            return
        if envelope.aggregate_type == AGGREGATE_JOB:
            self.progress.heads[job_id] = Head(stored.sequence, stored.hash)
        self.progress.dirty.add(job_id)
        self.progress.since_decision += 1
        self._changed.set()

    async def after_batch(self, drained: bool) -> None:
        """Decide for the jobs touched, once the log is drained (or a burst went on long)."""
        progress = self.progress
        if drained and not self.caught_up:
            log.info("gate caught up with the event log: %d jobs", len(self.state.jobs))
            progress.caught_up.set()
            self._changed.set()
        if not self.caught_up or not (drained or progress.since_decision >= DECIDE_EVERY):
            return
        progress.since_decision = 0
        for job_id in sorted(progress.dirty):
            await self._decide(job_id)

    async def _follow(self) -> None:
        # aclosing: a cancelled session unsubscribes now, not when the generator is collected
        # (a subscription left behind makes the connection's drain hang).
        async with contextlib.aclosing(LogFollower(self._tools.bus.js).batches()) as batches:
            async for batch in batches:
                await on_batch(self, batch)

    async def _decide(self, job_id: uuid.UUID) -> None:
        progress = self.progress
        head = progress.heads.get(job_id, EMPTY)
        if progress.awaiting.get(job_id, 0) > head.sequence:
            return  # our own last append has not come back yet; decide when it has
        progress.dirty.discard(job_id)
        outcome = decide(self.state.jobs[job_id], self._policy, self._tools.clock())
        try:
            await self._act(job_id, outcome, head)
        except (AppendRejectedError, NatsError) as exc:
            # Transient (a timeout, a leader election in the cluster): decide again at the
            # next drained batch. If it did land, the same ids make the repeat a no-op.
            log.warning("job %s: could not append the gate's decision: %s", job_id, exc)
            progress.dirty.add(job_id)

    async def _act(self, job_id: uuid.UUID, outcome: Outcome, head: Head) -> None:
        if outcome.notification is not None:
            await publish_gate_ready(self._tools.bus.js, outcome.notification)
            log.info("gate_ready published for job %s", job_id)
        if not outcome.events:
            return
        try:
            sequences = await self._tools.bus.events.append(outcome.events, expected=head)
        except ConcurrencyConflictError:
            # Someone appended to the job after the head we decided on: that event is on its
            # way to us and the job will be decided again with it.
            self._await_own(job_id, head.sequence + 1)
            return
        self._await_own(job_id, max(sequences))
        log.info("job %s: %s", job_id, ", ".join(e.type for e in outcome.events))

    def _await_own(self, job_id: uuid.UUID, sequence: int) -> None:
        awaiting = self.progress.awaiting
        awaiting[job_id] = max(awaiting.get(job_id, 0), sequence)

    async def _deliver_webhooks(self) -> None:
        await self.progress.caught_up.wait()
        while True:
            self._changed.clear()
            delay = await self._start_due_deliveries()
            await self._wait_for_change(delay)

    async def _start_due_deliveries(self) -> float | None:
        """Start every due delivery; seconds until the next one falls due (None: none)."""
        now = self._tools.clock()
        waits: list[float] = []
        targets = list(self._targets)
        for delivery in pending_deliveries(self.state, targets, self._retry):
            key = (delivery.notification_id, delivery.url)
            if key in self._inflight or self._recorded.get(key, 0) >= delivery.attempt:
                continue
            if delivery.due_at is not None and delivery.due_at > now:
                waits.append((delivery.due_at - now).total_seconds())
                continue
            self._inflight.add(key)
            task = asyncio.create_task(self._attempt(delivery))
            self._attempts.add(task)
            task.add_done_callback(self._attempts.discard)
        return min(waits, default=None)

    async def _wait_for_change(self, delay: float | None) -> None:
        waiters: list[asyncio.Future[object]] = [asyncio.ensure_future(self._changed.wait())]
        if delay is not None:
            waiters.append(asyncio.ensure_future(self._tools.sleep(delay)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _attempt(self, delivery: Delivery) -> None:
        key = (delivery.notification_id, delivery.url)
        try:
            await self._post_and_record(delivery)
        except Exception:
            log.exception("webhook delivery to %s failed to run", delivery.url)
        finally:
            self._inflight.discard(key)
            self._changed.set()

    async def _post_and_record(self, delivery: Delivery) -> None:
        job = self.state.jobs[delivery.job_id]
        payload = payload_of(job, delivery.notification_id)
        target = self._targets.get(delivery.url)
        if payload is None or target is None:
            return
        body = payload.model_dump_json().encode()
        headers = self._headers(target, body, delivery)
        result = await self._tools.http.post(target.url, body, headers)
        now = self._tools.clock()
        retry_at = next_attempt_at(self._retry, delivery, result, now, self._tools.jitter())
        envelope = attempt_envelope(job, delivery, result, retry_at, now)
        [sequence] = await self._tools.bus.events.append([envelope])
        self._recorded[(delivery.notification_id, delivery.url)] = delivery.attempt
        self._await_own(delivery.job_id, sequence)
        log.info(
            "webhook %s attempt %d: %s",
            delivery.url,
            delivery.attempt,
            "delivered" if result.delivered else result.error,
        )

    def _headers(self, target: WebhookTarget, body: bytes, delivery: Delivery) -> dict[str, str]:
        timestamp = int(self._tools.clock().timestamp())
        signed = signed_headers(target.secret.get_secret_value(), timestamp, body)
        notification = str(delivery.notification_id)
        return {"Content-Type": "application/json", NOTIFICATION_HEADER: notification, **signed}
