"""Wire encoding of envelopes, and decoding with upcasting against the registry."""

import hashlib
import json
from typing import Any

from mailferry_contracts.base import Contract
from mailferry_contracts.envelope import Envelope
from mailferry_contracts.registry import REGISTRY, current_version
from mailferry_contracts.upcasters import UPCASTERS, Upcasters


class UndecodableMessageError(ValueError):
    """The bytes are not an envelope of a type this service can read; dead-letter them."""


class UnknownMessageTypeError(UndecodableMessageError):
    """The type is not in the registry."""


class UnsupportedSchemaVersionError(UndecodableMessageError):
    """The message is newer than this consumer: never guess, dead-letter it."""


def encode(envelope: Envelope[Any]) -> bytes:
    """Canonical JSON bytes of an envelope."""
    return envelope.model_dump_json().encode()


EVENT_HASH_HEADER = "Mailferry-Event-Hash"
"""NATS header each stored event carries with its own ``event_hash``: the last event of an
aggregate has no successor whose ``prev_hash`` vouches for it, so it vouches for itself."""


def event_hash(raw: bytes) -> str:
    """Hash of an event as stored; the next event of the aggregate carries it as prev_hash."""
    return hashlib.sha256(raw).hexdigest()


def decode(
    raw: bytes | str,
    *,
    registry: dict[str, type[Contract]] = REGISTRY,
    upcasters: Upcasters = UPCASTERS,
) -> Envelope[Any]:
    """Parse an envelope, upcast its payload to the current version and validate it."""
    try:
        data = json.loads(raw)
        type_name = data["type"]
        version = int(data["schema_version"])
        payload = data["payload"]
    except (ValueError, KeyError, TypeError) as exc:
        raise UndecodableMessageError(f"not an envelope: {exc}") from exc
    cls = registry.get(type_name)
    if cls is None:
        raise UnknownMessageTypeError(f"unknown message type {type_name!r}")
    current = current_version(cls)
    if version > current:
        raise UnsupportedSchemaVersionError(
            f"{type_name} v{version} is newer than the v{current} this service knows"
        )
    payload = upcasters.upcast(type_name, version, current, payload)
    return Envelope[cls].model_validate(  # type: ignore[valid-type]
        {**data, "schema_version": current, "payload": payload}
    )
