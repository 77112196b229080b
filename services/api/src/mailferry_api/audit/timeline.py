"""A job's history as lines a person reads, from the events themselves. Pure.

Summaries never show secrets or their verifiers: credential references, password hashes and
token hashes are left out; lists are counted, not printed.
"""

from collections.abc import Iterable
from typing import Any

from mailferry_contracts import ActorKind, Envelope

HIDDEN = frozenset({"password_hash", "token_sha256", "source_credential_ref",
                    "target_credential_ref", "type", "schema_version"})  # fmt: skip
MAX_VALUE = 80


def _value(value: Any) -> str:
    if isinstance(value, list | tuple | set):
        return f"[{len(value)}]"
    if isinstance(value, dict):
        return f"{{{len(value)}}}"
    text = str(getattr(value, "value", value))
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def summary(envelope: Envelope[Any]) -> str:
    """``key=value`` of the payload's fields, secrets and verifiers left out."""
    fields = envelope.payload.model_dump()
    parts = [
        f"{k}={_value(v)}" for k, v in fields.items() if k not in HIDDEN and v not in ("", None)
    ]
    return " ".join(parts)


def who(envelope: Envelope[Any]) -> str:
    """The actor: user (role) from ip [agent], or the component for system events."""
    actor = envelope.actor
    if actor.kind == ActorKind.SYSTEM:
        return f"system:{actor.user}"
    text = actor.user + (f" ({actor.role})" if actor.role else "")
    text += f" from {actor.ip}" if actor.ip else ""
    return text + (f" [{actor.user_agent[:40]}]" if actor.user_agent else "")


def timeline_line(sequence: int, envelope: Envelope[Any]) -> str:
    """One event as a line."""
    when = envelope.occurred_at.strftime("%Y-%m-%d %H:%M:%S")
    return f"{when}Z  #{sequence:<7} {envelope.type:<26} {who(envelope)}  {summary(envelope)}"


def timeline(events: Iterable[tuple[int, Envelope[Any]]]) -> list[str]:
    """Every event, oldest first."""
    return [timeline_line(seq, env) for seq, env in sorted(events, key=lambda e: e[0])]
