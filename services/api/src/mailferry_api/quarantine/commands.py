"""A review of a run's quarantine -> QuarantineReviewed (and, for retry, RetryRequested) (pure)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mailferry_api.errors import NotFoundError
from mailferry_api.quarantine.schemas import ReviewIn
from mailferry_bus import StoredEvent
from mailferry_contracts import Actor, Envelope, new_envelope
from mailferry_contracts.common import RunType
from mailferry_contracts.mailboxes import QuarantineRecorded, QuarantineReviewed
from mailferry_contracts.runs import RunQueued


@dataclass
class MailboxQuarantines:
    """The quarantines recorded on a mailbox's stream."""

    recorded: dict[uuid.UUID, QuarantineRecorded] = field(default_factory=dict)


def fold_quarantines(events: Sequence[StoredEvent]) -> MailboxQuarantines:
    """Fold a mailbox's events into its quarantines."""
    found = MailboxQuarantines()
    for event in events:
        payload = event.envelope.payload
        if isinstance(payload, QuarantineRecorded):
            found.recorded[payload.run_id] = payload
    return found


def quarantine_reviewed(
    found: MailboxQuarantines,
    mailbox_id: uuid.UUID,
    run_id: uuid.UUID,
    review: ReviewIn,
    actor: Actor,
    now: datetime,
) -> list[Envelope[Any]]:
    """QuarantineReviewed for a run that quarantined messages of this mailbox (404 otherwise)."""
    recorded = found.recorded.get(run_id)
    if recorded is None:
        raise NotFoundError(
            f"run {run_id} left no quarantine for mailbox {mailbox_id}",
            code="quarantine_not_found",
        )
    event = QuarantineReviewed(
        job_id=recorded.job_id, run_id=run_id, decision=review.decision, note=review.note
    )
    return [new_envelope(event, aggregate_id=str(mailbox_id), actor=actor, now=now)]


def retry_run_type(run_events: Sequence[StoredEvent]) -> RunType:
    """What to run again: the quarantining run's own type (an import, by default)."""
    for event in run_events:
        if isinstance(event.envelope.payload, RunQueued):
            return event.envelope.payload.run_type
    return RunType.PST_UPLOAD
