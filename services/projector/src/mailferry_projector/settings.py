"""Projector settings, from ``MIGRATION_*`` environment variables, validated at boot."""

import re

from pydantic import Field, SecretStr, field_validator

from mailferry_bus import BusSettings
from mailferry_bus.health import HealthSettings

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_PLACEHOLDERS = ("changeme", "change-me", "<", ">")


class Settings(BusSettings, HealthSettings):
    """Where the log and the read models are, and how big a batch is."""

    database_url: SecretStr = Field(
        description="PostgreSQL URL of the read models (postgresql://...); may hold a password"
    )
    projector_schema: str = Field(
        default="public",
        description="Schema holding the read models; `rebuild --schema` targets another one",
    )
    projector_batch_size: int = Field(
        default=500, ge=1, le=5000, description="Events fetched and applied per transaction"
    )
    projector_fetch_timeout_s: float = Field(
        default=1.0, gt=0, description="How long one fetch waits for new events"
    )
    projector_ack_wait_s: float = Field(
        default=60.0, gt=0, description="Redelivery delay of an unacknowledged batch"
    )

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        if not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("MIGRATION_DATABASE_URL must be a postgresql:// URL")
        if any(marker in url.lower() for marker in _PLACEHOLDERS):
            raise ValueError("MIGRATION_DATABASE_URL still holds a placeholder value")
        return value

    @field_validator("projector_schema")
    @classmethod
    def _schema_name(cls, value: str) -> str:
        if not _IDENTIFIER.match(value):
            raise ValueError(
                f"MIGRATION_PROJECTOR_SCHEMA={value!r}: use a lower-case SQL identifier"
            )
        return value
