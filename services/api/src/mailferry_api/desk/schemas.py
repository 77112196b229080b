"""HTTP model of the Desk ticket badge."""

import uuid

from pydantic import Field

from mailferry_api.schemas import ResponseModel
from mailferry_contracts.common import GateState, Phase


class DeskOut(ResponseModel):
    """What Desk shows on the job's ticket (DESIGN §1), with the ticket and tenant it belongs to."""

    migration_job_id: uuid.UUID
    migration_phase: Phase
    migration_gate: GateState
    migration_sync_percent: float = Field(description="0-100 over the job's mailboxes")
    ticket_id: str | None
    tenant_id: str | None
