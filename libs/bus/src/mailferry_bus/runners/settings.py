"""The ``MIGRATION_*`` settings every runner service reads, and the ``RunnerConfig`` they make.

A runner's ``Settings`` subclasses ``RunnerSettings`` (plus ``VaultSettings``: the vault depends
on this package, not the other way round), names its ``runner_kind`` and adds its own fields.
"""

import os
import socket
from abc import abstractmethod

from pydantic import Field

from mailferry_bus.health import HealthSettings
from mailferry_bus.runners.config import RunnerConfig
from mailferry_bus.runners.retry import RetryPolicy
from mailferry_bus.settings import BusSettings
from mailferry_contracts.common import RunnerKind


def _default_runner_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class RunnerSettings(BusSettings, HealthSettings):
    """Slots, leases and retries of one runner process; abstract until a runner names its kind.

    Being abstract also tells the README's settings table to list these variables under each
    runner that reads them rather than under the bus.
    """

    # runner-pst and runner-tgz redeclare it to say what one of their commands is.
    runner_slots: int = Field(default=2, ge=1, description="Commands this process runs at once")
    runner_id: str = Field(default_factory=_default_runner_id, description="Name in RunStarted")
    ack_wait_s: float = Field(default=60.0, gt=0, description="Redelivery after a silent runner")
    heartbeat_s: float = Field(default=10.0, gt=0, description="Lease and slot renewal interval")
    lease_ttl_s: float = Field(default=45.0, gt=0, description="Slot expiry of a dead runner")
    idle_poll_s: float = Field(default=1.0, gt=0, description="Poll interval with nothing to do")
    max_attempts: int = Field(default=5, ge=1, description="Deliveries before the DLQ")
    retry_base_s: float = Field(default=5.0, ge=0, description="First retry backoff")
    retry_max_s: float = Field(default=300.0, ge=0, description="Longest retry backoff")

    @property
    @abstractmethod
    def runner_kind(self) -> RunnerKind:
        """The commands this runner takes (``migration.commands.<kind>``)."""

    def runner_config(self) -> RunnerConfig:
        """The work queue's tunables, from these settings."""
        return RunnerConfig(
            kind=self.runner_kind.value,
            runner_id=self.runner_id,
            slots=self.runner_slots,
            ack_wait_s=self.ack_wait_s,
            heartbeat_s=self.heartbeat_s,
            lease_ttl_s=self.lease_ttl_s,
            idle_poll_s=self.idle_poll_s,
            retry=RetryPolicy(self.max_attempts, self.retry_base_s, self.retry_max_s),
        )
