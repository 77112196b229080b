"""Settings of the local stack supervisor (``python -m mailferry_devstack up``)."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DevstackSettings(BaseSettings):
    """Where the local stack keeps its data and which servers it starts itself."""

    model_config = SettingsConfigDict(env_prefix="MIGRATION_", extra="ignore")

    data_path: Path = Field(
        default=Path("var"),
        description="Data directory; the local stack keeps NATS, PostgreSQL, its secrets and "
        "each service's work dir in it, between runs",
    )
    nats_url: str | None = Field(
        default=None, description="Use this NATS server instead of starting one"
    )
    database_url: str | None = Field(
        default=None,
        description="Use this PostgreSQL database instead of starting a private cluster",
    )
    api_port: int = Field(default=8080, ge=1, le=65535, description="Port of the API and dashboard")
    stop_grace_s: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a stopping service gets between SIGTERM and SIGKILL",
    )
