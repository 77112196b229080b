"""HTTP models of the job report (JSON; the PDF renders the same model)."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from mailferry_api.jobs.schemas import JobOut
from mailferry_api.schemas import ResponseModel

Section = Literal["summary", "gate", "timeline", "verification", "mailboxes", "audit"]
SECTIONS: tuple[Section, ...] = (
    "summary",
    "gate",
    "timeline",
    "verification",
    "mailboxes",
    "audit",
)


class Summary(ResponseModel):
    """Counts over the job's mailboxes."""

    mailboxes: int
    by_status: dict[str, int] = Field(description="pending, syncing, ok, error, quarantine")
    by_error_class: dict[str, int] = Field(description="Mailboxes per last error class")
    verified: int = Field(description="Mailboxes verified at least once")
    messages_source: int
    messages_dest: int
    ratio: float | None = Field(description="messages_dest / messages_source")


class CheckOut(ResponseModel):
    """A gate check's latest result."""

    name: str
    status: str = Field(description="pass, warn or fail")
    message: str
    mailboxes: list[str] = Field(description="Mailboxes at fault")
    evaluated_at: datetime


class EvaluationOut(ResponseModel):
    """One evaluation of the gate (GateEvaluated)."""

    evaluation_id: uuid.UUID
    evaluated_at: datetime
    gate: str
    previous_gate: str | None
    reason: str
    approval_invalidated: bool


class DecisionOut(ResponseModel):
    """A person's decision about the gate or the job (approval, override, DNS, close)."""

    at: datetime
    type: str = Field(description="GateApproved, GateOverridden, DnsCutoverApplied, JobClosed")
    by: str
    role: str | None
    remark: str = Field(description="Comment, override reason, details")
    evaluation_id: uuid.UUID | None


class GateSection(ResponseModel):
    """The gate now, and how it got there."""

    state: str
    approved_by: str | None
    approved_at: datetime | None
    checks: list[CheckOut]
    evaluations: list[EvaluationOut] = Field(description="Newest first")
    decisions: list[DecisionOut] = Field(description="Oldest first")


class PhaseStep(ResponseModel):
    """A phase change (PhaseChanged), or the creation of the job."""

    at: datetime
    from_phase: str | None
    to_phase: str
    cause: str
    by: str


class FolderDeficit(ResponseModel):
    """A destination folder holding less than its source folders."""

    mailbox_id: uuid.UUID
    email: str
    folder: str
    source_messages: int
    destination_messages: int
    missing: int


class VerificationSection(ResponseModel):
    """Totals of the latest verifications and every folder that falls short."""

    verified: int
    messages_source: int
    messages_dest: int
    ratio: float | None
    deficits: list[FolderDeficit]


class MailboxLine(ResponseModel):
    """One mailbox in the report."""

    id: uuid.UUID
    row: int | None
    source_email: str
    target_email: str
    status: str
    error_class: str | None
    messages_source: int | None
    messages_dest: int | None
    verify_ratio: float | None
    last_run: str | None = Field(description="e.g. initial: success")


class AuditLine(ResponseModel):
    """Who did what, when, from where."""

    seq: int
    at: datetime
    action: str
    user: str
    role: str | None
    ip: str | None
    summary: str


class ReportOut(ResponseModel):
    """A job report: every section is built from read models or from the event log."""

    generated_at: datetime
    job: JobOut
    sections: list[Section] = Field(description="Sections included")
    summary: Summary | None = None
    gate: GateSection | None = None
    timeline: list[PhaseStep] | None = None
    verification: VerificationSection | None = None
    mailboxes: list[MailboxLine] | None = None
    mailboxes_truncated: bool = Field(default=False, description="More mailboxes than listed")
    audit: list[AuditLine] | None = Field(
        default=None, description="Newest first; only for callers allowed to read the audit trail"
    )
