"""Who exists: the fold of the user aggregates (people and service tokens). Pure."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from mailferry_contracts import Envelope
from mailferry_contracts.common import Role
from mailferry_contracts.users import (
    PasswordChanged,
    ServiceScope,
    ServiceTokenIssued,
    ServiceTokenRevoked,
    UserCreated,
    UserDisabled,
    UserEnabled,
    UserRoleChanged,
)


@dataclass
class UserState:
    """A person as of the last event of their aggregate."""

    user_id: uuid.UUID
    email: str
    role: Role
    password_hash: str | None
    password_version: int
    """Stream sequence of the event that set the password: sessions opened before it end."""
    disabled: bool = False
    created_at: datetime | None = None
    created_by: str = ""


@dataclass
class TokenState:
    """A service token (its hash, never the token)."""

    token_id: uuid.UUID
    name: str
    scope: ServiceScope
    token_sha256: str
    expires_at: datetime | None
    issued_at: datetime
    issued_by: str
    revoked: bool = False

    def usable(self, now: datetime) -> bool:
        """Not revoked and not expired at ``now``."""
        return not self.revoked and (self.expires_at is None or now < self.expires_at)


@dataclass
class Directory:
    """Every person and service token, as of ``position`` in the event log."""

    users: dict[uuid.UUID, UserState] = field(default_factory=dict)
    by_email: dict[str, uuid.UUID] = field(default_factory=dict)
    tokens: dict[uuid.UUID, TokenState] = field(default_factory=dict)
    token_by_hash: dict[str, uuid.UUID] = field(default_factory=dict)
    position: int = 0

    def user(self, email: str) -> UserState | None:
        """The person with ``email`` (case-insensitive)."""
        user_id = self.by_email.get(email.strip().lower())
        return self.users.get(user_id) if user_id else None

    def token(self, token_sha256: str) -> TokenState | None:
        """The service token with this hash."""
        token_id = self.token_by_hash.get(token_sha256)
        return self.tokens.get(token_id) if token_id else None

    def apply(self, envelope: Envelope[Any], sequence: int) -> None:
        """Fold one event of a user aggregate (others are ignored)."""
        if sequence <= self.position:
            return
        self.position = sequence
        handler = _HANDLERS.get(type(envelope.payload))
        if handler is not None:
            handler(self, envelope, sequence)


def _created(d: Directory, env: Envelope[Any], seq: int) -> None:
    event: UserCreated = env.payload
    email = event.email.strip().lower()
    d.users[event.user_id] = UserState(
        user_id=event.user_id,
        email=email,
        role=event.role,
        password_hash=event.password_hash,
        password_version=seq,
        created_at=env.occurred_at,
        created_by=env.actor.user,
    )
    d.by_email[email] = event.user_id


def _user_of(d: Directory, env: Envelope[Any]) -> UserState | None:
    try:
        return d.users.get(uuid.UUID(env.aggregate_id))
    except ValueError:
        return None


def _role(d: Directory, env: Envelope[Any], seq: int) -> None:
    if user := _user_of(d, env):
        user.role = env.payload.role


def _password(d: Directory, env: Envelope[Any], seq: int) -> None:
    if user := _user_of(d, env):
        user.password_hash = env.payload.password_hash
        user.password_version = seq


def _disabled(d: Directory, env: Envelope[Any], seq: int) -> None:
    if user := _user_of(d, env):
        user.disabled = True


def _enabled(d: Directory, env: Envelope[Any], seq: int) -> None:
    if user := _user_of(d, env):
        user.disabled = False


def _issued(d: Directory, env: Envelope[Any], seq: int) -> None:
    event: ServiceTokenIssued = env.payload
    d.tokens[event.token_id] = TokenState(
        token_id=event.token_id,
        name=event.name,
        scope=event.scope,
        token_sha256=event.token_sha256,
        expires_at=event.expires_at,
        issued_at=env.occurred_at,
        issued_by=env.actor.user,
    )
    d.token_by_hash[event.token_sha256] = event.token_id


def _revoked(d: Directory, env: Envelope[Any], seq: int) -> None:
    event: ServiceTokenRevoked = env.payload
    token = d.tokens.get(event.token_id)
    if token is not None:
        token.revoked = True
        d.token_by_hash.pop(token.token_sha256, None)


_HANDLERS: dict[type[Any], Any] = {
    UserCreated: _created,
    UserRoleChanged: _role,
    PasswordChanged: _password,
    UserDisabled: _disabled,
    UserEnabled: _enabled,
    ServiceTokenIssued: _issued,
    ServiceTokenRevoked: _revoked,
}


class Stored(Protocol):
    """An event as read back from the log."""

    @property
    def sequence(self) -> int: ...

    @property
    def envelope(self) -> Envelope[Any]: ...


def fold(events: Iterable[Stored]) -> Directory:
    """A directory of the given stored events, in stream order."""
    directory = Directory()
    for event in events:
        directory.apply(event.envelope, event.sequence)
    return directory
