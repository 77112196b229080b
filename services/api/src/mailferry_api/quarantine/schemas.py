"""HTTP shapes of the quarantine and of a run's files."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from mailferry_api.schemas import RequestModel, ResponseModel


class QuarantineItemOut(ResponseModel):
    """One message a run could not deliver."""

    run_id: uuid.UUID = Field(description="The run that quarantined it")
    item_index: int = Field(description="Position in the run's quarantine mbox")
    mailbox_id: uuid.UUID = Field(description="Mailbox")
    folder: str = Field(description="Folder it was meant for")
    subject: str = Field(description="Subject, decoded")
    message_date: datetime | None = Field(default=None, description="Message date")
    size_bytes: int = Field(description="Size in bytes")
    reason: str = Field(description="Why, e.g. over_quota or file_unreadable")
    detail: str = Field(description="Server response or read error")
    decision: Literal["accept", "retry"] | None = Field(
        default=None, description="Review decision; null while pending"
    )
    reviewed_by: str | None = Field(default=None, description="Who reviewed it")
    reviewed_at: datetime | None = Field(default=None, description="When")


class QuarantineList(ResponseModel):
    """Quarantined messages, by run and position."""

    items: list[QuarantineItemOut] = Field(description="Messages")
    limit: int = Field(description="Page size used")
    offset: int = Field(description="Rows skipped")


class ReviewIn(RequestModel):
    """An operator's decision on one run's quarantine."""

    decision: Literal["accept", "retry"] = Field(
        description="accept: the loss is accepted (the gate warns); retry: import again "
        "(after fixing the destination, e.g. raising its quota)"
    )
    note: str = Field(default="", max_length=2000, description="Why")


class ReviewOut(ResponseModel):
    """The review as recorded, and the retry it asked for."""

    run_id: uuid.UUID = Field(description="The reviewed run")
    decision: Literal["accept", "retry"] = Field(description="accept or retry")
    sequence: int = Field(description="Stream sequence of QuarantineReviewed")
    retry_request_id: uuid.UUID | None = Field(
        default=None, description="The RetryRequested a retry appended"
    )


class ArtifactOut(ResponseModel):
    """A file a run left: its quarantine mbox, or the calendar/contact items IMAP cannot hold."""

    run_id: uuid.UUID = Field(description="Run")
    file_name: str = Field(description="quarantine.mbox or items.zip")
    size_bytes: int = Field(description="Size in bytes")
    download: str = Field(description="Path to download it")


class ArtifactList(ResponseModel):
    """A mailbox's run files, newest run first."""

    items: list[ArtifactOut] = Field(description="Files")
