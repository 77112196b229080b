"""The mailbox aggregate: facts about one mailbox (``migration.events.mailbox.<id>.*``)."""

import uuid
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from mailferry_contracts.base import Event
from mailferry_contracts.common import ErrorClass, FolderStat, Quota, ValueObject
from mailferry_contracts.subjects import AGGREGATE_MAILBOX


class MailboxEvent(Event):
    """An event of the mailbox aggregate."""

    AGGREGATE: ClassVar[str] = AGGREGATE_MAILBOX

    job_id: uuid.UUID = Field(description="Job the mailbox belongs to")


class MailboxPreflighted(MailboxEvent):
    """A preflight ran: logins, folders, counts and sizes at the source, destination quota."""

    type: Literal["MailboxPreflighted"] = "MailboxPreflighted"
    schema_version: Literal[1] = 1
    run_id: uuid.UUID = Field(description="The preflight run")
    ok: bool = Field(description="Both logins worked and nothing blocks a sync")
    error_class: ErrorClass | None = Field(default=None, description="Why not, when not ok")
    error_message: str = Field(default="", description="The tool's message, secrets redacted")
    source_folders: list[FolderStat] = Field(
        default_factory=list, description="Folders at the source with counts and sizes"
    )
    destination_folders: list[FolderStat] = Field(
        default_factory=list, description="Folders already at the destination"
    )
    destination_quota: Quota | None = Field(
        default=None, description="Destination quota, where the server reports it"
    )


class FolderVerification(ValueObject):
    """Counts of one destination folder against the source folders mapped onto it."""

    source_folders: list[str] = Field(description="Source folders mapped here (merged = summed)")
    destination_folder: str = Field(description="Destination folder")
    source_messages: int = Field(ge=0, description="Messages at the source (sum)")
    destination_messages: int = Field(ge=0, description="Messages at the destination")
    role: Literal["inbox", "sent", "other"] = Field(
        default="other", description="inbox and sent feed the gate's dedicated checks"
    )


class MailboxVerified(MailboxEvent):
    """A verification counted both sides of the mailbox through the folder mapping."""

    type: Literal["MailboxVerified"] = "MailboxVerified"
    schema_version: Literal[1] = 1
    run_id: uuid.UUID = Field(description="The verify run")
    folders: list[FolderVerification] = Field(description="Per destination folder")
    source_messages: int = Field(ge=0, description="Messages at the source")
    destination_messages: int = Field(ge=0, description="Messages at the destination")
    source_bytes: int = Field(default=0, ge=0, description="Bytes at the source")
    destination_bytes: int = Field(default=0, ge=0, description="Bytes at the destination")
    expected_messages: int | None = Field(
        default=None,
        description="Independently counted messages (PST), when the source is not a server",
    )


class MailboxDeadLettered(MailboxEvent):
    """A command for this mailbox kept failing and was moved to the dead-letter subject."""

    type: Literal["MailboxDeadLettered"] = "MailboxDeadLettered"
    schema_version: Literal[1] = 1
    run_id: uuid.UUID = Field(description="Run of the poison command")
    command_type: str = Field(description="Type of the command")
    reason: str = Field(description="Why it was given up")
    deliveries: int = Field(ge=1, description="How many times it was delivered")


class QuarantineItem(ValueObject):
    """A message the destination rejected or that could not be parsed."""

    index: int = Field(ge=0, description="Position in the run's quarantine mbox")
    folder: str = Field(description="Folder it was meant for")
    subject: str = Field(default="", description="Subject, decoded")
    date: AwareDatetime | None = Field(default=None, description="Message date")
    size_bytes: int = Field(ge=0, description="Size in bytes")
    reason: ErrorClass = Field(description="Why it is here, e.g. over_quota")
    detail: str = Field(default="", description="Server response or parse error")


class QuarantineRecorded(MailboxEvent):
    """A run left messages in quarantine."""

    type: Literal["QuarantineRecorded"] = "QuarantineRecorded"
    schema_version: Literal[1] = 1
    run_id: uuid.UUID = Field(description="The run")
    artifact: str = Field(description="Object name of the quarantine mbox")
    count: int = Field(ge=1, description="Messages in quarantine")
    items: list[QuarantineItem] = Field(description="One entry per message")


class QuarantineReviewed(MailboxEvent):
    """An operator reviewed a run's quarantine: accepted the loss, or asked to retry."""

    type: Literal["QuarantineReviewed"] = "QuarantineReviewed"
    schema_version: Literal[1] = 1
    run_id: uuid.UUID = Field(description="The run whose quarantine was reviewed")
    decision: Literal["accept", "retry"] = Field(description="accept or retry")
    note: str = Field(default="", description="Why")
