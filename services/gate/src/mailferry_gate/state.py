"""The gate's fold of the event log: per job, the facts the checks and the phases read.

``evolve`` is pure (no I/O, no clock) and mutable on purpose, as ``JobView`` is: a job may hold
10,000 mailboxes and copying them per event would make the fold quadratic.

Facts are stored keyed by id together with their stream sequence, never as running totals, and
every "before/after" question is answered from sequences when the checks run. So the result does
not depend on the order in which events of different aggregates reach the gate (a RunFinished
before the RunQueued of another stream, a MailboxVerified before the MailboxesImported), and the
same event applied twice changes nothing (ids are remembered per job).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from mailferry_contracts import Envelope
from mailferry_contracts.common import Phase, RunStatus
from mailferry_contracts.gate import (
    GateApproved,
    GateEvaluated,
    GateOverridden,
    GateReadyAnnounced,
    WebhookDeliveryAttempted,
)
from mailferry_contracts.jobs import (
    DnsCutoverApplied,
    JobClosed,
    JobCreated,
    MailboxesImported,
    PhaseChanged,
    PhaseRetryRequested,
    PreflightRequested,
    RetryRequested,
    SyncRequested,
    VerifyRequested,
)
from mailferry_contracts.mailboxes import (
    MailboxDeadLettered,
    MailboxPreflighted,
    MailboxVerified,
    QuarantineRecorded,
    QuarantineReviewed,
)
from mailferry_contracts.runs import RunEvent, RunFinished, RunQueued, RunStarted
from mailferry_contracts.subjects import AGGREGATE_JOB, AGGREGATE_MAILBOX
from mailferry_gate.facts import (
    Announcement,
    Decision,
    EvaluationRecord,
    Fact,
    MailboxFacts,
    PhaseRecord,
    Preflight,
    Quarantine,
    Request,
    Review,
    RunFacts,
    Verification,
    WebhookAttempt,
)


@dataclass
class JobState:
    """Everything the gate knows about one job."""

    job_id: uuid.UUID
    created: JobCreated | None = None
    mailboxes: dict[uuid.UUID, MailboxFacts] = field(default_factory=dict)
    runs: dict[uuid.UUID, RunFacts] = field(default_factory=dict)
    runs_by_mailbox: dict[uuid.UUID, set[uuid.UUID]] = field(default_factory=dict)
    requests: dict[uuid.UUID, Request] = field(default_factory=dict)
    verifications: dict[uuid.UUID, Verification] = field(default_factory=dict)
    preflights: dict[uuid.UUID, Preflight] = field(default_factory=dict)
    quarantines: dict[uuid.UUID, Quarantine] = field(default_factory=dict)
    reviews: dict[uuid.UUID, Review] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    evaluations: dict[uuid.UUID, EvaluationRecord] = field(default_factory=dict)
    latest_evaluation: EvaluationRecord | None = None
    announcements: dict[uuid.UUID, Announcement] = field(default_factory=dict)
    webhook_attempts: dict[tuple[uuid.UUID, str], list[WebhookAttempt]] = field(
        default_factory=dict
    )
    phase_changes: list[PhaseRecord] = field(default_factory=list)
    phase_retries: list[Fact] = field(default_factory=list)
    dns_applied: Fact | None = None
    closed: Fact | None = None
    last_event: Fact | None = None
    last_type: str = ""
    last_correlation_id: uuid.UUID | None = None
    event_ids: set[uuid.UUID] = field(default_factory=set)
    memo: dict[object, Any] = field(default_factory=dict, repr=False, compare=False)
    """Answers derived from the facts, valid until the next event (see ``history``)."""

    @property
    def phase(self) -> Phase:
        """Current phase: the target of the latest PhaseChanged."""
        return self.phase_changes[-1].to_phase if self.phase_changes else Phase.DISCOVERED

    @property
    def phase_before_failure(self) -> Phase | None:
        """The phase a manual retry returns to, when failed."""
        if self.phase != Phase.FAILED:
            return None
        return self.phase_changes[-1].from_phase

    def phase_at(self, seq: int) -> Phase:
        """The phase the job was in just before stream sequence ``seq``."""
        earlier = [p for p in self.phase_changes if p.fact.seq < seq]
        return earlier[-1].to_phase if earlier else Phase.DISCOVERED

    def runs_of(self, mailbox_id: uuid.UUID) -> list[RunFacts]:
        """Runs of one mailbox, earliest first."""
        runs = [self.runs[r] for r in self.runs_by_mailbox.get(mailbox_id, ())]
        return sorted(runs, key=lambda r: r.first_seq)


@dataclass
class State:
    """The gate's whole fold: one JobState per job."""

    jobs: dict[uuid.UUID, JobState] = field(default_factory=dict)


def job_of(envelope: Envelope[Any]) -> uuid.UUID | None:
    """The job an event belongs to (its own stream, or the job_id its payload carries)."""
    job_id = getattr(envelope.payload, "job_id", None)
    if isinstance(job_id, uuid.UUID):
        return job_id
    if envelope.aggregate_type == AGGREGATE_JOB:
        try:
            return uuid.UUID(envelope.aggregate_id)
        except ValueError:
            return None
    return None


def evolve(state: State, envelope: Envelope[Any], sequence: int) -> State:
    """Fold one event read at stream position ``sequence``; returns ``state``."""
    job_id = job_of(envelope)
    if job_id is None or not _readable_ids(envelope):
        return state
    job = state.jobs.get(job_id)
    if job is None:
        job = state.jobs[job_id] = JobState(job_id)
    if envelope.id in job.event_ids:
        return state
    job.event_ids.add(envelope.id)
    job.memo.clear()
    fact = Fact(sequence, envelope.id)
    if job.last_event is None or sequence > job.last_event.seq:
        job.last_event = fact
        job.last_type = envelope.type
        job.last_correlation_id = envelope.correlation_id
    handler = _HANDLERS.get(type(envelope.payload))
    if handler is not None:
        handler(job, envelope, fact)
    return state


def _readable_ids(envelope: Envelope[Any]) -> bool:
    """Mailbox events name their mailbox only by aggregate id: it must be one."""
    if envelope.aggregate_type != AGGREGATE_MAILBOX:
        return True
    try:
        uuid.UUID(envelope.aggregate_id)
    except ValueError:
        return False
    return True


def _created(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    job.created = env.payload


def _imported(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    event: MailboxesImported = env.payload
    for spec in event.mailboxes:
        job.mailboxes.setdefault(
            spec.mailbox_id,
            MailboxFacts(spec.mailbox_id, spec.source_email.lower(), spec.source_type, fact),
        )


def _requested(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    payload = env.payload
    if isinstance(payload, PreflightRequested):
        job.requests[payload.request_id] = Request("preflight", None, fact)
    elif isinstance(payload, SyncRequested):
        job.requests[payload.request_id] = Request("sync", payload.mode, fact)
    elif isinstance(payload, VerifyRequested):
        job.requests[payload.request_id] = Request("verify", None, fact)
    elif isinstance(payload, RetryRequested):
        job.requests[payload.request_id] = Request("retry", None, fact)


def _run(job: JobState, run_id: uuid.UUID, mailbox_id: uuid.UUID) -> RunFacts:
    run = job.runs.get(run_id)
    if run is None:
        run = job.runs[run_id] = RunFacts(run_id, mailbox_id)
        job.runs_by_mailbox.setdefault(mailbox_id, set()).add(run_id)
    return run


def _run_of(job: JobState, event: RunEvent) -> RunFacts:
    run = _run(job, event.run_id, event.mailbox_id)
    run.run_type = event.run_type
    return run


def _run_queued(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    event: RunQueued = env.payload
    run = _run_of(job, event)
    run.queued = fact
    run.request_id = event.request_id


def _run_started(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    event: RunStarted = env.payload
    run = _run_of(job, event)
    # A retried attempt starts again: the earliest start is when the run began touching data.
    if run.started is None or fact.seq < run.started.seq:
        run.started = fact


def _run_finished(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    event: RunFinished = env.payload
    run = _run_of(job, event)
    run.finished = fact
    run.status = RunStatus(event.status)
    run.error_class = event.error_class


def _dead_lettered(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    event: MailboxDeadLettered = env.payload
    # The run's own events may arrive later; they fill in its type.
    run = _run(job, event.run_id, uuid.UUID(env.aggregate_id))
    run.dead_lettered = fact
    run.error_class = run.error_class or "dead_lettered"


def _verified(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    event: MailboxVerified = env.payload
    mailbox_id = uuid.UUID(env.aggregate_id)
    known = job.verifications.get(mailbox_id)
    if known is not None and known.fact.seq > fact.seq:
        return
    source = max(event.source_messages, event.expected_messages or 0)
    job.verifications[mailbox_id] = Verification(
        fact, event.run_id, tuple(event.folders), source, event.destination_messages
    )


def _preflighted(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    event: MailboxPreflighted = env.payload
    mailbox_id = uuid.UUID(env.aggregate_id)
    known = job.preflights.get(mailbox_id)
    if known is None or known.fact.seq < fact.seq:
        job.preflights[mailbox_id] = Preflight(fact, event.ok, event.error_class)


def _quarantined(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    event: QuarantineRecorded = env.payload
    folders = tuple(sorted({item.folder for item in event.items}))
    job.quarantines[event.run_id] = Quarantine(
        fact, event.run_id, uuid.UUID(env.aggregate_id), event.count, folders
    )


def _reviewed(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    event: QuarantineReviewed = env.payload
    known = job.reviews.get(event.run_id)
    if known is None or known.fact.seq < fact.seq:
        job.reviews[event.run_id] = Review(fact, event.decision)


def _decided(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    payload = env.payload
    kind: Literal["approval", "override"] = (
        "override" if isinstance(payload, GateOverridden) else "approval"
    )
    reason = payload.reason if isinstance(payload, GateOverridden) else payload.comment
    decision = Decision(
        fact=fact,
        kind=kind,
        evaluation_id=payload.evaluation_id,
        user=env.actor.user,
        role=env.actor.role,
        actor_kind=env.actor.kind,
        at=env.occurred_at,
        reason=reason,
    )
    job.decisions.append(decision)
    job.decisions.sort(key=lambda d: d.fact.seq)


def _evaluated(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    event: GateEvaluated = env.payload
    record = EvaluationRecord(
        fact=fact,
        evaluation_id=event.evaluation_id,
        gate=event.gate,
        checks=tuple(event.checks),
        ratios=tuple(event.mailbox_ratios),
        approval_invalidated=event.approval_invalidated,
    )
    job.evaluations[event.evaluation_id] = record
    latest = job.latest_evaluation
    if latest is None or latest.fact.seq < fact.seq:
        job.latest_evaluation = record


def _announced(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    event: GateReadyAnnounced = env.payload
    if event.evaluation_id is None:
        return
    job.announcements[event.evaluation_id] = Announcement(
        fact, event.evaluation_id, event.notification_id, env.occurred_at
    )


def _webhook(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    event: WebhookDeliveryAttempted = env.payload
    attempts = job.webhook_attempts.setdefault((event.notification_id, event.url), [])
    attempts.append(WebhookAttempt(fact, event.attempt, event.delivered, event.next_attempt_at))
    attempts.sort(key=lambda a: (a.attempt, a.fact.seq))


def _phase(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    event: PhaseChanged = env.payload
    job.phase_changes.append(PhaseRecord(fact, event.from_phase, event.to_phase))
    job.phase_changes.sort(key=lambda p: p.fact.seq)


def _phase_retry(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    job.phase_retries.append(fact)
    job.phase_retries.sort(key=lambda f: f.seq)


def _dns(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    if job.dns_applied is None or fact.seq < job.dns_applied.seq:
        job.dns_applied = fact


def _closed(job: JobState, env: Envelope[Any], fact: Fact) -> None:
    if job.closed is None or fact.seq < job.closed.seq:
        job.closed = fact


_HANDLERS: dict[type[Any], Callable[[JobState, Envelope[Any], Fact], None]] = {
    JobCreated: _created,
    MailboxesImported: _imported,
    PreflightRequested: _requested,
    SyncRequested: _requested,
    VerifyRequested: _requested,
    RetryRequested: _requested,
    RunQueued: _run_queued,
    RunStarted: _run_started,
    RunFinished: _run_finished,
    MailboxDeadLettered: _dead_lettered,
    MailboxVerified: _verified,
    MailboxPreflighted: _preflighted,
    QuarantineRecorded: _quarantined,
    QuarantineReviewed: _reviewed,
    GateApproved: _decided,
    GateOverridden: _decided,
    GateEvaluated: _evaluated,
    GateReadyAnnounced: _announced,
    WebhookDeliveryAttempted: _webhook,
    PhaseChanged: _phase,
    PhaseRetryRequested: _phase_retry,
    DnsCutoverApplied: _dns,
    JobClosed: _closed,
}
