"""The user aggregate: people and service tokens (``migration.events.user.<id>.*``).

Who may use mailferry is a fact history like any other: audited with the actor who changed it,
replayable, and protected from deletion like the rest of the log. Only verifiers are stored: an
argon2 hash of a password, a SHA-256 of a (random, 256-bit) service token; never the secret.

A person's aggregate id derives from the email address (``user_id_for``), so appending
``UserCreated`` at an empty head makes the address unique without any index. A service token's
aggregate id is its token id.

Logging in and out of the bundled dashboard are facts of the person's aggregate too, with the
person (and where they came from) as the actor. They never carry the session token nor the
password tried, and a failed login is recorded only for an address that names a user.
"""

import uuid
from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from mailferry_contracts.base import Event
from mailferry_contracts.common import Role
from mailferry_contracts.subjects import AGGREGATE_USER

USER_NAMESPACE = uuid.UUID("3d4c1b9e-7a52-4f0e-9b61-5e2a8c7d9f11")
"""Namespace of user ids. Never change it: ids already in the log derive from it."""


def user_id_for(email: str) -> uuid.UUID:
    """The aggregate id of the person with ``email`` (case-insensitive, surrounding blanks cut)."""
    return uuid.uuid5(USER_NAMESPACE, email.strip().lower())


class ServiceScope(StrEnum):
    """What a service token may do; it never passes a route meant for people."""

    WIZARD = "wizard"
    """The provisioning wizard: read the gate of a domain, report the DNS change."""


class LoginMethod(StrEnum):
    """How a person proved who they are when a session was opened."""

    PASSWORD = "password"  # noqa: S105 - a method name, not a password
    """Email and password, checked against the argon2 hash."""


class LoginFailure(StrEnum):
    """Why a login of an existing user was refused (the client is told only 401 or 429)."""

    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - a reason, not a password
    """The password does not match (or the user has no local password)."""
    LOCKED_OUT = "locked_out"
    """Too many recent failures of the account or the address: refused before any check."""
    DISABLED = "disabled"
    """The user is disabled."""


class UserEvent(Event):
    """An event of the user aggregate."""

    AGGREGATE: ClassVar[str] = AGGREGATE_USER


class UserCreated(UserEvent):
    """A person may now log in to the bundled dashboard."""

    type: Literal["UserCreated"] = "UserCreated"
    schema_version: Literal[1] = 1
    user_id: uuid.UUID = Field(description="Id of the user (derived from the email address)")
    email: str = Field(description="Login name: the email address, lower case")
    role: Role = Field(description="Role of the user (DESIGN §7)")
    password_hash: str | None = Field(
        default=None,
        description="argon2id hash of the password (never the password); null: no local login",
    )


class UserRoleChanged(UserEvent):
    """The user's role changed."""

    type: Literal["UserRoleChanged"] = "UserRoleChanged"
    schema_version: Literal[1] = 1
    role: Role = Field(description="The new role")


class PasswordChanged(UserEvent):
    """The user's password changed; sessions opened with the old one end."""

    type: Literal["PasswordChanged"] = "PasswordChanged"
    schema_version: Literal[1] = 1
    password_hash: str = Field(description="argon2id hash of the new password")


class UserDisabled(UserEvent):
    """The user may no longer log in; open sessions end."""

    type: Literal["UserDisabled"] = "UserDisabled"
    schema_version: Literal[1] = 1
    reason: str = Field(default="", description="Why")


class UserEnabled(UserEvent):
    """A disabled user may log in again."""

    type: Literal["UserEnabled"] = "UserEnabled"
    schema_version: Literal[1] = 1
    reason: str = Field(default="", description="Why")


class ServiceTokenIssued(UserEvent):
    """A long-lived token for a program (the wizard) was issued; shown once, stored hashed."""

    type: Literal["ServiceTokenIssued"] = "ServiceTokenIssued"
    schema_version: Literal[1] = 1
    token_id: uuid.UUID = Field(description="Id of the token (also the aggregate id)")
    name: str = Field(description="Human name, e.g. 'wizard-prod'")
    scope: ServiceScope = Field(description="What the token may do")
    token_sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the token (never the token)"
    )
    expires_at: AwareDatetime | None = Field(default=None, description="None: until revoked")


class ServiceTokenRevoked(UserEvent):
    """The service token no longer authenticates."""

    type: Literal["ServiceTokenRevoked"] = "ServiceTokenRevoked"
    schema_version: Literal[1] = 1
    token_id: uuid.UUID = Field(description="Id of the token")
    reason: str = Field(default="", description="Why")


class UserLoggedIn(UserEvent):
    """The person opened a dashboard session (the actor: the person, their address and agent)."""

    type: Literal["UserLoggedIn"] = "UserLoggedIn"
    schema_version: Literal[1] = 1
    session_id: str = Field(
        pattern=r"^[0-9a-f]{32}$",
        description="Id of the session: a digest of its storage key, never the session token",
    )
    method: LoginMethod = Field(description="How the person proved who they are")


class UserLoggedOut(UserEvent):
    """The person ended a dashboard session."""

    type: Literal["UserLoggedOut"] = "UserLoggedOut"
    schema_version: Literal[1] = 1
    session_id: str = Field(
        pattern=r"^[0-9a-f]{32}$", description="Id of the session, as in UserLoggedIn"
    )


class UserLoginFailed(UserEvent):
    """A login as this existing user was refused (unknown addresses are never recorded)."""

    type: Literal["UserLoginFailed"] = "UserLoginFailed"
    schema_version: Literal[1] = 1
    reason: LoginFailure = Field(description="Why it was refused")
