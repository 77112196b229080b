"""The job aggregate: one customer domain being migrated (``migration.events.job.<id>.*``)."""

import uuid
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from mailferry_contracts.base import Event
from mailferry_contracts.common import (
    CredentialRef,
    Engine,
    EngineOptions,
    Phase,
    RunType,
    ServerSettings,
    SourceType,
    SyncMode,
    ValueObject,
)
from mailferry_contracts.subjects import AGGREGATE_JOB


class JobEvent(Event):
    """An event of the job aggregate."""

    AGGREGATE: ClassVar[str] = AGGREGATE_JOB


class JobCreated(JobEvent):
    """A technician created a migration job for a customer domain."""

    type: Literal["JobCreated"] = "JobCreated"
    schema_version: Literal[1] = 1
    job_id: uuid.UUID = Field(description="Id of the new job")
    domain: str = Field(description="Customer mail domain, lower case")
    tenant_id: str | None = Field(default=None, description="Desk tenant the job belongs to")
    ticket_id: str | None = Field(default=None, description="Desk ticket the job is shown on")
    source: ServerSettings | None = Field(
        default=None, description="Source IMAP server; absent for upload-only jobs"
    )
    destination: ServerSettings = Field(description="Destination IMAP server")
    engine: Engine = Field(default=Engine.AUTO, description="IMAP copy engine")
    options: EngineOptions = Field(default_factory=EngineOptions, description="Engine options")
    concurrency_limit: int = Field(ge=1, description="Mailboxes of this job running at once")
    per_host_limit: int = Field(ge=1, description="Runs at once against one source host")
    notes: str = Field(default="", description="Free text for operators")


class JobNotesUpdated(JobEvent):
    """The job's notes were replaced."""

    type: Literal["JobNotesUpdated"] = "JobNotesUpdated"
    schema_version: Literal[1] = 1
    notes: str = Field(description="New notes")


class JobLimitsChanged(JobEvent):
    """The job's concurrency limits were changed."""

    type: Literal["JobLimitsChanged"] = "JobLimitsChanged"
    schema_version: Literal[1] = 1
    concurrency_limit: int = Field(ge=1, description="Mailboxes of this job running at once")
    per_host_limit: int = Field(ge=1, description="Runs at once against one source host")


class MailboxSpec(ValueObject):
    """One mailbox to migrate, as imported. Carries credential references, never secrets."""

    mailbox_id: uuid.UUID = Field(description="Id of the mailbox")
    row: int | None = Field(default=None, description="1-based data row of the CSV it came from")
    source_type: SourceType = Field(default=SourceType.IMAP, description="Where its mail is")
    source_email: str = Field(description="Address of the mailbox at the source")
    source_user: str = Field(description="Login name at the source")
    target_email: str = Field(description="Address of the mailbox at the destination")
    target_user: str = Field(description="Login name at the destination")
    source_credential_ref: CredentialRef | None = Field(
        default=None, description="Vault reference of the source password or OAuth token"
    )
    target_credential_ref: CredentialRef | None = Field(
        default=None, description="Vault reference of the destination password"
    )
    folder_map: dict[str, str] = Field(
        default_factory=dict, description="Per-mailbox folder map over the job's map"
    )


class MailboxesImported(JobEvent):
    """Mailboxes were added to the job (one JSON item, or one batch of a CSV import).

    A large import is appended as several of these in one atomic batch: all or nothing.
    """

    type: Literal["MailboxesImported"] = "MailboxesImported"
    schema_version: Literal[1] = 1
    import_id: uuid.UUID = Field(description="Id shared by the batches of one import")
    origin: Literal["csv", "json"] = Field(description="How the mailboxes were submitted")
    batch: int = Field(ge=1, description="1-based batch number")
    batch_count: int = Field(ge=1, description="Number of batches in this import")
    mailboxes: list[MailboxSpec] = Field(description="The mailboxes of this batch")


class MailboxCredentialsUpdated(JobEvent):
    """New credentials were stored for the mailbox (the old ones were destroyed)."""

    type: Literal["MailboxCredentialsUpdated"] = "MailboxCredentialsUpdated"
    schema_version: Literal[1] = 1
    mailbox_id: uuid.UUID = Field(description="Mailbox")
    source_credential_ref: CredentialRef | None = Field(
        default=None, description="New source credential reference, if changed"
    )
    target_credential_ref: CredentialRef | None = Field(
        default=None, description="New destination credential reference, if changed"
    )


class UploadStored(JobEvent):
    """A PST, mbox or eml-zip file was uploaded and stored for the runners."""

    type: Literal["UploadStored"] = "UploadStored"
    schema_version: Literal[1] = 1
    mailbox_id: uuid.UUID = Field(description="Mailbox the file belongs to")
    upload_id: uuid.UUID = Field(description="Id of the upload")
    kind: Literal["pst", "mbox", "eml_zip"] = Field(description="File kind")
    filename: str = Field(description="Client file name, for display only; never used as a path")
    size_bytes: int = Field(ge=0, description="Size in bytes")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the content")
    object_name: str = Field(description="Name in the uploads object store")
    duplicate_of: uuid.UUID | None = Field(
        default=None, description="Earlier upload with the same SHA-256 for this mailbox"
    )


class PreflightRequested(JobEvent):
    """Someone asked for a preflight (login, folders, counts, quota) of some mailboxes."""

    type: Literal["PreflightRequested"] = "PreflightRequested"
    schema_version: Literal[1] = 1
    request_id: uuid.UUID = Field(description="Id of this request; run ids derive from it")
    mailbox_ids: list[uuid.UUID] | None = Field(
        default=None, description="Selected mailboxes; null means every mailbox of the job"
    )


class SyncRequested(JobEvent):
    """Someone asked for an initial, delta or final sync of some mailboxes."""

    type: Literal["SyncRequested"] = "SyncRequested"
    schema_version: Literal[1] = 1
    request_id: uuid.UUID = Field(description="Id of this request; run ids derive from it")
    mode: SyncMode = Field(description="initial, delta or final")
    mailbox_ids: list[uuid.UUID] | None = Field(
        default=None, description="Selected mailboxes; null means every mailbox of the job"
    )
    forced: bool = Field(
        default=False, description="A super admin forced a mode the phase would not allow"
    )


class VerifyRequested(JobEvent):
    """Someone asked to verify (count both sides through the folder map) some mailboxes."""

    type: Literal["VerifyRequested"] = "VerifyRequested"
    schema_version: Literal[1] = 1
    request_id: uuid.UUID = Field(description="Id of this request; run ids derive from it")
    mailbox_ids: list[uuid.UUID] | None = Field(
        default=None, description="Selected mailboxes; null means every mailbox of the job"
    )


class RetryItem(ValueObject):
    """One mailbox to run again, with the run type that failed."""

    mailbox_id: uuid.UUID = Field(description="Mailbox to retry")
    run_type: RunType = Field(description="Run type to repeat")


class RetryRequested(JobEvent):
    """Someone asked to retry one failed mailbox, or all failed mailboxes of the job."""

    type: Literal["RetryRequested"] = "RetryRequested"
    schema_version: Literal[1] = 1
    request_id: uuid.UUID = Field(description="Id of this request; run ids derive from it")
    scope: Literal["one", "all_failed"] = Field(description="One mailbox or every failed one")
    items: list[RetryItem] = Field(description="What to run again")


class PhaseChanged(JobEvent):
    """The job moved to another phase because of a fact."""

    type: Literal["PhaseChanged"] = "PhaseChanged"
    schema_version: Literal[1] = 1
    from_phase: Phase = Field(description="Phase before")
    to_phase: Phase = Field(description="Phase after")
    cause: str = Field(description="Human explanation of why")
    cause_event_id: uuid.UUID | None = Field(
        default=None, description="Id of the event that made the change possible"
    )


class PhaseRetryRequested(JobEvent):
    """An operator asked to leave ``failed`` and return to the phase the job failed in."""

    type: Literal["PhaseRetryRequested"] = "PhaseRetryRequested"
    schema_version: Literal[1] = 1
    reason: str = Field(default="", description="Why")


class DnsCutoverApplied(JobEvent):
    """The provisioning wizard reported that the domain's MX/DNS now points at the destination."""

    type: Literal["DnsCutoverApplied"] = "DnsCutoverApplied"
    schema_version: Literal[1] = 1
    applied_at: AwareDatetime = Field(description="When the wizard applied the change")
    details: str = Field(default="", description="Free text from the wizard")


class JobClosed(JobEvent):
    """An ops lead closed the job."""

    type: Literal["JobClosed"] = "JobClosed"
    schema_version: Literal[1] = 1
    reason: str = Field(default="", description="Closing remark")


class JobSecretsPurged(JobEvent):
    """Every stored credential of the job was destroyed."""

    type: Literal["JobSecretsPurged"] = "JobSecretsPurged"
    schema_version: Literal[1] = 1
    credential_count: int = Field(ge=0, description="How many secrets were destroyed")
