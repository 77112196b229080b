"""Gate settings (``MIGRATION_*``), validated at boot."""

import os
import socket
import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from mailferry_bus import BusSettings
from mailferry_bus.health import HealthSettings
from mailferry_gate.checks import GatePolicy
from mailferry_gate.webhooks import RetryPolicy

_PLACEHOLDERS = frozenset({"changeme", "change-me", "secret", "password", "example", "xxx"})
MIN_SECRET_LENGTH = 16


def _instance_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class WebhookTarget(BaseModel):
    """One consumer of gate_ready outside NATS."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: Annotated[str, Field(pattern=r"^https?://[^\s]+$", description="POST target")]
    secret: SecretStr = Field(description="HMAC-SHA256 key shared with the receiver")

    @field_validator("secret")
    @classmethod
    def _real_secret(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        if len(raw) < MIN_SECRET_LENGTH or raw.lower() in _PLACEHOLDERS:
            raise ValueError(
                f"webhook secret must be at least {MIN_SECRET_LENGTH} characters and not a "
                "placeholder"
            )
        return value


class Settings(BusSettings, HealthSettings):
    """Everything the gate service reads from the environment."""

    gate_min_ratio: Decimal = Field(
        default=Decimal("0.99"),
        gt=0,
        le=1,
        description="Σ destination / Σ source messages needed to pass count_ratio",
    )
    gate_webhooks: list[WebhookTarget] = Field(
        default_factory=list,
        description='Receivers of gate_ready: JSON list of {"url": ..., "secret": ...}',
    )
    gate_webhook_max_attempts: int = Field(
        default=8, ge=1, le=50, description="Deliveries tried per webhook and notification"
    )
    gate_webhook_base_delay_s: float = Field(
        default=2.0, gt=0, description="First retry delay; doubles, with half jitter"
    )
    gate_webhook_max_delay_s: float = Field(
        default=300.0, gt=0, description="Longest delay between two deliveries"
    )
    gate_webhook_timeout_s: float = Field(
        default=10.0, gt=0, description="Timeout of one webhook POST"
    )
    gate_lease_ttl_s: float = Field(
        default=15.0, gt=0, description="A leader silent this long is replaced"
    )
    gate_leader_key: str = Field(
        default="gate-leader", pattern=r"^[A-Za-z0-9_-]+$", description="Key of the lease"
    )
    gate_instance_id: str = Field(
        default_factory=_instance_id, description="Holder name written into the lease"
    )

    def policy(self) -> GatePolicy:
        """Thresholds of the checks."""
        return GatePolicy(min_ratio=self.gate_min_ratio)

    def retry_policy(self) -> RetryPolicy:
        """Webhook retry schedule."""
        return RetryPolicy(
            max_attempts=self.gate_webhook_max_attempts,
            base_delay_s=self.gate_webhook_base_delay_s,
            max_delay_s=self.gate_webhook_max_delay_s,
        )
