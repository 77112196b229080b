"""The environment each service process gets: the stack's endpoints, secrets and its own dirs.

Pure: the caller passes the parent's environment in, so the rules are testable as data.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from mailferry_devstack.catalog import ServiceSpec

_KEY_SETTINGS = ("MIGRATION_CREDENTIALS_KEY", "MIGRATION_CREDENTIALS_KEY_FILE")
_JWT_SETTING = "MIGRATION_JWT_SECRET"
_HEALTH_SETTING = "MIGRATION_HEALTH_PORT"


@dataclass(frozen=True)
class Stack:
    """What every service of one local stack shares; also what a scenario gets to work with."""

    nats_url: str
    database_url: str
    api_port: int
    data_path: Path
    credentials_key_file: Path
    jwt_secret: SecretStr

    @property
    def api_url(self) -> str:
        """Base URL of the API and dashboard."""
        return f"http://127.0.0.1:{self.api_port}/"

    def work_dir(self, service: ServiceSpec) -> Path:
        """A service's own data dir: runners never share a disk, not even locally."""
        return self.data_path / "services" / service.name


def service_environment(
    base: Mapping[str, str],
    stack: Stack,
    service: ServiceSpec,
    health_port: int | None,
) -> dict[str, str]:
    """``base`` (the operator's environment) plus what ``service`` needs to join the stack.

    Secrets the operator configured win over the generated local ones; the endpoints and the
    per-service settings are the stack's, whatever the operator's shell says.
    """
    env = dict(base)
    env.pop(_HEALTH_SETTING, None)
    env.update(
        {
            "MIGRATION_NATS_URL": stack.nats_url,
            "MIGRATION_DATABASE_URL": stack.database_url,
            "MIGRATION_API_PORT": str(stack.api_port),
            "MIGRATION_DATA_PATH": str(stack.work_dir(service)),
            # runner-imap's scratch space; its default under /var/lib is not ours to write.
            "MIGRATION_WORK_DIR": str(stack.work_dir(service)),
            # Children write to a pipe; without this a crash loses the last buffered lines.
            "PYTHONUNBUFFERED": "1",
        }
    )
    if not any(base.get(name) for name in _KEY_SETTINGS):
        env["MIGRATION_CREDENTIALS_KEY_FILE"] = str(stack.credentials_key_file)
    if not base.get(_JWT_SETTING):
        env[_JWT_SETTING] = stack.jwt_secret.get_secret_value()
    if health_port is not None and not service.http:
        env[_HEALTH_SETTING] = str(health_port)
    return env


def health_url(service: ServiceSpec, api_port: int, health_port: int | None) -> str | None:
    """Where the supervisor asks ``service`` whether it is healthy."""
    port = api_port if service.http else health_port
    return None if port is None else f"http://127.0.0.1:{port}/healthz"
