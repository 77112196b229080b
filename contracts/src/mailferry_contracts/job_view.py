"""The canonical reading of one job's event stream: what the job is and which mailboxes it has.

Used wherever a decision depends on the job's current definition (the API validating a write
before appending it with optimistic concurrency, the runners' dispatchers building commands).
Pure: apply envelopes in stream order. Mutable on purpose: a job may hold 10,000 mailboxes and
copying them per event would make a fold quadratic.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mailferry_contracts.common import GateState, Phase
from mailferry_contracts.envelope import Envelope
from mailferry_contracts.gate import GateApproved, GateEvaluated, GateOverridden
from mailferry_contracts.jobs import (
    DnsCutoverApplied,
    JobClosed,
    JobCreated,
    JobLimitsChanged,
    JobNotesUpdated,
    MailboxCredentialsUpdated,
    MailboxesImported,
    MailboxSpec,
    PhaseChanged,
    UploadStored,
)


@dataclass
class JobView:
    """State of a job as of ``version`` (the stream sequence of its last event)."""

    created: JobCreated | None = None
    version: int = 0
    last_hash: str | None = None
    phase: Phase = Phase.DISCOVERED
    phase_before_failure: Phase | None = None
    notes: str = ""
    concurrency_limit: int = 1
    per_host_limit: int = 1
    mailboxes: dict[uuid.UUID, MailboxSpec] = field(default_factory=dict)
    mailbox_by_email: dict[str, uuid.UUID] = field(default_factory=dict)
    latest_upload: dict[uuid.UUID, UploadStored] = field(default_factory=dict)
    gate: GateState = GateState.BLOCKED
    latest_evaluation: GateEvaluated | None = None
    approved_evaluation_id: uuid.UUID | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    dns_cutover_at: datetime | None = None
    closed: bool = False
    event_ids: set[uuid.UUID] = field(default_factory=set)

    @property
    def exists(self) -> bool:
        """Whether a JobCreated was seen."""
        return self.created is not None

    def apply(self, envelope: Envelope[Any], sequence: int, raw_hash: str | None = None) -> None:
        """Fold one event; events already applied (same id) are ignored."""
        if envelope.id in self.event_ids:
            return
        self.event_ids.add(envelope.id)
        self.version = max(self.version, sequence)
        self.last_hash = raw_hash
        handler = _HANDLERS.get(type(envelope.payload))
        if handler is not None:
            handler(self, envelope)


def _created(view: JobView, env: Envelope[Any]) -> None:
    event: JobCreated = env.payload
    view.created = event
    view.notes = event.notes
    view.concurrency_limit = event.concurrency_limit
    view.per_host_limit = event.per_host_limit


def _notes(view: JobView, env: Envelope[Any]) -> None:
    view.notes = env.payload.notes


def _limits(view: JobView, env: Envelope[Any]) -> None:
    event: JobLimitsChanged = env.payload
    view.concurrency_limit = event.concurrency_limit
    view.per_host_limit = event.per_host_limit


def _imported(view: JobView, env: Envelope[Any]) -> None:
    event: MailboxesImported = env.payload
    for spec in event.mailboxes:
        view.mailboxes[spec.mailbox_id] = spec
        view.mailbox_by_email[spec.source_email.lower()] = spec.mailbox_id


def _credentials(view: JobView, env: Envelope[Any]) -> None:
    event: MailboxCredentialsUpdated = env.payload
    spec = view.mailboxes.get(event.mailbox_id)
    if spec is None:
        return
    changes: dict[str, str] = {}
    if event.source_credential_ref is not None:
        changes["source_credential_ref"] = event.source_credential_ref
    if event.target_credential_ref is not None:
        changes["target_credential_ref"] = event.target_credential_ref
    view.mailboxes[event.mailbox_id] = spec.model_copy(update=changes)


def _upload(view: JobView, env: Envelope[Any]) -> None:
    event: UploadStored = env.payload
    view.latest_upload[event.mailbox_id] = event


def _phase(view: JobView, env: Envelope[Any]) -> None:
    event: PhaseChanged = env.payload
    if event.to_phase == Phase.FAILED:
        view.phase_before_failure = event.from_phase
    view.phase = event.to_phase


def _evaluated(view: JobView, env: Envelope[Any]) -> None:
    event: GateEvaluated = env.payload
    view.latest_evaluation = event
    view.gate = event.gate
    if event.approval_invalidated:
        view.approved_evaluation_id = None


def _approved(view: JobView, env: Envelope[Any]) -> None:
    event: GateApproved = env.payload
    view.approved_evaluation_id = event.evaluation_id
    view.approved_by = env.actor.user
    view.approved_at = env.occurred_at


def _overridden(view: JobView, env: Envelope[Any]) -> None:
    event: GateOverridden = env.payload
    view.approved_evaluation_id = event.evaluation_id
    view.approved_by = env.actor.user
    view.approved_at = env.occurred_at


def _dns(view: JobView, env: Envelope[Any]) -> None:
    event: DnsCutoverApplied = env.payload
    view.dns_cutover_at = event.applied_at


def _closed(view: JobView, env: Envelope[Any]) -> None:
    view.closed = True


_HANDLERS: dict[type[Any], Any] = {
    JobCreated: _created,
    JobNotesUpdated: _notes,
    JobLimitsChanged: _limits,
    MailboxesImported: _imported,
    MailboxCredentialsUpdated: _credentials,
    UploadStored: _upload,
    PhaseChanged: _phase,
    GateEvaluated: _evaluated,
    GateApproved: _approved,
    GateOverridden: _overridden,
    DnsCutoverApplied: _dns,
    JobClosed: _closed,
}
