"""Tunables of the runner machinery; each runner service fills them from its settings."""

from dataclasses import dataclass, field

from mailferry_bus.runners.retry import RetryPolicy


@dataclass(frozen=True)
class RunnerConfig:
    """How one runner process pulls, leases and retries work.

    ``heartbeat_s`` must stay well below both ``ack_wait_s`` (or the message is redelivered
    while it runs) and ``lease_ttl_s`` (or the slot is handed to another process).
    """

    kind: str
    runner_id: str
    slots: int = 2
    ack_wait_s: float = 60.0
    heartbeat_s: float = 10.0
    lease_ttl_s: float = 45.0
    idle_poll_s: float = 1.0
    consumer_inactive_s: float = 3 * 86400.0
    progress_interval_s: float = 0.25
    pump_interval_s: float = 0.25
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        if not self.heartbeat_s < min(self.ack_wait_s, self.lease_ttl_s):
            raise ValueError(
                f"heartbeat ({self.heartbeat_s}s) must be shorter than ack_wait "
                f"({self.ack_wait_s}s) and the lease TTL ({self.lease_ttl_s}s)"
            )
        if self.slots < 1:
            raise ValueError("a runner needs at least one slot")
