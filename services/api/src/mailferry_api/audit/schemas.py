"""HTTP models of the audit trail."""

import uuid
from datetime import datetime

from pydantic import Field

from mailferry_api.schemas import Page, ResponseModel


class AuditActor(ResponseModel):
    """Who caused the event."""

    kind: str = Field(description="user, service or system")
    user: str
    role: str | None
    ip: str | None
    user_agent: str | None


class AuditEntry(ResponseModel):
    """One event of the log, as the audit trail shows it."""

    seq: int = Field(description="Stream sequence of the event")
    event_id: uuid.UUID
    occurred_at: datetime
    event_type: str = Field(description="The action, e.g. SyncRequested")
    aggregate_type: str
    aggregate_id: str
    job_id: uuid.UUID | None
    actor: AuditActor
    summary: str


class AuditPage(Page):
    """A page of the audit trail, newest first."""

    items: list[AuditEntry]
