"""Value objects and vocabularies used by several aggregates."""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    """A person's role (DESIGN §7)."""

    TECHNICIAN = "technician"
    OPS_LEAD = "ops_lead"
    SUPER_ADMIN = "super_admin"
    AUDITOR = "auditor"


class Phase(StrEnum):
    """Job phase (DESIGN §2); only facts move a job from one phase to the next."""

    DISCOVERED = "discovered"
    PREFLIGHT = "preflight"
    INITIAL_SYNC = "initial_sync"
    DELTA_SYNC = "delta_sync"
    CUTOVER_READY = "cutover_ready"
    DNS_CUTOVER = "dns_cutover"
    FINAL_SYNC = "final_sync"
    VERIFIED = "verified"
    CLOSED = "closed"
    FAILED = "failed"


class GateState(StrEnum):
    """The cutover gate: blocked until the mail is proven to be at the destination."""

    BLOCKED = "blocked"
    WARNING = "warning"
    READY_FOR_DNS = "ready_for_dns"


class CheckStatus(StrEnum):
    """Outcome of one gate check."""

    PASS = "pass"  # noqa: S105 - a check status, not a password
    WARN = "warn"
    FAIL = "fail"


class CheckName(StrEnum):
    """The six gate checks of DESIGN §2."""

    COUNT_RATIO = "count_ratio"
    INBOX_COMPLETE = "inbox_complete"
    SENT_COMPLETE = "sent_complete"
    PST_QUARANTINE = "pst_quarantine"
    DELTA_PENDING = "delta_pending"
    MANUAL_APPROVAL = "manual_approval"


class SourceType(StrEnum):
    """Where a mailbox's mail comes from; decides which runner kind handles it."""

    IMAP = "imap"
    IMAP_OAUTH = "imap_oauth"
    PST = "pst"
    MBOX = "mbox"
    EML = "eml"
    TGZ = "tgz"
    ZIMBRA = "zimbra"
    DOVECOT = "dovecot"


class RunType(StrEnum):
    """What a run does."""

    PREFLIGHT = "preflight"
    INITIAL = "initial"
    DELTA = "delta"
    FINAL = "final"
    VERIFY = "verify"
    PST_EXTRACT = "pst_extract"
    PST_UPLOAD = "pst_upload"
    TGZ_EXPORT = "tgz_export"
    TGZ_IMPORT = "tgz_import"


class SyncMode(StrEnum):
    """Mode of a requested IMAP sync."""

    INITIAL = "initial"
    DELTA = "delta"
    FINAL = "final"


class Tool(StrEnum):
    """The program that performed a run."""

    IMAPSYNC = "imapsync"
    NATIVE = "native"
    READPST = "readpst"
    UPLOADER = "uploader"
    ZMMAILBOX = "zmmailbox"
    DOVEADM = "doveadm"
    VERIFY = "verify"


class RunStatus(StrEnum):
    """Status of a run."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    PARTIAL = "partial"
    FAILED = "failed"


class MailboxStatus(StrEnum):
    """Status of a mailbox as shown to operators."""

    PENDING = "pending"
    SYNCING = "syncing"
    OK = "ok"
    ERROR = "error"
    QUARANTINE = "quarantine"


class Engine(StrEnum):
    """IMAP copy engine; ``auto`` picks imapsync when installed, else native."""

    AUTO = "auto"
    IMAPSYNC = "imapsync"
    NATIVE = "native"


class RunnerKind(StrEnum):
    """The runner services; each pulls its own commands."""

    IMAP = "imap"
    PST = "pst"
    TGZ = "tgz"


ERROR_CLASSES: frozenset[str] = frozenset(
    {
        "auth_failed_source",
        "auth_failed_target",
        "connection_failed",
        "tls_failed",
        "over_quota",
        "timeout",
        "throttled",
        "tool_missing",
        "partial",
        "append_failed",
        "fetch_failed",
        "folder_failed",
        "cancelled",
        "invalid_input",
        "file_not_supported",
        "file_unreadable",
        "internal",
    }
)
"""Known error classes. ``ErrorClass`` accepts any snake_case token so that a new class does not
force a schema version; consumers that meet an unknown one treat it as ``internal``."""

ErrorClass = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]{0,63}$",
        description="Error class, e.g. auth_failed_source or over_quota (see ERROR_CLASSES)",
    ),
]

CredentialRef = Annotated[
    str,
    Field(
        pattern=r"^cred:[0-9a-f-]{36}$",
        description="Reference to an encrypted secret in the credentials vault; never the secret",
    ),
]


class ValueObject(BaseModel):
    """Frozen, tolerant base for values nested in contracts."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class ServerSettings(ValueObject):
    """How to reach an IMAP server."""

    host: str = Field(description="Hostname or IP address")
    port: int = Field(ge=1, le=65535, description="TCP port")
    security: Literal["ssl", "starttls", "none"] = Field(
        default="ssl", description="Implicit TLS, STARTTLS or plain"
    )
    verify_tls: bool = Field(default=True, description="Verify the server certificate")
    label: str = Field(default="", description="Human label, e.g. 'old Exchange'")


class EngineOptions(ValueObject):
    """Options for the copy engines, set per job."""

    folder_map: dict[str, str] = Field(
        default_factory=dict, description="Source folder -> destination folder, over automap"
    )
    exclude_folders: list[str] = Field(
        default_factory=list, description="Source folders (or regexes) never copied"
    )
    include_folders: list[str] = Field(
        default_factory=list, description="If set, only these source folders are copied"
    )
    errors_max: int = Field(default=100, ge=1, description="Abort a run after this many errors")
    dry_run: bool = Field(default=False, description="Simulate: copy nothing")
    include_deleted: bool = Field(
        default=False, description="PST: also import the Deleted Items folder"
    )


class FolderStat(ValueObject):
    """Counts of one folder on one server."""

    name: str = Field(description="Folder name as the server shows it (UTF-8)")
    messages: int = Field(ge=0, description="Number of messages")
    bytes: int = Field(default=0, ge=0, description="Total size in bytes")
    special_use: str | None = Field(
        default=None, description="Special use such as \\Sent or \\Inbox, when known"
    )


class Quota(ValueObject):
    """Storage quota reported by a server."""

    used_bytes: int = Field(ge=0, description="Bytes in use")
    limit_bytes: int | None = Field(default=None, ge=0, description="Limit in bytes, if any")
