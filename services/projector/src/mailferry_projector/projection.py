"""Which view functions each event type feeds, and the per-batch job bookkeeping.

Every event type of the registry has an explicit entry (an empty tuple means "audit trail and
job timestamp only"), so a new event type fails the unit tests until someone decides.
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from mailferry_contracts import Envelope, Event
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
    JobLimitsChanged,
    JobNotesUpdated,
    JobSecretsPurged,
    MailboxCredentialsUpdated,
    MailboxesImported,
    PhaseChanged,
    PhaseRetryRequested,
    PreflightRequested,
    RetryRequested,
    SyncRequested,
    UploadStored,
    VerifyRequested,
)
from mailferry_contracts.mailboxes import (
    MailboxDeadLettered,
    MailboxPreflighted,
    MailboxVerified,
    QuarantineRecorded,
    QuarantineReviewed,
)
from mailferry_contracts.runs import RunAttemptFailed, RunFinished, RunQueued, RunStarted
from mailferry_contracts.subjects import AGGREGATE_JOB
from mailferry_contracts.users import (
    PasswordChanged,
    ServiceTokenIssued,
    ServiceTokenRevoked,
    UserCreated,
    UserDisabled,
    UserEnabled,
    UserLoggedIn,
    UserLoggedOut,
    UserLoginFailed,
    UserRoleChanged,
)
from mailferry_projector.decoding import Decoded
from mailferry_projector.mailbox_status import COPY_RUNS
from mailferry_projector.views import (
    Cursor,
    audit,
    gate,
    jobs,
    mailboxes,
    quarantine,
    requests,
    runs,
    uploads,
    webhooks,
)

Handler = Callable[[Cursor, Envelope[Any], int], Awaitable[None]]

HANDLERS: dict[type[Event], tuple[Handler, ...]] = {
    JobCreated: (jobs.on_created,),
    JobNotesUpdated: (jobs.on_notes_updated,),
    JobLimitsChanged: (jobs.on_limits_changed,),
    MailboxesImported: (mailboxes.on_imported,),
    MailboxCredentialsUpdated: (mailboxes.on_credentials_updated,),
    UploadStored: (uploads.on_stored,),
    PreflightRequested: (requests.on_requested,),
    SyncRequested: (requests.on_requested,),
    VerifyRequested: (requests.on_requested,),
    RetryRequested: (requests.on_requested,),
    PhaseChanged: (jobs.on_phase_changed,),
    PhaseRetryRequested: (),
    DnsCutoverApplied: (jobs.on_dns_cutover_applied,),
    JobClosed: (jobs.on_closed,),
    JobSecretsPurged: (mailboxes.on_secrets_purged,),
    GateEvaluated: (jobs.on_gate_evaluated, gate.on_evaluated),
    GateApproved: (jobs.on_gate_approved,),
    GateOverridden: (jobs.on_gate_overridden,),
    GateReadyAnnounced: (),
    WebhookDeliveryAttempted: (webhooks.on_delivery_attempted,),
    MailboxPreflighted: (mailboxes.on_preflighted,),
    MailboxVerified: (mailboxes.on_verified,),
    # The mailbox looks at the run before the run is marked failed.
    MailboxDeadLettered: (mailboxes.on_dead_lettered, runs.on_dead_lettered),
    QuarantineRecorded: (quarantine.on_recorded, mailboxes.on_quarantine_recorded),
    QuarantineReviewed: (quarantine.on_reviewed, mailboxes.on_quarantine_reviewed),
    # One statement each: the run and its mailbox's run-derived columns together.
    RunQueued: (runs.on_queued,),
    RunStarted: (runs.on_started,),
    RunAttemptFailed: (runs.on_attempt_failed,),
    RunFinished: (runs.on_finished,),
    # People and service tokens: audit trail only; the API keeps its own directory of them.
    UserCreated: (),
    UserRoleChanged: (),
    PasswordChanged: (),
    UserDisabled: (),
    UserEnabled: (),
    ServiceTokenIssued: (),
    ServiceTokenRevoked: (),
    UserLoggedIn: (),
    UserLoggedOut: (),
    UserLoginFailed: (),
}


async def project(cur: Cursor, events: Sequence[Decoded]) -> None:
    """Emit the SQL of ``events`` (in stream order), then refresh the jobs they touched."""
    latest: dict[uuid.UUID, tuple[int, datetime]] = {}
    totals: set[uuid.UUID] = set()
    for item in events:
        env = item.envelope
        for handler in HANDLERS.get(type(env.payload), ()):
            await handler(cur, env, item.seq)
        job = job_id_of(env)
        await audit.record(cur, env, item.seq, job)
        if job is not None:
            latest[job] = (item.seq, env.occurred_at)
            if moves_totals(env.payload):
                totals.add(job)
    await jobs.touch(cur, latest)
    await jobs.refresh_totals(cur, totals)


def job_id_of(env: Envelope[Any]) -> uuid.UUID | None:
    """The job an event is about: mailbox and run events name it, job events are its stream."""
    job_id = getattr(env.payload, "job_id", None)
    if isinstance(job_id, uuid.UUID):
        return job_id
    if env.aggregate_type != AGGREGATE_JOB:
        return None
    try:
        return uuid.UUID(env.aggregate_id)
    except ValueError:
        return None


def moves_totals(event: Event) -> bool:
    """Whether the job's mailbox count, message sums or sync percentage may have changed."""
    if isinstance(event, MailboxesImported | MailboxVerified):
        return True
    return isinstance(event, RunStarted | RunFinished) and event.run_type in COPY_RUNS
