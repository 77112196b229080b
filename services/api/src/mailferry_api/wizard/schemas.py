"""HTTP models of the provisioning wizard's routes."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, model_validator

from mailferry_api.schemas import RequestModel, ResponseModel
from mailferry_contracts.common import CheckName, CheckStatus, GateState, Phase
from mailferry_contracts.validators import normalise_domain

Domain = Annotated[str, AfterValidator(normalise_domain), Field(max_length=253)]


class CheckSummary(ResponseModel):
    """One check: enough for the wizard to show why it may not switch yet."""

    name: CheckName
    status: CheckStatus
    message: str


class WizardGateOut(ResponseModel):
    """The gate of one job, as the wizard reads it before switching MX/DNS."""

    job_id: uuid.UUID
    domain: str
    tenant_id: str | None
    ticket_id: str | None
    gate: GateState = Field(description="Switch DNS only at ready_for_dns")
    phase: Phase
    evaluation_id: uuid.UUID | None = Field(description="Latest evaluation")
    checks: list[CheckSummary] = Field(description="Checks summary, in the order of DESIGN §2")
    approved_by: str | None = Field(description="Whose approval or override holds")
    approved_at: datetime | None
    dns_cutover_at: datetime | None = Field(description="Set once dns-applied was reported")


class DnsAppliedIn(RequestModel):
    """The wizard switched the domain's MX/DNS to the destination."""

    domain: Domain | None = Field(default=None, description="The job's domain (or give job_id)")
    job_id: uuid.UUID | None = Field(default=None, description="The job (or give domain)")
    applied_at: AwareDatetime = Field(description="When the change was applied (with time zone)")
    details: str = Field(default="", max_length=2000, description="Free text, e.g. the records")

    @model_validator(mode="after")
    def _one_target(self) -> "DnsAppliedIn":
        if (self.domain is None) == (self.job_id is None):
            raise ValueError("give exactly one of domain and job_id")
        return self


class DnsAppliedOut(ResponseModel):
    """The cutover is recorded (a repeat answers with the first record and appends nothing)."""

    job_id: uuid.UUID
    domain: str
    applied_at: datetime = Field(description="As first reported")
    sequence: int = Field(description="Stream sequence of the DnsCutoverApplied")
    repeated: bool = Field(description="The cutover had already been reported")
