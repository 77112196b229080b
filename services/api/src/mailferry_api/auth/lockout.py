"""Lockout with exponential backoff after repeated failed logins. Pure: time is a parameter.

Counted per account and per client address with separate thresholds (an office behind one
NAT address shares the second). Below the threshold nothing is locked; at the threshold and
beyond, each failure locks for ``base * 2^(extra failures)``, capped. A quiet ``window``
forgets the failures.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """When and how long to lock."""

    threshold: int
    base_s: float
    max_s: float
    window_s: float


@dataclass(frozen=True)
class Failures:
    """Failed logins of one account or address so far."""

    count: int
    last_at: float
    locked_until: float = 0.0


def locked_for(failures: Failures | None, now: float) -> float:
    """Seconds until the next attempt is allowed (0: now)."""
    if failures is None:
        return 0.0
    return max(0.0, failures.locked_until - now)


def after_failure(failures: Failures | None, policy: Policy, now: float) -> Failures:
    """The record after one more failure at ``now``."""
    fresh = failures is None or now - failures.last_at > policy.window_s
    count = 1 if fresh or failures is None else failures.count + 1
    locked_until = 0.0
    if count >= policy.threshold:
        delay = min(policy.base_s * 2 ** (count - policy.threshold), policy.max_s)
        locked_until = now + delay
    return Failures(count=count, last_at=now, locked_until=locked_until)
