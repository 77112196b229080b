"""HTTP models of jobs."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from mailferry_api.schemas import FolderMap, Host, Page, RequestModel, ResponseModel
from mailferry_contracts.common import Engine, GateState, Phase
from mailferry_contracts.validators import folder_problem, normalise_domain

MAX_LIMIT = 1000


def _folder_list(value: list[str]) -> list[str]:
    for name in value:
        problem = folder_problem(name)
        if problem:
            raise ValueError(
                f"folder {name[:40]!r} {problem} (a regex writes a leading '-' as \\-)"
            )
    return value


Domain = Annotated[str, AfterValidator(normalise_domain), Field(max_length=253)]
FolderList = Annotated[list[str], AfterValidator(_folder_list), Field(max_length=500)]
Label = Annotated[str, Field(max_length=200)]


class ServerIn(RequestModel):
    """An IMAP server."""

    host: Host = Field(description="Host name or IP address")
    port: int = Field(default=993, ge=1, le=65535, description="TCP port")
    security: Literal["ssl", "starttls", "none"] = Field(default="ssl", description="TLS mode")
    verify_tls: bool = Field(default=True, description="Verify the certificate")
    label: Label = Field(default="", description="Human label")


class OptionsIn(RequestModel):
    """Engine options of a job."""

    folder_map: FolderMap = Field(default_factory=dict, description="Source -> destination")
    exclude_folders: FolderList = Field(default_factory=list, description="Never copied")
    include_folders: FolderList = Field(default_factory=list, description="Only these, if set")
    errors_max: int = Field(default=100, ge=1, le=100_000, description="Abort after N errors")
    dry_run: bool = Field(default=False, description="Copy nothing")
    include_deleted: bool = Field(default=False, description="PST: import Deleted Items")


class JobCreate(RequestModel):
    """A new migration job."""

    domain: Domain = Field(description="Customer mail domain")
    tenant_id: Label | None = Field(default=None, description="Desk tenant")
    ticket_id: Label | None = Field(default=None, description="Desk ticket")
    source: ServerIn | None = Field(default=None, description="Source server (none: uploads)")
    destination: ServerIn = Field(description="Destination server")
    engine: Engine = Field(default=Engine.AUTO, description="auto, imapsync or native")
    options: OptionsIn = Field(default_factory=OptionsIn, description="Engine options")
    concurrency_limit: int = Field(default=4, ge=1, le=MAX_LIMIT, description="Runs at once")
    per_host_limit: int = Field(default=2, ge=1, le=MAX_LIMIT, description="Per source host")
    notes: str = Field(default="", max_length=10_000, description="Operator notes")


class JobPatch(RequestModel):
    """Changes to a job: notes and/or limits."""

    notes: str | None = Field(default=None, max_length=10_000, description="New notes")
    concurrency_limit: int | None = Field(default=None, ge=1, le=MAX_LIMIT, description="Limit")
    per_host_limit: int | None = Field(default=None, ge=1, le=MAX_LIMIT, description="Per host")

    @model_validator(mode="after")
    def _something(self) -> "JobPatch":
        if self.notes is None and self.concurrency_limit is None and self.per_host_limit is None:
            raise ValueError("give notes, concurrency_limit or per_host_limit")
        return self


class JobCreatedOut(ResponseModel):
    """A job was created."""

    job_id: uuid.UUID = Field(description="Id of the new job")
    sequence: int = Field(description="Stream sequence of JobCreated")


class JobUpdatedOut(ResponseModel):
    """A job was changed."""

    job_id: uuid.UUID = Field(description="Job")
    sequences: list[int] = Field(description="Stream sequences of the appended events")


class ServerOut(ResponseModel):
    """A server as shown."""

    host: str | None = Field(description="Host")
    port: int | None = Field(description="Port")
    security: str | None = Field(description="TLS mode")
    label: str | None = Field(default=None, description="Label")


class JobOut(ResponseModel):
    """A job as the read model shows it."""

    id: uuid.UUID
    tenant_id: str | None
    ticket_id: str | None
    domain: str
    phase: Phase
    phase_before_failure: Phase | None
    gate: GateState
    source: ServerOut | None
    destination: ServerOut
    engine: str
    options: dict[str, Any]
    concurrency_limit: int
    per_host_limit: int
    notes: str
    mailbox_count: int
    sync_percent: float
    messages_source: int
    messages_dest: int
    last_evaluation_id: uuid.UUID | None
    approved_by: str | None
    approved_at: datetime | None
    dns_cutover_at: datetime | None
    closed_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    last_event_seq: int


class JobList(Page):
    """A page of jobs, newest first."""

    items: list[JobOut] = Field(description="Jobs")
