"""What the live streams carry, read from raw NATS messages (pure: bytes in, values out).

Event-log messages are read shallowly (type, aggregate, job): a live view only needs to know
*that* a job changed, then re-reads the read models. Progress messages are decoded fully.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mailferry_contracts import UndecodableMessageError, decode
from mailferry_contracts.runs import RunProgress
from mailferry_contracts.subjects import AGGREGATE_JOB, AGGREGATE_MAILBOX, AGGREGATE_RUN

_JOB_SCOPED = frozenset({AGGREGATE_MAILBOX, AGGREGATE_RUN})


@dataclass(frozen=True)
class EventSignal:
    """An event of the log that concerns a job."""

    job_id: str
    type: str
    seq: int
    """Stream sequence: the read models show it once the projector has applied it."""


@dataclass(frozen=True)
class ProgressSignal:
    """The latest progress of one mailbox, and when it was measured."""

    progress: RunProgress
    at: datetime

    @property
    def job_id(self) -> str:
        """The job of the mailbox."""
        return str(self.progress.job_id)

    @property
    def mailbox_id(self) -> str:
        """The mailbox."""
        return str(self.progress.mailbox_id)


def _job_of(raw: dict[str, Any]) -> str | None:
    aggregate = raw.get("aggregate_type")
    if aggregate == AGGREGATE_JOB:
        job = raw.get("aggregate_id")
    elif aggregate in _JOB_SCOPED:
        job = (raw.get("payload") or {}).get("job_id")
    else:
        return None
    try:
        return str(uuid.UUID(str(job)))
    except ValueError:
        return None


def event_signal(data: bytes, seq: int) -> EventSignal | None:
    """The signal of a stored event, or None when it concerns no job (e.g. users)."""
    try:
        raw = json.loads(data)
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    job = _job_of(raw)
    kind = raw.get("type")
    if job is None or not isinstance(kind, str):
        return None
    return EventSignal(job_id=job, type=kind[:64], seq=seq)


def progress_signal(data: bytes) -> ProgressSignal | None:
    """The signal of a RunProgress message, or None when it is not one."""
    try:
        envelope = decode(data)
    except (UndecodableMessageError, ValueError):
        return None
    if not isinstance(envelope.payload, RunProgress):
        return None
    return ProgressSignal(progress=envelope.payload, at=envelope.occurred_at)
