"""HTTP models of live progress."""

import uuid
from datetime import datetime

from pydantic import Field

from mailferry_api.schemas import ResponseModel


class MailboxProgressOut(ResponseModel):
    """The latest RunProgress of one mailbox."""

    mailbox_id: uuid.UUID
    run_id: uuid.UUID
    run_type: str
    folder: str
    messages_done: int
    messages_total: int | None
    bytes_done: int
    rate_messages: float = Field(description="Messages per second")
    rate_bytes: float = Field(description="Bytes per second")
    eta_seconds: float | None
    percent: float
    reported_at: datetime
    active: bool = Field(description="Reported recently and not at 100 %")


class JobProgressOut(ResponseModel):
    """A job's live progress: totals over its mailboxes and each mailbox's latest report."""

    job_id: uuid.UUID
    mailboxes: int = Field(description="Mailboxes that reported progress")
    active: int = Field(description="Of those, the ones at work now")
    messages_done: int
    messages_total: int
    bytes_done: int
    percent: float
    rate_messages: float = Field(description="Current messages per second (active mailboxes)")
    rate_bytes: float = Field(description="Current bytes per second (active mailboxes)")
    eta_seconds: float | None = Field(description="Time left at the current rate")
    items: list[MailboxProgressOut]
