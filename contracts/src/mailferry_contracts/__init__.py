"""mailferry contracts: every command and event, versioned; the only thing services share."""

from mailferry_contracts.base import Command, Contract, Event, Notification
from mailferry_contracts.codec import (
    EVENT_HASH_HEADER,
    UndecodableMessageError,
    UnknownMessageTypeError,
    UnsupportedSchemaVersionError,
    decode,
    encode,
    event_hash,
)
from mailferry_contracts.envelope import (
    Actor,
    ActorKind,
    Envelope,
    caused_by,
    new_envelope,
    system_actor,
)
from mailferry_contracts.registry import REGISTRY, current_version, wire_type

__all__ = [
    "EVENT_HASH_HEADER",
    "REGISTRY",
    "Actor",
    "ActorKind",
    "Command",
    "Contract",
    "Envelope",
    "Event",
    "Notification",
    "UndecodableMessageError",
    "UnknownMessageTypeError",
    "UnsupportedSchemaVersionError",
    "caused_by",
    "current_version",
    "decode",
    "encode",
    "event_hash",
    "new_envelope",
    "system_actor",
    "wire_type",
]
