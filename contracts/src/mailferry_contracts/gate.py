"""Gate events (on the job aggregate) and the ``migration.gate_ready`` notification."""

import uuid
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from mailferry_contracts.base import Event, Notification
from mailferry_contracts.common import CheckName, CheckStatus, GateState, Phase, ValueObject
from mailferry_contracts.subjects import AGGREGATE_JOB


class CheckResult(ValueObject):
    """One gate check with a message an operator can act on."""

    name: CheckName = Field(description="Which check")
    status: CheckStatus = Field(description="pass, warn or fail")
    message: str = Field(description="Human explanation naming the mailboxes/folders at fault")
    mailboxes: list[str] = Field(
        default_factory=list, description="Addresses of the mailboxes at fault, if any"
    )


class MailboxRatio(ValueObject):
    """Count ratio of one mailbox at its latest verification."""

    mailbox_id: uuid.UUID = Field(description="Mailbox")
    email: str = Field(description="Source address")
    source_messages: int = Field(ge=0, description="Messages at the source")
    destination_messages: int = Field(ge=0, description="Messages at the destination")
    ratio: float | None = Field(description="destination / source; null when never verified")


class GateEvent(Event):
    """A gate event, appended to the job's stream."""

    AGGREGATE: ClassVar[str] = AGGREGATE_JOB


class GateEvaluated(GateEvent):
    """The gate service re-evaluated the checks and something changed."""

    type: Literal["GateEvaluated"] = "GateEvaluated"
    schema_version: Literal[1] = 1
    evaluation_id: uuid.UUID = Field(description="Id an approval refers to")
    gate: GateState = Field(description="Gate state after this evaluation")
    previous_gate: GateState | None = Field(default=None, description="Gate state before")
    checks: list[CheckResult] = Field(description="Every check")
    mailbox_ratios: list[MailboxRatio] = Field(
        default_factory=list, description="Per-mailbox ratios (count_ratio detail)"
    )
    reason: str = Field(description="What changed since the previous evaluation")
    approval_invalidated: bool = Field(
        default=False, description="An earlier approval no longer holds"
    )


class GateApproved(GateEvent):
    """An ops lead approved the evaluation they were shown."""

    type: Literal["GateApproved"] = "GateApproved"
    schema_version: Literal[1] = 1
    evaluation_id: uuid.UUID = Field(description="The evaluation approved")
    comment: str = Field(default="", description="Optional remark")


class GateOverridden(GateEvent):
    """A super admin forced the gate to ready_for_dns."""

    type: Literal["GateOverridden"] = "GateOverridden"
    schema_version: Literal[1] = 1
    evaluation_id: uuid.UUID | None = Field(description="The evaluation overridden")
    reason: str = Field(min_length=1, description="Mandatory justification")


class GateReadyAnnounced(GateEvent):
    """``migration.gate_ready`` was published for an evaluation."""

    type: Literal["GateReadyAnnounced"] = "GateReadyAnnounced"
    schema_version: Literal[1] = 1
    evaluation_id: uuid.UUID | None = Field(description="The evaluation that reached ready")
    notification_id: uuid.UUID = Field(description="Id of the GateReady notification")


class WebhookDeliveryAttempted(GateEvent):
    """One attempt to deliver a GateReady notification to a webhook."""

    type: Literal["WebhookDeliveryAttempted"] = "WebhookDeliveryAttempted"
    schema_version: Literal[1] = 1
    notification_id: uuid.UUID = Field(description="The notification")
    url: str = Field(description="Webhook URL (no credentials)")
    attempt: int = Field(ge=1, description="Attempt number")
    delivered: bool = Field(description="Receiver answered 2xx")
    status_code: int | None = Field(default=None, description="HTTP status, if any")
    error: str = Field(default="", description="Why it failed")
    next_attempt_at: AwareDatetime | None = Field(default=None, description="Next retry")


class CheckSummary(ValueObject):
    """Check name and status, for the wizard."""

    name: CheckName = Field(description="Check")
    status: CheckStatus = Field(description="Status")
    message: str = Field(description="Message")


class GateReady(Notification):
    """Published on ``migration.gate_ready`` and POSTed to webhooks: DNS may be switched."""

    type: Literal["GateReady"] = "GateReady"
    schema_version: Literal[1] = 1
    notification_id: uuid.UUID = Field(description="Unique id; receivers deduplicate on it")
    job_id: uuid.UUID = Field(description="Job")
    domain: str = Field(description="Customer domain")
    tenant_id: str | None = Field(default=None, description="Desk tenant")
    ticket_id: str | None = Field(default=None, description="Desk ticket")
    gate: GateState = Field(description="ready_for_dns")
    phase: Phase = Field(description="Job phase")
    checks: list[CheckSummary] = Field(description="Checks summary")
    approved_by: str | None = Field(description="Who approved (or overrode)")
    approved_at: AwareDatetime | None = Field(description="When")
    overridden: bool = Field(default=False, description="A super admin overrode the checks")
