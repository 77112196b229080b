"""HTTP models of run requests and verification."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from mailferry_api.schemas import Page, RequestModel, ResponseModel
from mailferry_contracts.common import RunType, SyncMode

MAX_SELECTION = 50_000


class SelectionIn(RequestModel):
    """Which mailboxes; absent or null means every mailbox of the job."""

    mailbox_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=MAX_SELECTION, description="Selected mailboxes"
    )


class SyncIn(SelectionIn):
    """A sync request."""

    mode: SyncMode = Field(description="initial, delta or final")
    force: bool = Field(default=False, description="Run a mode the phase would not allow")


class RetryIn(RequestModel):
    """Retry one mailbox; the run type defaults to its last failed run's."""

    run_type: RunType | None = Field(default=None, description="Run type to repeat")


class VerificationItem(ResponseModel):
    """A mailbox's latest verification."""

    mailbox_id: uuid.UUID
    source_email: str
    target_email: str
    status: str
    messages_source: int | None
    messages_dest: int | None
    bytes_source: int | None
    bytes_dest: int | None
    verify_ratio: float | None
    verified_at: datetime | None
    verification: dict[str, Any] | None = Field(description="Per-folder counts")


class VerificationTotals(ResponseModel):
    """Sums over the job's mailboxes."""

    mailboxes: int
    verified: int
    messages_source: int
    messages_dest: int
    ratio: float | None = Field(description="messages_dest / messages_source of verified ones")


class VerificationOut(Page):
    """Latest verification per mailbox (worst ratio first) with totals."""

    job_id: uuid.UUID
    totals: VerificationTotals
    items: list[VerificationItem]
