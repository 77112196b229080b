"""The run aggregate: one execution of a tool for one mailbox (``migration.events.run.<id>.*``).

Commands for runners come first, then the run's events. Commands are self-contained: a runner
needs nothing but the command and the credentials vault to do its work.
"""

import uuid
from typing import ClassVar, Literal

from pydantic import Field

from mailferry_contracts.base import Command, Contract, Event
from mailferry_contracts.common import (
    CredentialRef,
    Engine,
    EngineOptions,
    ErrorClass,
    RunStatus,
    RunType,
    ServerSettings,
    SyncMode,
    Tool,
    ValueObject,
)
from mailferry_contracts.subjects import AGGREGATE_RUN


class MailboxWork(Command):
    """What every runner command carries."""

    AGGREGATE: ClassVar[str] = AGGREGATE_RUN

    run_id: uuid.UUID = Field(description="Id of the run; deterministic per request and mailbox")
    job_id: uuid.UUID = Field(description="Job")
    mailbox_id: uuid.UUID = Field(description="Mailbox")
    request_id: uuid.UUID = Field(description="The request event that caused it")
    run_type: RunType = Field(description="What to do")
    destination: ServerSettings = Field(description="Destination IMAP server")
    target_user: str = Field(description="Login at the destination")
    target_credential_ref: CredentialRef | None = Field(description="Destination secret")
    folder_map: dict[str, str] = Field(
        default_factory=dict, description="Job map overlaid with the mailbox's own"
    )
    options: EngineOptions = Field(default_factory=EngineOptions, description="Engine options")
    concurrency_limit: int = Field(ge=1, description="Job limit at dispatch time")
    per_host_limit: int = Field(ge=1, description="Per source host limit at dispatch time")


class ImapWork(MailboxWork):
    """Runner-imap commands: they also need the source server."""

    source: ServerSettings = Field(description="Source IMAP server")
    source_user: str = Field(description="Login at the source")
    source_credential_ref: CredentialRef | None = Field(description="Source secret")
    engine: Engine = Field(default=Engine.AUTO, description="Copy engine")


class StartPreflight(ImapWork):
    """Check logins, list folders with counts and sizes, read the destination quota."""

    type: Literal["StartPreflight"] = "StartPreflight"
    schema_version: Literal[1] = 1


class StartSync(ImapWork):
    """Copy what is missing at the destination."""

    type: Literal["StartSync"] = "StartSync"
    schema_version: Literal[1] = 1
    mode: SyncMode = Field(description="initial, delta or final")


class StartVerify(ImapWork):
    """Count both sides per folder through the mapping."""

    type: Literal["StartVerify"] = "StartVerify"
    schema_version: Literal[1] = 1


class StartUploadImport(MailboxWork):
    """Import an uploaded PST, mbox or eml zip into the destination (runner-pst)."""

    type: Literal["StartUploadImport"] = "StartUploadImport"
    schema_version: Literal[1] = 1
    upload_id: uuid.UUID = Field(description="The upload")
    kind: Literal["pst", "mbox", "eml_zip"] = Field(description="File kind")
    object_name: str = Field(description="Name in the uploads object store")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Expected SHA-256")


class StartTgzMigration(MailboxWork):
    """Export a Zimbra mailbox as TGZ over SSH and import it (runner-tgz).

    v2 added ``source``: the runner reaches the Zimbra host named there over SSH, and the
    per-source-host limit counts against it. v1 commands upcast with ``source`` unset.
    """

    type: Literal["StartTgzMigration"] = "StartTgzMigration"
    schema_version: Literal[2] = 2
    source_user: str = Field(description="Zimbra account at the source")
    source: ServerSettings | None = Field(
        default=None, description="The job's source server: the Zimbra host to export from"
    )


class RunEvent(Event):
    """An event of the run aggregate."""

    AGGREGATE: ClassVar[str] = AGGREGATE_RUN

    run_id: uuid.UUID = Field(description="Run")
    job_id: uuid.UUID = Field(description="Job")
    mailbox_id: uuid.UUID = Field(description="Mailbox")
    run_type: RunType = Field(description="What the run does")


class RunQueued(RunEvent):
    """A command for the run was placed on the work queue."""

    type: Literal["RunQueued"] = "RunQueued"
    schema_version: Literal[1] = 1
    request_id: uuid.UUID = Field(description="The request that caused it")
    runner_kind: str = Field(description="imap, pst or tgz")


class RunStarted(RunEvent):
    """A runner started the tool for the run."""

    type: Literal["RunStarted"] = "RunStarted"
    schema_version: Literal[1] = 1
    tool: Tool = Field(description="Tool performing the run")
    runner_id: str = Field(description="Runner process that took it")
    attempt: int = Field(ge=1, description="Delivery attempt, 1 on the first")
    command_line: str = Field(default="", description="The tool's argv, secrets never present")


class RunAttemptFailed(RunEvent):
    """An attempt failed with a transient error; the run will be retried after a backoff."""

    type: Literal["RunAttemptFailed"] = "RunAttemptFailed"
    schema_version: Literal[1] = 1
    attempt: int = Field(ge=1, description="The attempt that failed")
    error_class: ErrorClass = Field(description="Transient class such as connection_failed")
    error_message: str = Field(default="", description="Secrets redacted")
    retry_in_seconds: float = Field(ge=0, description="Backoff before the next attempt")


class RunStats(ValueObject):
    """Counters of a finished run."""

    transferred: int = Field(default=0, ge=0, description="Messages copied")
    skipped: int = Field(default=0, ge=0, description="Messages already there")
    errors: int = Field(default=0, ge=0, description="Messages or folders that failed")
    folders: int = Field(default=0, ge=0, description="Folders processed")
    bytes: int = Field(default=0, ge=0, description="Bytes copied")
    duplicates: int = Field(default=0, ge=0, description="Identical copies found at the source")
    no_message_id: int = Field(default=0, ge=0, description="Messages without Message-ID")


class RunFinished(RunEvent):
    """The run ended; this is the final word on it."""

    type: Literal["RunFinished"] = "RunFinished"
    schema_version: Literal[1] = 1
    tool: Tool = Field(description="Tool that performed the run")
    status: Literal[RunStatus.SUCCESS, RunStatus.PARTIAL, RunStatus.FAILED] = Field(
        description="success, partial or failed"
    )
    exit_code: int | None = Field(default=None, description="Tool exit status, if a process")
    stats: RunStats = Field(default_factory=RunStats, description="Counters")
    error_class: ErrorClass | None = Field(default=None, description="Main error class")
    error_message: str = Field(default="", description="Secrets redacted")
    log_ref: str | None = Field(default=None, description="Where the full log is stored")
    attempt: int = Field(default=1, ge=1, description="Attempt that produced the outcome")
    duration_seconds: float = Field(default=0.0, ge=0, description="Wall time")


class RunProgress(Contract):
    """A periodic measurement of a running run (a noun: not a fact of the event log).

    Published, throttled to a few per second, on the short-retention progress stream.
    """

    AGGREGATE: ClassVar[str] = AGGREGATE_RUN

    type: Literal["RunProgress"] = "RunProgress"
    schema_version: Literal[1] = 1
    run_id: uuid.UUID = Field(description="Run")
    job_id: uuid.UUID = Field(description="Job")
    mailbox_id: uuid.UUID = Field(description="Mailbox")
    run_type: RunType = Field(description="What the run does")
    folder: str = Field(default="", description="Folder being processed")
    messages_done: int = Field(ge=0, description="Messages processed so far")
    messages_total: int | None = Field(default=None, ge=0, description="Messages expected")
    bytes_done: int = Field(default=0, ge=0, description="Bytes processed so far")
    rate_messages: float = Field(default=0.0, ge=0, description="Messages per second")
    rate_bytes: float = Field(default=0.0, ge=0, description="Bytes per second")
    eta_seconds: float | None = Field(default=None, ge=0, description="Estimated time left")
    percent: float = Field(ge=0, le=100, description="Progress in percent")
