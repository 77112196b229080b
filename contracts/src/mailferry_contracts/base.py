"""Base classes of every contract: frozen, tolerant readers, with a pinned wire identity."""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """A message shape shared between services.

    Frozen, and ignores unknown fields so that an older consumer reads a newer producer's
    additions without failing (tolerant reader). Subclasses pin ``type`` and
    ``schema_version`` as ``Literal`` fields: the wire identity never derives from a
    Python name or import path.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    AGGREGATE: ClassVar[str] = ""


class Event(Contract):
    """A past-tense fact appended to the event log of one aggregate."""


class Command(Contract):
    """An imperative request for a runner, placed on the work-queue stream."""


class Notification(Contract):
    """A message for consumers outside mailferry (the provisioning wizard, webhooks)."""
