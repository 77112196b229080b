"""Deterministic ids and envelopes of the gate's own events.

Every id derives from the facts that caused it, so a gate that crashes after appending and
decides again (or a second replica deciding the same thing) produces the same ids, and the
event log's dedup window (``Nats-Msg-Id``) stores the event once.
"""

import uuid
from datetime import datetime
from typing import Any

from mailferry_contracts import Envelope, Event, new_envelope, system_actor
from mailferry_gate.state import JobState

GATE_NAMESPACE = uuid.UUID("3f0d6c52-8a1e-4b7e-9c25-6e4a1d0b7f31")
"""Namespace of the gate's ids. Never change it: ids already in the log derive from it."""
GATE_ACTOR = system_actor("gate")


def derived_id(*parts: object) -> uuid.UUID:
    """A stable id from its causes."""
    return uuid.uuid5(GATE_NAMESPACE, ":".join(str(p) for p in parts))


def gate_envelope(
    job: JobState,
    payload: Event,
    *,
    message_id: uuid.UUID,
    causation_id: uuid.UUID | None,
    now: datetime,
) -> Envelope[Any]:
    """An envelope on the job's stream, authored by the gate, in the flow of its cause."""
    return new_envelope(
        payload,
        aggregate_id=str(job.job_id),
        actor=GATE_ACTOR,
        now=now,
        message_id=message_id,
        correlation_id=job.last_correlation_id,
        causation_id=causation_id,
    )
