"""HTTP models of the gate: decisions on it, and what it shows."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from mailferry_api.schemas import RequestModel, ResponseModel
from mailferry_contracts.common import CheckName, CheckStatus, GateState, Phase

MAX_TEXT = 2000


class ApproveIn(RequestModel):
    """An ops lead approves the evaluation they were shown."""

    evaluation_id: uuid.UUID = Field(
        description="The evaluation on the screen (``evaluation_id`` of GET jobs/{id}/gate)"
    )
    comment: str = Field(default="", max_length=MAX_TEXT, description="Optional remark")


class OverrideIn(RequestModel):
    """A super admin forces the gate to ready_for_dns."""

    reason: str = Field(min_length=1, max_length=MAX_TEXT, description="Mandatory, not blank")
    evaluation_id: uuid.UUID | None = Field(
        default=None, description="The evaluation on the screen; refused if no longer the latest"
    )


class DecisionOut(ResponseModel):
    """An approval or override was recorded; the gate service re-evaluates from it."""

    job_id: uuid.UUID
    evaluation_id: uuid.UUID | None = Field(description="The evaluation decided on")
    sequence: int = Field(description="Stream sequence of the appended event")


class CheckOut(ResponseModel):
    """The latest result of one check."""

    name: CheckName
    status: CheckStatus
    message: str = Field(description="Names the mailboxes and folders at fault")
    mailboxes: list[str] = Field(description="Addresses at fault")
    evaluation_id: uuid.UUID
    evaluated_at: datetime


class CheckSummaryOut(ResponseModel):
    """One check of an evaluation."""

    name: CheckName
    status: CheckStatus
    message: str


class EvaluationOut(ResponseModel):
    """One GateEvaluated: the gate changed or a check said something new."""

    evaluation_id: uuid.UUID
    gate: GateState
    previous_gate: GateState | None
    reason: str = Field(description="What changed, and after which event")
    approval_invalidated: bool
    checks: list[CheckSummaryOut]
    evaluated_at: datetime
    sequence: int = Field(description="Stream sequence of the GateEvaluated")


class DecisionEntry(ResponseModel):
    """An approval or an override, as audited."""

    kind: Literal["approval", "override"]
    user: str
    role: str | None
    at: datetime
    summary: str = Field(description="The audit line: evaluation, comment or reason")
    sequence: int


class DeliveryOut(ResponseModel):
    """One attempt to POST a GateReady to a webhook."""

    notification_id: uuid.UUID
    url: str
    attempt: int
    delivered: bool
    status_code: int | None
    error: str
    attempted_at: datetime
    next_attempt_at: datetime | None


class GateOut(ResponseModel):
    """The gate of a job as the read models show it."""

    job_id: uuid.UUID
    domain: str
    phase: Phase
    gate: GateState
    evaluation_id: uuid.UUID | None = Field(description="Latest evaluation: what an approval names")
    approved_by: str | None = Field(description="Whose approval or override holds, if any")
    approved_at: datetime | None
    dns_cutover_at: datetime | None
    closed_at: datetime | None
    checks: list[CheckOut] = Field(description="Every check, in the order of DESIGN §2")
    evaluations: list[EvaluationOut] = Field(description="Evaluation history, newest first")
    evaluations_total: int
    decisions: list[DecisionEntry] = Field(description="Approvals and overrides, newest first")
    webhook_deliveries: list[DeliveryOut] = Field(description="Delivery attempts, newest first")


class CloseIn(RequestModel):
    """Closing a verified job."""

    reason: str = Field(default="", max_length=MAX_TEXT, description="Closing remark")


class ClosedOut(ResponseModel):
    """The job is closed and its secrets destroyed."""

    job_id: uuid.UUID
    sequence: int = Field(description="Stream sequence of JobClosed")
    references: int = Field(description="Credential references the job's events carry")
    secrets_destroyed: int = Field(description="Secrets that still existed and were destroyed")
    purge_sequence: int = Field(description="Stream sequence of JobSecretsPurged")


class RetryPhaseIn(RequestModel):
    """Leaving ``failed`` for the phase the job failed in."""

    reason: str = Field(default="", max_length=MAX_TEXT, description="Why (e.g. source fixed)")


class PhaseRetryOut(ResponseModel):
    """The retry was recorded; the gate service moves the job back."""

    job_id: uuid.UUID
    back_to: Phase | None = Field(description="The phase the job returns to")
    sequence: int = Field(description="Stream sequence of PhaseRetryRequested")
