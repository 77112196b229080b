"""Per-folder sync state, so that a delta where nothing changed is a few STATUS calls.

After a destination folder was brought up to date without errors, the engine records its
sources' and its own UIDVALIDITY/UIDNEXT/MESSAGES (and HIGHESTMODSEQ with CONDSTORE, which
also moves on flag changes). A later run skips a folder whose snapshots are all equal, and
compares identities in full as soon as anything differs. Stale state can never lose mail, only
skip a folder nobody touched.

The state is opaque bytes to its store: the runner keeps it in NATS KV (runners share no disk);
``MemoryStateStore`` serves tests and single runs. Unknown or unreadable state is ignored.
"""

import hashlib
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mailferry_imap.listing import MailboxStatus


class SyncStateStore(Protocol):
    """Where one mailbox's sync state lives between runs."""

    async def load(self) -> bytes | None:
        """The last saved state, or None."""
        ...

    async def save(self, data: bytes) -> None:
        """Replace the state."""
        ...


class MemoryStateStore:
    """A state store in memory (tests, one-off runs)."""

    def __init__(self, data: bytes | None = None) -> None:
        self.data = data

    async def load(self) -> bytes | None:
        return self.data

    async def save(self, data: bytes) -> None:
        self.data = data


class FolderSnapshot(BaseModel):
    """What STATUS said about one folder."""

    model_config = ConfigDict(frozen=True)

    raw: str
    uidvalidity: int
    uidnext: int
    messages: int
    highestmodseq: int | None = None

    @classmethod
    def of(cls, raw: str, status: MailboxStatus | None) -> "FolderSnapshot | None":
        """A snapshot, or None when the server did not say enough."""
        if status is None or None in (status.uidvalidity, status.uidnext, status.messages):
            return None
        return cls(
            raw=raw,
            uidvalidity=status.uidvalidity or 0,
            uidnext=status.uidnext or 0,
            messages=status.messages or 0,
            highestmodseq=status.highestmodseq,
        )


class GroupState(BaseModel):
    """A destination folder and its sources, as they were when last in sync."""

    model_config = ConfigDict(frozen=True)

    sources: tuple[FolderSnapshot, ...]
    destination: FolderSnapshot


class SyncState(BaseModel):
    """All groups of one mailbox; ``fingerprint`` ties it to the endpoints and the rules."""

    version: Literal[1] = 1
    fingerprint: str
    groups: dict[str, GroupState] = Field(default_factory=dict)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, data: bytes | None, fingerprint: str) -> "SyncState":
        """The stored state if readable and made for the same fingerprint, else an empty one."""
        if data:
            try:
                state = cls.model_validate_json(data)
            except ValidationError:
                state = None
            if state is not None and state.fingerprint == fingerprint:
                return state
        return cls(fingerprint=fingerprint)

    def unchanged(self, group: str, current: GroupState | None) -> bool:
        """Whether a group looks exactly as it did after its last good sync."""
        return current is not None and self.groups.get(group) == current


def fingerprint(*parts: object) -> str:
    """A stable digest of what the state depends on (endpoints, mapping rules, options)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
