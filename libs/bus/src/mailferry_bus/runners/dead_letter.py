"""Poison commands: to ``migration.dlq.<kind>`` with the reason, and a MailboxDeadLettered fact.

The fact is what makes a dead letter visible on the mailbox; the DLQ message keeps the original
bytes for an operator to inspect or replay.
"""

import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from nats.aio.msg import Msg
from nats.js import JetStreamContext

from mailferry_bus.event_store import EventStore
from mailferry_bus.runners.outcome import event_id
from mailferry_contracts import Actor, Envelope, new_envelope
from mailferry_contracts import subjects as subj
from mailferry_contracts.mailboxes import MailboxDeadLettered

log = logging.getLogger(__name__)

REASON_HEADER = "Mailferry-Dlq-Reason"
_UNKNOWN_RUNS = uuid.UUID("0d5d1f0e-8a43-4d52-a2c4-3f0b6f1c9e77")


class DeadLetters:
    """Moves a command out of the work queue for good."""

    def __init__(
        self,
        events: EventStore,
        js: JetStreamContext,
        kind: str,
        actor: Actor,
        clock: Callable[[], datetime],
    ) -> None:
        self._events = events
        self._js = js
        self._kind = kind
        self._actor = actor
        self._clock = clock

    async def send(self, msg: Msg, reason: str, command: Envelope[Any] | None = None) -> None:
        """Publish to the DLQ and record MailboxDeadLettered when the mailbox is known.

        The caller acks afterwards: both steps are idempotent, so a crash in between only
        repeats them on the next delivery.
        """
        ids = _ids_of(command, msg.data)
        deliveries = msg.metadata.num_delivered or 1
        await self._publish(msg, reason, ids, deliveries)
        if ids is not None:
            await self._record(ids, reason, deliveries, command)
        log.warning("dead-lettered %s (%s): %s", msg.subject, ids, reason)

    async def _publish(self, msg: Msg, reason: str, ids: "_Ids | None", deliveries: int) -> None:
        body = {
            "reason": reason,
            "deliveries": deliveries,
            "subject": msg.subject,
            "stream_sequence": msg.metadata.sequence.stream,
            "command": msg.data.decode(errors="replace"),
        }
        dedup = f"dlq:{msg.metadata.stream}:{msg.metadata.sequence.stream}"
        await self._js.publish(
            subj.dlq_subject(self._kind),
            json.dumps(body).encode(),
            stream=subj.DLQ_STREAM,
            headers={"Nats-Msg-Id": dedup, REASON_HEADER: reason[:500]},
        )

    async def _record(
        self, ids: "_Ids", reason: str, deliveries: int, command: Envelope[Any] | None
    ) -> None:
        fact = MailboxDeadLettered(
            job_id=ids.job_id,
            run_id=ids.run_id,
            command_type=ids.command_type,
            reason=reason,
            deliveries=deliveries,
        )
        env = new_envelope(
            fact,
            aggregate_id=str(ids.mailbox_id),
            actor=self._actor,
            now=self._clock(),
            message_id=event_id(ids.run_id, "MailboxDeadLettered"),
            correlation_id=command.correlation_id if command else None,
            causation_id=command.id if command else None,
        )
        await self._events.append([env])


class _Ids:
    def __init__(self, job: Any, mailbox: Any, run: Any, command_type: str) -> None:
        self.job_id = uuid.UUID(str(job))
        self.mailbox_id = uuid.UUID(str(mailbox))
        self.run_id = uuid.UUID(str(run)) if run else uuid.uuid5(_UNKNOWN_RUNS, str(mailbox))
        self.command_type = command_type

    def __repr__(self) -> str:
        return f"mailbox {self.mailbox_id} run {self.run_id}"


def _ids_of(command: Envelope[Any] | None, raw: bytes) -> _Ids | None:
    """The job/mailbox/run a command is about, read loosely so that even a poison one shows."""
    if command is not None:
        work = command.payload
        return _Ids(work.job_id, work.mailbox_id, work.run_id, command.type)
    try:
        data = json.loads(raw)
        payload = data["payload"]
        return _Ids(
            payload["job_id"], payload["mailbox_id"], payload.get("run_id"), str(data["type"])
        )
    except (ValueError, KeyError, TypeError):
        return None
