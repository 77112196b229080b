"""HTTP models of mailboxes and imports. No model here has a password field."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from mailferry_api.schemas import Page, ResponseModel

SortKey = Literal["row", "email", "status", "sync_percent", "updated_at"]
SortOrder = Literal["asc", "desc"]


class RowErrorOut(ResponseModel):
    """One problem of an import."""

    line: int | None = Field(description="Where, see `numbering`; null for the whole file")
    field: str | None = Field(description="Which field, if one")
    message: str = Field(description="What is wrong")


class PreviewRow(ResponseModel):
    """A parsed mailbox as it would be imported (passwords only as has_* flags)."""

    line: int = Field(description="Line (see `numbering`)")
    row: int = Field(description="1-based data row")
    source_email: str
    source_user: str
    target_email: str
    target_user: str
    source_type: str
    folder_map: dict[str, str]
    has_source_password: bool
    has_target_password: bool


class ImportPreviewOut(ResponseModel):
    """``dry_run=true``: what would be imported, and every problem; nothing was saved."""

    dry_run: Literal[True] = True
    valid: bool = Field(description="Whether the import would be accepted")
    count: int = Field(description="Mailboxes read")
    numbering: str = Field(description="What `line` means")
    rows: list[PreviewRow]
    errors: list[RowErrorOut]
    total_errors: int = Field(description="All errors, even beyond the ones listed")
    warnings: list[str]


class ImportedOut(ResponseModel):
    """Mailboxes were imported."""

    job_id: uuid.UUID
    import_id: uuid.UUID = Field(description="Shared by the MailboxesImported events")
    count: int = Field(description="Mailboxes imported")
    mailbox_ids: list[uuid.UUID] = Field(description="In input order")
    sequences: list[int] = Field(description="Stream sequences of the events")
    warnings: list[str]


class MailboxOut(ResponseModel):
    """A mailbox as the read model shows it (credentials only as has_* flags)."""

    id: uuid.UUID
    job_id: uuid.UUID
    row: int | None
    source_type: str
    source_email: str
    source_user: str
    target_email: str
    target_user: str
    folder_map: dict[str, str]
    has_source_credentials: bool
    has_target_credentials: bool
    status: str
    last_error_class: str | None
    last_error_message: str | None
    messages_source: int | None
    bytes_source: int | None
    messages_dest: int | None
    bytes_dest: int | None
    verify_ratio: float | None
    sync_percent: float
    last_run_id: uuid.UUID | None
    last_run_type: str | None
    last_run_status: str | None
    initial_synced_at: datetime | None
    delta_synced_at: datetime | None
    verified_at: datetime | None
    quarantine_count: int
    created_at: datetime
    updated_at: datetime


class MailboxDetailOut(MailboxOut):
    """A mailbox with its latest preflight, verification and dead-letter record."""

    preflight: dict[str, Any] | None
    verification: dict[str, Any] | None
    dead_letter: dict[str, Any] | None


class MailboxPage(Page):
    """A page of mailboxes."""

    items: list[MailboxOut]
