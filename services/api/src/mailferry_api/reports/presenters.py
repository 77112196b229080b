"""Read-model rows and log events -> report sections (pure)."""

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from mailferry_api.reports.schemas import (
    AuditLine,
    CheckOut,
    DecisionOut,
    EvaluationOut,
    FolderDeficit,
    MailboxLine,
    PhaseStep,
    Summary,
    VerificationSection,
)
from mailferry_bus import StoredEvent
from mailferry_contracts.gate import GateApproved, GateOverridden
from mailferry_contracts.jobs import DnsCutoverApplied, JobClosed, JobCreated, PhaseChanged


def _ratio(dest: int, source: int) -> float | None:
    return round(dest / source, 4) if source else None


def summary(counts: Sequence[dict[str, Any]]) -> Summary:
    """Totals of the (status, error class) groups."""
    by_status: Counter[str] = Counter()
    by_error: Counter[str] = Counter()
    for group in counts:
        by_status[group["status"]] += group["n"]
        if group["last_error_class"]:
            by_error[group["last_error_class"]] += group["n"]
    source = sum(int(g["messages_source"]) for g in counts)
    dest = sum(int(g["messages_dest"]) for g in counts)
    return Summary(
        mailboxes=sum(by_status.values()),
        by_status=dict(by_status),
        by_error_class=dict(by_error.most_common()),
        verified=sum(int(g["verified"]) for g in counts),
        messages_source=source,
        messages_dest=dest,
        ratio=_ratio(dest, source),
    )


def verification(done: Summary, rows: Sequence[dict[str, Any]]) -> VerificationSection:
    """Totals, and each folder of the listed mailboxes that holds less than its source."""
    return VerificationSection(
        verified=done.verified,
        messages_source=done.messages_source,
        messages_dest=done.messages_dest,
        ratio=done.ratio,
        deficits=[d for row in rows for d in _deficits(row)],
    )


def _deficits(row: dict[str, Any]) -> Iterable[FolderDeficit]:
    for folder in (row["verification"] or {}).get("folders", []):
        source, dest = int(folder["source_messages"]), int(folder["destination_messages"])
        if dest < source:
            yield FolderDeficit(
                mailbox_id=row["id"], email=row["source_email"],
                folder=folder["destination_folder"], source_messages=source,
                destination_messages=dest, missing=source - dest,
            )  # fmt: skip


def check(row: dict[str, Any]) -> CheckOut:
    """One gate check row."""
    return CheckOut(
        name=row["check_name"], status=row["status"], message=row["message"],
        mailboxes=list(row["mailboxes"] or []), evaluated_at=row["evaluated_at"],
    )  # fmt: skip


def evaluation(row: dict[str, Any]) -> EvaluationOut:
    """One gate evaluation row."""
    return EvaluationOut.model_validate(row)


def mailbox_line(row: dict[str, Any]) -> MailboxLine:
    """One mailbox row."""
    run = f"{row['last_run_type']}: {row['last_run_status']}" if row["last_run_type"] else None
    ratio = row["verify_ratio"]
    return MailboxLine(
        id=row["id"], row=row["row_number"], source_email=row["source_email"],
        target_email=row["target_email"], status=row["status"],
        error_class=row["last_error_class"], messages_source=row["messages_source"],
        messages_dest=row["messages_dest"], last_run=run,
        verify_ratio=float(ratio) if ratio is not None else None,
    )  # fmt: skip


def audit_line(row: dict[str, Any]) -> AuditLine:
    """One audit row."""
    return AuditLine(
        seq=row["seq"], at=row["occurred_at"], action=row["event_type"], user=row["actor_user"],
        role=row["actor_role"], ip=row["actor_ip"], summary=row["summary"],
    )  # fmt: skip


def timeline(history: Sequence[StoredEvent]) -> list[PhaseStep]:
    """Creation, then every phase change, oldest first."""
    steps: list[PhaseStep] = []
    for stored in history:
        env, event = stored.envelope, stored.envelope.payload
        if isinstance(event, JobCreated):
            steps.append(PhaseStep(at=env.occurred_at, from_phase=None, to_phase="discovered",
                                   cause="job created", by=env.actor.user))  # fmt: skip
        elif isinstance(event, PhaseChanged):
            steps.append(PhaseStep(at=env.occurred_at, from_phase=event.from_phase.value,
                                   to_phase=event.to_phase.value, cause=event.cause,
                                   by=env.actor.user))  # fmt: skip
    return steps


def _remark(event: Any) -> tuple[str, uuid.UUID | None]:
    if isinstance(event, GateApproved):
        return event.comment, event.evaluation_id
    if isinstance(event, GateOverridden):
        return event.reason, event.evaluation_id
    if isinstance(event, DnsCutoverApplied):
        return event.details, None
    if isinstance(event, JobClosed):
        return event.reason, None
    raise TypeError(type(event).__name__)


def decisions(history: Sequence[StoredEvent]) -> list[DecisionOut]:
    """Approvals, overrides, the DNS cutover and the closing, oldest first."""
    kinds = (GateApproved, GateOverridden, DnsCutoverApplied, JobClosed)
    out: list[DecisionOut] = []
    for stored in history:
        env = stored.envelope
        if isinstance(env.payload, kinds):
            remark, evaluation_id = _remark(env.payload)
            out.append(DecisionOut(at=env.occurred_at, type=env.type, by=env.actor.user,
                                   role=env.actor.role, remark=remark,
                                   evaluation_id=evaluation_id))  # fmt: skip
    return out
