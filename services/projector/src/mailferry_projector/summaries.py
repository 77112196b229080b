"""One readable line per event for the audit trail (pure; events never hold secrets)."""

from collections.abc import Callable
from typing import Any

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
from mailferry_contracts.users import (
    LoginFailure,
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

MAX_LENGTH = 500
_LOGIN_FAILURES = {
    LoginFailure.WRONG_PASSWORD: "wrong password",
    LoginFailure.LOCKED_OUT: "locked out after repeated failures",
    LoginFailure.DISABLED: "the user is disabled",
}
_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")
_KIB = 1024


def summarize(event: Any) -> str:
    """The audit line of ``event``; a type without a rule gets its type name."""
    rule = _RULES.get(type(event))
    text = rule(event) if rule is not None else str(event.type)
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1] + "…"


def _with(text: str, remark: str) -> str:
    return f"{text}: {remark}" if remark else text


def _selection(ids: list[Any] | None) -> str:
    if ids is None:
        return "all mailboxes"
    return "1 mailbox" if len(ids) == 1 else f"{len(ids)} mailboxes"


def _size(size: int) -> str:
    value, unit = float(size), 0
    while value >= _KIB and unit < len(_UNITS) - 1:
        value /= _KIB
        unit += 1
    return f"{size} B" if unit == 0 else f"{value:.1f} {_UNITS[unit]}"


def _job_created(e: JobCreated) -> str:
    ticket = f" (ticket {e.ticket_id})" if e.ticket_id else ""
    return f"created the migration job for {e.domain}{ticket}"


def _imported(e: MailboxesImported) -> str:
    count = len(e.mailboxes)
    noun = "mailbox" if count == 1 else "mailboxes"
    return f"imported {count} {noun} from {e.origin.upper()} (batch {e.batch}/{e.batch_count})"


def _credentials(e: MailboxCredentialsUpdated) -> str:
    sides = [
        side
        for side, ref in (("source", e.source_credential_ref), ("target", e.target_credential_ref))
        if ref is not None
    ]
    return f"replaced the {' and '.join(sides) or 'no'} credentials of mailbox {e.mailbox_id}"


def _upload(e: UploadStored) -> str:
    dup = f", same content as upload {e.duplicate_of}" if e.duplicate_of else ""
    return (
        f"uploaded {e.filename} ({e.kind}, {_size(e.size_bytes)}) for mailbox {e.mailbox_id}{dup}"
    )


def _sync(e: SyncRequested) -> str:
    forced = " (forced)" if e.forced else ""
    return f"requested a {e.mode.value} sync of {_selection(e.mailbox_ids)}{forced}"


def _retry(e: RetryRequested) -> str:
    if e.scope == "all_failed":
        return f"requested a retry of all failed mailboxes ({len(e.items)})"
    return f"requested a retry of {_selection([i.mailbox_id for i in e.items])}"


def _phase(e: PhaseChanged) -> str:
    return _with(f"phase {e.from_phase.value} -> {e.to_phase.value}", e.cause)


def _dns(e: DnsCutoverApplied) -> str:
    return _with(f"reported the DNS cutover applied at {e.applied_at.isoformat()}", e.details)


def _evaluated(e: GateEvaluated) -> str:
    was = f" (was {e.previous_gate.value})" if e.previous_gate else ""
    return _with(f"gate {e.gate.value}{was}", e.reason)


def _webhook(e: WebhookDeliveryAttempted) -> str:
    if e.delivered:
        return f"delivered the gate-ready webhook to {e.url} (attempt {e.attempt})"
    status = f" HTTP {e.status_code}" if e.status_code else ""
    return _with(f"webhook to {e.url} failed{status} (attempt {e.attempt})", e.error)


def _preflighted(e: MailboxPreflighted) -> str:
    if not e.ok:
        return _with(f"preflight failed ({e.error_class or 'internal'})", e.error_message)
    messages = sum(f.messages for f in e.source_folders)
    return f"preflight ok: {len(e.source_folders)} folders, {messages} messages at the source"


def _verified(e: MailboxVerified) -> str:
    found = f"{e.destination_messages} of {e.source_messages} messages at the destination"
    if e.source_messages == 0:
        return f"verified: {found}"
    return f"verified: {found} ({100 * e.destination_messages / e.source_messages:.1f}%)"


def _quarantined(e: QuarantineRecorded) -> str:
    noun = "message" if e.count == 1 else "messages"
    return f"{e.count} {noun} quarantined by run {e.run_id}"


def _finished(e: RunFinished) -> str:
    s = e.stats
    counts = f"{s.transferred} copied, {s.skipped} skipped, {s.errors} errors"
    text = f"{e.run_type.value} run {e.run_id} finished: {e.status.value} ({counts})"
    return _with(text, e.error_class or "")


_RULES: dict[type[Any], Callable[[Any], str]] = {
    JobCreated: _job_created,
    JobNotesUpdated: lambda e: "updated the job notes",
    JobLimitsChanged: lambda e: (
        f"set the limits to {e.concurrency_limit} mailboxes at once, "
        f"{e.per_host_limit} per source host"
    ),
    MailboxesImported: _imported,
    MailboxCredentialsUpdated: _credentials,
    UploadStored: _upload,
    PreflightRequested: lambda e: f"requested a preflight of {_selection(e.mailbox_ids)}",
    SyncRequested: _sync,
    VerifyRequested: lambda e: f"requested a verification of {_selection(e.mailbox_ids)}",
    RetryRequested: _retry,
    PhaseChanged: _phase,
    PhaseRetryRequested: lambda e: _with("asked to retry the failed phase", e.reason),
    DnsCutoverApplied: _dns,
    JobClosed: lambda e: _with("closed the job", e.reason),
    JobSecretsPurged: lambda e: f"destroyed {e.credential_count} stored credentials",
    GateEvaluated: _evaluated,
    GateApproved: lambda e: _with(f"approved the gate (evaluation {e.evaluation_id})", e.comment),
    GateOverridden: lambda e: _with("overrode the gate to ready_for_dns", e.reason),
    GateReadyAnnounced: lambda e: f"announced gate ready (notification {e.notification_id})",
    WebhookDeliveryAttempted: _webhook,
    MailboxPreflighted: _preflighted,
    MailboxVerified: _verified,
    MailboxDeadLettered: lambda e: (
        f"{e.command_type} for run {e.run_id} dead-lettered after {e.deliveries} "
        f"deliveries: {e.reason}"
    ),
    QuarantineRecorded: _quarantined,
    QuarantineReviewed: lambda e: (
        _with(f"reviewed the quarantine of run {e.run_id}", e.decision)
        + (f" ({e.note})" if e.note else "")
    ),
    RunQueued: lambda e: f"queued {e.run_type.value} run {e.run_id} for the {e.runner_kind} runner",
    RunStarted: lambda e: (
        f"started {e.run_type.value} run {e.run_id} with {e.tool.value} (attempt {e.attempt})"
    ),
    RunAttemptFailed: lambda e: _with(
        f"{e.run_type.value} run {e.run_id} attempt {e.attempt} failed ({e.error_class}), "
        f"retry in {e.retry_in_seconds:g}s",
        e.error_message,
    ),
    RunFinished: _finished,
    # Verifiers (password hashes, token digests) stay out of the audit line on purpose.
    UserCreated: lambda e: (
        f"created user {e.email} with role {e.role.value}"
        + ("" if e.password_hash else " (no local password)")
    ),
    UserRoleChanged: lambda e: f"changed a user's role to {e.role.value}",
    PasswordChanged: lambda e: "changed a user's password",
    UserDisabled: lambda e: _with("disabled a user", e.reason),
    UserEnabled: lambda e: _with("enabled a user", e.reason),
    ServiceTokenIssued: lambda e: f"issued service token {e.name!r} ({e.scope.value})",
    ServiceTokenRevoked: lambda e: _with(f"revoked service token {e.token_id}", e.reason),
    # The actor is the person; the session id pairs a login with its logout.
    UserLoggedIn: lambda e: f"logged in with {e.method.value} (session {e.session_id})",
    UserLoggedOut: lambda e: f"logged out (session {e.session_id})",
    UserLoginFailed: lambda e: f"failed to log in: {_LOGIN_FAILURES[e.reason]}",
}
