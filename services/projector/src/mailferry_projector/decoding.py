"""Stored bytes -> an event the views understand, or the reason it cannot be projected (pure).

Nearly every message is an event of a current version: those are parsed and validated in one
pass by a union of every event's envelope, three times faster than the general ``decode``.
Anything else (an older version to upcast, an unknown type, a command, bad bytes) takes the
contracts' ``decode``, whose result and errors are the reference.
"""

import json
from dataclasses import dataclass
from typing import Annotated, Any, Union

from pydantic import Discriminator, Tag, TypeAdapter, ValidationError

from mailferry_contracts import (
    REGISTRY,
    Command,
    Envelope,
    Event,
    Notification,
    UndecodableMessageError,
    current_version,
    decode,
)
from mailferry_contracts.upcasters import UpcastError

_MAX_REASON = 1000


@dataclass(frozen=True)
class Decoded:
    """An event of the log at stream sequence ``seq``."""

    seq: int
    subject: str
    envelope: Envelope[Any]


@dataclass(frozen=True)
class Rejected:
    """A message at ``seq`` that will never be projected, and why."""

    seq: int
    subject: str
    event_type: str | None
    schema_version: int | None
    reason: str


Item = Decoded | Rejected


def _type_of(value: Any) -> str | None:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if isinstance(kind, str) else None


_EVENTS = {name: cls for name, cls in REGISTRY.items() if issubclass(cls, Event)}
# Built at import from the explicit registry: a runtime union, opaque to the type checker.
_UNION: Any = Annotated[
    Union[tuple(Annotated[Envelope[c], Tag(n)] for n, c in _EVENTS.items())],  # type: ignore[valid-type]  # noqa: UP007
    Discriminator(_type_of),
]
CURRENT_EVENT: TypeAdapter[Envelope[Any]] = TypeAdapter(_UNION)
"""Any event envelope of the registry, parsed and validated in one pass (no upcasting)."""


def read(seq: int, subject: str, data: bytes) -> Item:
    """Decode (and upcast) the message stored at ``seq``."""
    try:
        envelope = CURRENT_EVENT.validate_json(data)
        if envelope.schema_version == current_version(type(envelope.payload)):
            return Decoded(seq, subject, envelope)
    except ValidationError:
        pass  # not a current event: the general path says what it is
    try:
        envelope = decode(data)
    except (UndecodableMessageError, UpcastError, ValidationError) as exc:
        return _rejected(seq, subject, data, f"{type(exc).__name__}: {exc}")
    if not isinstance(envelope.payload, Event):
        return _rejected(
            seq, subject, data, f"{envelope.type} is a {_kind(envelope)}, not an event"
        )
    return Decoded(seq, subject, envelope)


def _kind(envelope: Envelope[Any]) -> str:
    if isinstance(envelope.payload, Command):
        return "command"
    if isinstance(envelope.payload, Notification):
        return "notification"
    return "measurement"


def _rejected(seq: int, subject: str, data: bytes, reason: str) -> Rejected:
    event_type, version = _identity(data)
    return Rejected(seq, subject, event_type, version, reason[:_MAX_REASON])


def _identity(data: bytes) -> tuple[str | None, int | None]:
    try:
        raw = json.loads(data)
        event_type = raw.get("type")
        version = raw.get("schema_version")
    except (ValueError, AttributeError):
        return None, None
    return (
        event_type if isinstance(event_type, str) else None,
        version if isinstance(version, int) else None,
    )
