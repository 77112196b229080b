"""runner-imap settings: ``MIGRATION_*`` variables, validated at boot."""

import os
import shutil
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from mailferry_bus.runners.settings import RunnerSettings
from mailferry_contracts.common import RunnerKind
from mailferry_vault import VaultSettings


class Settings(RunnerSettings, VaultSettings):
    """Everything runner-imap reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="MIGRATION_", extra="ignore")

    imapsync_bin: Path | None = Field(
        default=None, description="imapsync executable; unset = look it up on PATH"
    )
    work_dir: Path = Field(
        default=Path("/var/lib/mailferry/runner-imap"),
        description="Private scratch space (passfiles, imapsync logs); 0700 per run",
    )
    kill_grace_s: float = Field(default=10.0, ge=0, description="SIGTERM -> SIGKILL on cancel")
    max_messages_per_second: float = Field(
        default=0.0, ge=0, description="Copy pace per mailbox run, to spare the source (0 = none)"
    )

    @property
    def runner_kind(self) -> RunnerKind:
        return RunnerKind.IMAP

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        self.check_keyring()
        if self.imapsync_bin is not None and not os.access(self.imapsync_bin, os.X_OK):
            raise ValueError(f"MIGRATION_IMAPSYNC_BIN={self.imapsync_bin} is not executable")
        return self

    def imapsync_path(self) -> Path | None:
        """The imapsync to use, if any (``auto`` falls back to the native engine without it)."""
        if self.imapsync_bin is not None:
            return self.imapsync_bin
        found = shutil.which("imapsync")
        return Path(found) if found else None
