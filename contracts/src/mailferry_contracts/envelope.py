"""The envelope every event and command travels in (DESIGN §6)."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from mailferry_contracts.base import Contract

P = TypeVar("P", bound=Contract)


class ActorKind(StrEnum):
    """Who caused a message: a person, a program with a service token, or mailferry itself."""

    USER = "user"
    SERVICE = "service"
    SYSTEM = "system"


class Actor(BaseModel):
    """Who caused a message; audited as part of the event it caused."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: ActorKind = Field(description="user, service or system")
    user: str = Field(description="User name, service-token name, or mailferry component")
    role: str | None = Field(default=None, description="Role of the user (DESIGN §7)")
    ip: str | None = Field(default=None, description="Client IP as seen by the API")
    user_agent: str | None = Field(default=None, description="Client user agent")


def system_actor(component: str) -> Actor:
    """The actor for facts mailferry's own services produce (runners, gate, scheduler)."""
    return Actor(kind=ActorKind.SYSTEM, user=component, role=None)


class Envelope(BaseModel, Generic[P]):
    """A message with its metadata; ``id`` is also the ``Nats-Msg-Id`` used for dedup."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: uuid.UUID = Field(description="Unique message id; the publish dedup id")
    type: str = Field(description="Wire type name of the payload")
    schema_version: int = Field(ge=1, description="Schema version of the payload")
    aggregate_type: str = Field(description="job, mailbox, run, ...")
    aggregate_id: str = Field(description="Id of the aggregate the message belongs to")
    correlation_id: uuid.UUID = Field(description="Id shared by every message of one flow")
    causation_id: uuid.UUID | None = Field(default=None, description="Id of the causing message")
    occurred_at: AwareDatetime = Field(description="When the fact happened, UTC")
    actor: Actor = Field(description="Who caused it")
    prev_hash: str | None = Field(
        default=None,
        description="SHA-256 of the previous event of this aggregate as stored (tamper evidence)",
    )
    payload: P = Field(description="The command or event itself")

    @field_validator("occurred_at")
    @classmethod
    def _utc_only(cls, value: datetime) -> datetime:
        offset = value.utcoffset()
        if offset is None or offset.total_seconds() != 0:
            raise ValueError("occurred_at must be UTC")
        return value


def new_envelope(
    payload: P,
    *,
    aggregate_id: str,
    actor: Actor,
    now: datetime,
    message_id: uuid.UUID | None = None,
    correlation_id: uuid.UUID | None = None,
    causation_id: uuid.UUID | None = None,
) -> "Envelope[P]":
    """Wrap a payload that starts a new flow (or joins ``correlation_id``)."""
    mid = message_id or uuid.uuid4()
    return Envelope[P](
        id=mid,
        type=payload.type,  # type: ignore[attr-defined]
        schema_version=payload.schema_version,  # type: ignore[attr-defined]
        aggregate_type=payload.AGGREGATE,
        aggregate_id=aggregate_id,
        correlation_id=correlation_id or mid,
        causation_id=causation_id,
        occurred_at=now,
        actor=actor,
        payload=payload,
    )


def caused_by(
    incoming: "Envelope[Any]",
    payload: P,
    *,
    aggregate_id: str,
    actor: Actor,
    now: datetime,
    message_id: uuid.UUID | None = None,
) -> "Envelope[P]":
    """Wrap a payload caused by ``incoming``: same correlation, causation = incoming id."""
    return new_envelope(
        payload,
        aggregate_id=aggregate_id,
        actor=actor,
        now=now,
        message_id=message_id,
        correlation_id=incoming.correlation_id,
        causation_id=incoming.id,
    )
