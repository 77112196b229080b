"""Settings every service shares for reaching NATS."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BusSettings(BaseSettings):
    """NATS connection and stream settings; services subclass it with their own fields."""

    model_config = SettingsConfigDict(env_prefix="MIGRATION_", extra="ignore")

    nats_url: str = Field(default="nats://127.0.0.1:4222", description="NATS server URL(s)")
    events_duplicate_window_s: float = Field(
        default=3600.0, gt=0, description="Dedup window of the event log (Nats-Msg-Id)"
    )
    commands_duplicate_window_s: float = Field(
        default=86400.0, gt=0, description="Dedup window of the command work queue"
    )
    progress_max_age_s: float = Field(default=86400.0, gt=0, description="Progress retention")
    logs_max_age_days: float = Field(default=30.0, gt=0, description="Run log retention")
    logs_max_bytes: int = Field(default=-1, description="Run log stream size cap, -1 = none")
    stream_replicas: int = Field(default=1, ge=1, le=5, description="JetStream replicas")
