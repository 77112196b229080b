"""The authenticated caller: a person (with a role) or a program (with a service token scope)."""

import uuid
from dataclasses import dataclass

from mailferry_contracts import ActorKind
from mailferry_contracts.common import Role
from mailferry_contracts.users import ServiceScope


@dataclass(frozen=True)
class Principal:
    """A person: a user name (``sub`` or email), a role, and how they authenticated."""

    user: str
    role: Role
    kind: ActorKind = ActorKind.USER
    method: str = "jwt"
    session_id: str | None = None
    """SHA-256 of the session token when the person logged in on the dashboard."""


@dataclass(frozen=True)
class ServicePrincipal:
    """A program holding a service token; it never passes a route meant for people."""

    name: str
    scope: ServiceScope
    token_id: uuid.UUID
    kind: ActorKind = ActorKind.SERVICE
    method: str = "service_token"

    @property
    def user(self) -> str:
        """The name audited as the actor."""
        return f"service:{self.name}"


Caller = Principal | ServicePrincipal
"""Whoever the authenticator chain vouched for."""
