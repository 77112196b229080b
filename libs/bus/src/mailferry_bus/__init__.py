"""NATS JetStream plumbing shared by mailferry services."""

from mailferry_bus.clock import utc_now
from mailferry_bus.errors import (
    AppendRejectedError,
    ConcurrencyConflictError,
    NatsServerTooOldError,
    TopologyMismatchError,
)
from mailferry_bus.event_store import EMPTY, EventStore, Head, StoredEvent
from mailferry_bus.runtime import Bus, open_bus
from mailferry_bus.settings import BusSettings

__all__ = [
    "EMPTY",
    "AppendRejectedError",
    "Bus",
    "BusSettings",
    "ConcurrencyConflictError",
    "EventStore",
    "Head",
    "NatsServerTooOldError",
    "StoredEvent",
    "TopologyMismatchError",
    "open_bus",
    "utc_now",
]
