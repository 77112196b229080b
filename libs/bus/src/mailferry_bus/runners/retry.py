"""When a failed attempt is tried again, and after how long (pure)."""

from dataclasses import dataclass

TRANSIENT_CLASSES = frozenset({"connection_failed", "timeout", "throttled", "internal"})
"""Error classes worth another attempt. ``internal`` covers an unexpected exception in the
runner itself (a bug or a lost connection to NATS): retried, then dead-lettered."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff for transient classes, up to ``max_attempts`` deliveries.

    Auth failures, over-quota and other definite answers are never retried: repeating them
    cannot help and may lock the account.
    """

    max_attempts: int = 5
    base_delay_s: float = 5.0
    max_delay_s: float = 300.0
    factor: float = 2.0

    def delay_for(self, attempt: int) -> float:
        """Backoff after the failed ``attempt`` (1-based)."""
        return min(self.max_delay_s, self.base_delay_s * self.factor ** max(0, attempt - 1))

    def retry_in(self, error_class: str | None, attempt: int) -> float | None:
        """Seconds before the next attempt, or ``None`` when this outcome is final."""
        if error_class not in TRANSIENT_CLASSES or attempt >= self.max_attempts:
            return None
        return self.delay_for(attempt)

    def exhausted(self, attempt: int) -> bool:
        """Whether a delivery numbered ``attempt`` is beyond the allowed attempts."""
        return attempt > self.max_attempts
