"""runner-tgz settings (``MIGRATION_*``), validated at boot.

SSH to the **source** Zimbra hosts: the host comes from each job's source server; user, port,
key and known_hosts are this runner's (``MIGRATION_ZIMBRA_SSH_*``, the key files falling back
to ``MIGRATION_SSH_KEY_FILE``/``MIGRATION_SSH_KNOWN_HOSTS_FILE``). Without a key the runner
still starts (a local stack has no Zimbra); its Zimbra runs then fail as ``tool_missing``.
SSH to the **destination** Carbonio: ``MIGRATION_CARBONIO_SSH`` with the shared key files.
"""

from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from mailferry_bus.runners.settings import RunnerSettings
from mailferry_contracts.common import RunnerKind, ServerSettings
from mailferry_imap import MAX_CONNECTIONS
from mailferry_runner_tgz.adapters.ssh import SshAccess
from mailferry_runner_tgz.import_path import ImportChoice, ImportPath, choose_import
from mailferry_runner_tgz.zmmailbox import (
    DEFAULT_SSH_PORT,
    InvalidInputError,
    SshTarget,
    parse_ssh_target,
    validate_system_user,
)
from mailferry_vault import VaultSettings


class Settings(RunnerSettings, VaultSettings):
    """Everything runner-tgz reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="MIGRATION_", extra="ignore")

    data_path: Path = Field(
        default=Path("var"),
        description="Private data directory; exports live in its 0700 work/ only while a run lasts",
    )
    tgz_import: ImportChoice = Field(
        default="auto",
        description=(
            "Where archives go: carbonio (postRestURL over MIGRATION_CARBONIO_SSH), imap (upload "
            "to the job's destination), auto (carbonio when its SSH host is the job's "
            "destination host, else imap)"
        ),
    )
    carbonio_ssh: str = Field(
        default="",
        description="MIGRATION_CARBONIO_SSH: user@host[:port] of the destination Carbonio",
    )
    ssh_key_file: Path | None = Field(
        default=None, description="Private key for MIGRATION_CARBONIO_SSH (no passphrase)"
    )
    ssh_known_hosts_file: Path | None = Field(
        default=None,
        description="known_hosts with the servers' host keys; host keys are always checked",
    )
    zimbra_ssh_user: str = Field(default="root", description="SSH login on source Zimbra hosts")
    zimbra_ssh_port: int = Field(
        default=DEFAULT_SSH_PORT, ge=1, le=65535, description="SSH port of source Zimbra hosts"
    )
    zimbra_ssh_key_file: Path | None = Field(
        default=None,
        description="Private key for source Zimbra hosts; unset = MIGRATION_SSH_KEY_FILE",
    )
    zimbra_ssh_known_hosts_file: Path | None = Field(
        default=None,
        description="known_hosts for source Zimbra hosts; unset = MIGRATION_SSH_KNOWN_HOSTS_FILE",
    )
    zmmailbox_user: str = Field(
        default="zimbra", description="Unix user zmmailbox runs as (su - USER -c)"
    )
    zmmailbox_remote_dir: str = Field(
        default="/tmp",  # noqa: S108 - on the server; each import gets a 0700 subdirectory
        description="Server directory for archives uploaded for import",
    )
    ssh_connect_timeout_s: float = Field(default=30.0, gt=0, description="SSH connect+login")
    zmmailbox_timeout_s: float = Field(
        default=43200.0, gt=0, description="Longest export or import of one mailbox"
    )
    imap_connections: int = Field(
        default=MAX_CONNECTIONS,
        ge=1,
        le=MAX_CONNECTIONS,
        description="IMAP connections per mailbox for uploads (at most 4)",
    )
    runner_slots: int = Field(default=2, ge=1, description="Mailboxes this process runs at once")
    shutdown_grace_s: float = Field(
        default=15.0, ge=0, description="How long a stopping runner waits for its runs to end"
    )

    @property
    def runner_kind(self) -> RunnerKind:
        return RunnerKind.TGZ

    @field_validator("zmmailbox_user")
    @classmethod
    def _unix_user(cls, value: str) -> str:
        try:
            return validate_system_user(value)
        except InvalidInputError as exc:
            raise ValueError(f"MIGRATION_ZMMAILBOX_USER: {exc}") from None

    @field_validator("zimbra_ssh_user")
    @classmethod
    def _ssh_user(cls, value: str) -> str:
        try:
            return parse_ssh_target(f"{value}@localhost").user
        except InvalidInputError:
            raise ValueError(f"MIGRATION_ZIMBRA_SSH_USER: {value!r} is not a login name") from None

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        self._carbonio_complete()
        self._files_readable()
        if self.tgz_import == "carbonio" and not self.carbonio_ssh:
            raise ValueError("MIGRATION_TGZ_IMPORT=carbonio needs MIGRATION_CARBONIO_SSH")
        if self.tgz_import != "carbonio":
            self.check_keyring()  # uploads open the destination password from the vault
        return self

    def _carbonio_complete(self) -> None:
        if not self.carbonio_ssh:
            return
        self.ssh_target()
        for name, path in (
            ("MIGRATION_SSH_KEY_FILE", self.ssh_key_file),
            ("MIGRATION_SSH_KNOWN_HOSTS_FILE", self.ssh_known_hosts_file),
        ):
            if path is None:
                raise ValueError(f"{name} must be set when MIGRATION_CARBONIO_SSH is set")

    def _files_readable(self) -> None:
        for name, path in (
            ("MIGRATION_SSH_KEY_FILE", self.ssh_key_file),
            ("MIGRATION_SSH_KNOWN_HOSTS_FILE", self.ssh_known_hosts_file),
            ("MIGRATION_ZIMBRA_SSH_KEY_FILE", self.zimbra_ssh_key_file),
            ("MIGRATION_ZIMBRA_SSH_KNOWN_HOSTS_FILE", self.zimbra_ssh_known_hosts_file),
        ):
            if path is not None and not path.is_file():
                raise ValueError(f"{name}={path} is not a readable file")

    def ssh_target(self) -> SshTarget:
        try:
            return parse_ssh_target(self.carbonio_ssh)
        except InvalidInputError as exc:
            raise ValueError(f"MIGRATION_CARBONIO_SSH: {exc}") from None

    @property
    def work_dir(self) -> Path:
        """Where exports are written while a run lasts (0700 per run, removed afterwards)."""
        return self.data_path / "work"

    def import_path(self, destination: ServerSettings) -> ImportPath:
        """Carbonio over SSH or IMAP upload, for a job with this destination."""
        carbonio = self.ssh_target() if self.carbonio_ssh else None
        return choose_import(self.tgz_import, carbonio, destination)

    def carbonio_access(self) -> SshAccess | None:
        """How to reach the destination Carbonio, if configured."""
        if not self.carbonio_ssh or self.ssh_key_file is None or self.ssh_known_hosts_file is None:
            return None
        return self._access(self.ssh_target(), self.ssh_key_file, self.ssh_known_hosts_file)

    def zimbra_key_files(self) -> tuple[Path, Path] | None:
        """Key and known_hosts for source hosts, or None when this runner has none."""
        key = self.zimbra_ssh_key_file or self.ssh_key_file
        known = self.zimbra_ssh_known_hosts_file or self.ssh_known_hosts_file
        return (key, known) if key is not None and known is not None else None

    def zimbra_access(self, host: str) -> SshAccess | None:
        """How to reach the source Zimbra ``host``; None when no key is configured."""
        files = self.zimbra_key_files()
        if files is None:
            return None
        target = SshTarget(self.zimbra_ssh_user, host, self.zimbra_ssh_port)
        return self._access(target, *files)

    def _access(self, target: SshTarget, key: Path, known_hosts: Path) -> SshAccess:
        return SshAccess(
            target=target,
            key_file=key,
            known_hosts_file=known_hosts,
            run_as=self.zmmailbox_user,
            connect_timeout=self.ssh_connect_timeout_s,
            command_timeout=self.zmmailbox_timeout_s,
            remote_dir=self.zmmailbox_remote_dir,
        )
