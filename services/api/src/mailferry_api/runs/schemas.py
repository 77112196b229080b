"""HTTP models of runs."""

import uuid
from datetime import datetime
from typing import Any

from mailferry_api.schemas import Page, ResponseModel


class RunOut(ResponseModel):
    """One execution of a tool for one mailbox."""

    id: uuid.UUID
    job_id: uuid.UUID
    mailbox_id: uuid.UUID
    request_id: uuid.UUID | None
    run_type: str
    runner_kind: str | None
    tool: str | None
    runner_id: str | None
    status: str
    attempt: int
    exit_code: int | None
    stats: dict[str, Any] | None
    error_class: str | None
    error_message: str | None
    log_ref: str | None
    triggered_by: str | None
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float | None


class RunPage(Page):
    """A page of a mailbox's runs, newest first."""

    items: list[RunOut]
