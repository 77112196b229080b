"""runner-pst settings: ``MIGRATION_*`` variables, validated at boot."""

import os
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from mailferry_bus.runners.settings import RunnerSettings
from mailferry_contracts.common import RunnerKind
from mailferry_imap import MAX_CONNECTIONS
from mailferry_vault import VaultSettings

_MIB = 1024 * 1024


class Settings(RunnerSettings, VaultSettings):
    """Everything runner-pst reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="MIGRATION_", extra="ignore")

    readpst_bin: Path | None = Field(
        default=None, description="readpst executable; unset = look it up on PATH"
    )
    data_path: Path = Field(
        default=Path("/var/lib/mailferry/runner-pst"),
        description="Private scratch space: one 0700 directory per run, removed afterwards",
    )
    runner_slots: int = Field(default=2, ge=1, description="Imports this process runs at once")
    shutdown_grace_s: float = Field(default=15.0, ge=0, description="Wait for running imports")
    imap_connections: int = Field(
        default=MAX_CONNECTIONS, ge=1, le=MAX_CONNECTIONS, description="Per mailbox, at most 4"
    )
    imap_timeout_s: float = Field(default=120.0, gt=0, description="Seconds of server silence")
    max_message_mb: int = Field(
        default=512, ge=1, description="Larger messages go to quarantine instead of memory"
    )
    keep_rtf_body: bool = Field(
        default=True, description="Keep readpst's rtf-body.rtf attachment (off = readpst -b)"
    )

    @property
    def runner_kind(self) -> RunnerKind:
        return RunnerKind.PST

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        self.check_keyring()
        if self.readpst_bin is not None and not os.access(self.readpst_bin, os.X_OK):
            raise ValueError(f"MIGRATION_READPST_BIN={self.readpst_bin} is not executable")
        return self

    @property
    def work_root(self) -> Path:
        """Where the per-run directories live."""
        return self.data_path / "work"

    @property
    def max_message_bytes(self) -> int:
        return self.max_message_mb * _MIB
