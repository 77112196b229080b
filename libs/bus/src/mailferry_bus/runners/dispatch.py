"""The dispatcher: turns a job request into one RunQueued and one self-contained command per run.

One durable consumer per runner kind (``dispatch-<kind>``), shared by all its processes, reads
the job request events. For each request it folds the job stream up to that event (so a later
change to the job does not leak into an earlier request), selects the mailboxes of its kind,
and per mailbox appends RunQueued (deterministic id) and publishes the command with
``Nats-Msg-Id = run_id``. A redelivered request therefore creates nothing new.
"""

import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from mailferry_bus.clock import utc_now
from mailferry_bus.runners.keepalive import keep_alive
from mailferry_bus.runners.outcome import event_id
from mailferry_bus.runners.selection import REQUEST_TYPES, Selected, select
from mailferry_bus.runtime import Bus
from mailferry_contracts import (
    Envelope,
    UndecodableMessageError,
    caused_by,
    decode,
    encode,
    system_actor,
)
from mailferry_contracts import subjects as subj
from mailferry_contracts.common import RunnerKind
from mailferry_contracts.job_view import JobView
from mailferry_contracts.routing import run_id_for
from mailferry_contracts.runs import MailboxWork, RunFinished, RunQueued, RunStarted

log = logging.getLogger(__name__)

DISPATCH_ACK_WAIT_S = 60.0
DISPATCH_HEARTBEAT_S = 15.0


class CommandBuilder(Protocol):
    """Builds a runner kind's command for one selected mailbox (``None``: nothing to run)."""

    def __call__(
        self, view: JobView, selected: Selected, run_id: uuid.UUID, request_id: uuid.UUID
    ) -> MailboxWork | None: ...


Selector = Callable[[JobView, Any, RunnerKind], list[Selected]]
"""Which mailboxes a request selects; a kind with its own request types (uploads) passes one."""


def request_subjects(request_types: Sequence[type[Any]] = REQUEST_TYPES) -> list[str]:
    """Subjects of the request events a dispatcher consumes."""
    return [subj.events_of_type(subj.AGGREGATE_JOB, t.__name__) for t in request_types]


def dispatcher_consumer(
    kind: str, request_types: Sequence[type[Any]] = REQUEST_TYPES
) -> ConsumerConfig:
    """The durable consumer config of a kind's dispatcher (the same in every process)."""
    return ConsumerConfig(
        durable_name=subj.dispatcher_durable(kind),
        filter_subjects=request_subjects(request_types),
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        ack_wait=DISPATCH_ACK_WAIT_S,
        max_deliver=-1,
    )


class Dispatcher:
    """Dispatches the job requests of one runner kind."""

    def __init__(
        self,
        bus: Bus,
        kind: RunnerKind,
        build: CommandBuilder,
        clock: Callable[[], datetime] = utc_now,
        selector: Selector = select,
    ) -> None:
        self._bus = bus
        self._kind = kind
        self._build = build
        self._select = selector
        self._clock = clock
        self._actor = system_actor(subj.dispatcher_durable(kind))

    async def handle(self, msg: Msg) -> None:
        """Dispatch one delivered request event, then ack it (errors leave it for redelivery)."""
        try:
            request = decode(msg.data)
        except UndecodableMessageError as exc:
            await self._reject(msg, f"undecodable job request: {exc}")
            return
        async with keep_alive(msg, DISPATCH_HEARTBEAT_S):
            await self.dispatch(request, msg.metadata.sequence.stream)
        await msg.ack_sync()

    async def dispatch(self, request: Envelope[Any], sequence: int) -> list[uuid.UUID]:
        """Queue the runs a request asks of this kind; return their run ids."""
        view = await self._fold(request.aggregate_id, sequence)
        if not view.exists:
            log.warning("request %s for unknown job %s ignored", request.id, request.aggregate_id)
            return []
        queued = []
        for selected in self._select(view, request.payload, self._kind):
            run_id = await self._queue(view, request, selected)
            if run_id is not None:
                queued.append(run_id)
        return queued

    async def _fold(self, job_id: str, until: int) -> JobView:
        view = JobView()
        stored = await self._bus.events.read(
            subj.aggregate_subjects(subj.AGGREGATE_JOB, job_id), until
        )
        for event in stored:
            view.apply(event.envelope, event.sequence, event.hash)
        return view

    async def _queue(
        self, view: JobView, request: Envelope[Any], selected: Selected
    ) -> uuid.UUID | None:
        request_id = request.payload.request_id
        run_id = run_id_for(request_id, selected.spec.mailbox_id, selected.run_type)
        work = self._build(view, selected, run_id, request_id)
        if work is None:
            return None
        history = await self._run_history(run_id)
        if not any(isinstance(e, RunQueued) for e in history):
            queued = RunQueued(
                run_id=run_id,
                job_id=work.job_id,
                mailbox_id=work.mailbox_id,
                run_type=work.run_type,
                request_id=request_id,
                runner_kind=self._kind.value,
            )
            await self._bus.events.append([self._envelope(request, queued, run_id, "RunQueued")])
        if not any(isinstance(e, RunStarted | RunFinished) for e in history):
            await self._publish(request, work)
        return run_id

    async def _run_history(self, run_id: uuid.UUID) -> list[Any]:
        events, _ = await self._bus.events.load(subj.AGGREGATE_RUN, str(run_id))
        return [e.envelope.payload for e in events]

    async def _publish(self, request: Envelope[Any], work: MailboxWork) -> None:
        env = caused_by(
            request,
            work,
            aggregate_id=str(work.run_id),
            actor=self._actor,
            now=self._clock(),
            message_id=work.run_id,
        )
        await self._bus.js.publish(
            subj.command_subject(self._kind.value, str(work.job_id)),
            encode(env),
            stream=subj.COMMANDS_STREAM,
            headers={"Nats-Msg-Id": str(work.run_id)},
        )

    def _envelope(
        self, request: Envelope[Any], payload: Any, run_id: uuid.UUID, label: str
    ) -> Envelope[Any]:
        return caused_by(
            request,
            payload,
            aggregate_id=str(run_id),
            actor=self._actor,
            now=self._clock(),
            message_id=event_id(run_id, label),
        )

    async def _reject(self, msg: Msg, reason: str) -> None:
        await self._bus.js.publish(
            subj.dlq_subject(self._kind.value),
            msg.data,
            stream=subj.DLQ_STREAM,
            headers={
                "Nats-Msg-Id": f"dispatch:{msg.metadata.sequence.stream}",
                "Mailferry-Dlq-Reason": reason[:500],
            },
        )
        await msg.ack_sync()
