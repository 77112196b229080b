"""The one place adapters read the clock; domain code receives ``now`` as a parameter."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)
