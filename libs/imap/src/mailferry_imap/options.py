"""Options of a sync, verify or upload run."""

from pydantic import BaseModel, ConfigDict, Field

from mailferry_contracts.common import EngineOptions
from mailferry_imap.mapping import FolderRules

MAX_CONNECTIONS = 4
"""Hard ceiling per mailbox and server: Dovecot crashed under 8 parallel APPENDs for one user."""


class SyncOptions(BaseModel):
    """How to copy one mailbox (all fields have safe defaults)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    folder_map: dict[str, str] = Field(
        default_factory=dict, description="Source path -> destination path, over automap"
    )
    exclude_folders: list[str] = Field(default_factory=list, description="Paths or regexes")
    include_folders: list[str] = Field(default_factory=list, description="If set, only these")
    automap: bool = Field(default=True, description="Map folders by special use and name")
    errors_max: int = Field(default=100, ge=1, description="Stop after this many errors")
    dry_run: bool = Field(default=False, description="Compare and report, copy nothing")
    max_connections: int = Field(
        default=MAX_CONNECTIONS, ge=1, le=MAX_CONNECTIONS, description="Per server"
    )
    timeout: float = Field(default=120.0, gt=0, description="Seconds of server silence")
    sync_flags: bool = Field(
        default=True, description="Add the source's flags to copies already there (never remove)"
    )
    trust_state: bool = Field(
        default=True, description="Skip folders unchanged since the last good run"
    )
    subscribe: bool = Field(default=True, description="Subscribe folders created")
    batch_messages: int = Field(default=200, ge=1, description="Messages per FETCH")
    batch_bytes: int = Field(default=32 * 1024 * 1024, ge=1, description="Bytes per FETCH")
    append_window: int = Field(default=32, ge=1, description="APPENDs in flight per connection")
    max_messages_per_second: float = Field(
        default=0.0, ge=0, description="Copy pace ceiling for the whole run (0 = none)"
    )

    @classmethod
    def from_engine(
        cls, options: EngineOptions, folder_map: dict[str, str] | None = None
    ) -> "SyncOptions":
        """From a command's options; ``folder_map`` is the job map overlaid with the mailbox's."""
        return cls(
            folder_map=dict(folder_map if folder_map is not None else options.folder_map),
            exclude_folders=list(options.exclude_folders),
            include_folders=list(options.include_folders),
            errors_max=options.errors_max,
            dry_run=options.dry_run,
        )

    def rules(self) -> FolderRules:
        """The folder mapping rules."""
        return FolderRules(
            folder_map=self.folder_map,
            exclude=tuple(self.exclude_folders),
            include=tuple(self.include_folders),
            automap=self.automap,
        )
