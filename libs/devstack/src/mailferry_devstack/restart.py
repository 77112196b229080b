"""When to restart a crashed service: exponential backoff that forgets after a stable run."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RestartPolicy:
    """Delays grow ``initial_s * factor**(n-1)`` up to ``max_s`` over ``n`` consecutive crashes.

    A process that ran at least ``stable_after_s`` counts as healthy again, so a crash a day
    later restarts quickly instead of waiting the longest delay.
    """

    initial_s: float = 0.5
    factor: float = 2.0
    max_s: float = 30.0
    stable_after_s: float = 30.0

    def delay(self, consecutive_crashes: int) -> float:
        """Seconds to wait before the next start; 0 before the first crash."""
        if consecutive_crashes <= 0:
            return 0.0
        return min(self.initial_s * self.factor ** (consecutive_crashes - 1), self.max_s)

    def crashes_after(self, consecutive_crashes: int, uptime_s: float) -> int:
        """The crash count once a process that ran ``uptime_s`` seconds has exited."""
        if uptime_s >= self.stable_after_s:
            return 1
        return consecutive_crashes + 1
