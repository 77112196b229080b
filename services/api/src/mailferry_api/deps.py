"""``Annotated`` dependencies of the endpoints: connections, the caller, the audit actor."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from psycopg import AsyncConnection

from mailferry_api.auth.client_address import client_ip
from mailferry_api.auth.guard import authenticate, current_service, current_user
from mailferry_api.auth.principal import Caller, Principal, ServicePrincipal
from mailferry_api.auth.runtime import Security
from mailferry_api.auth.transport import is_https
from mailferry_api.resources import Resources
from mailferry_api.settings import ApiSettings
from mailferry_bus import Bus, EventStore
from mailferry_contracts import Actor
from mailferry_vault import CredentialVault

MAX_USER_AGENT = 512


def get_resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def get_db(
    resources: Annotated[Resources, Depends(get_resources)],
) -> AsyncIterator[AsyncConnection[Any]]:
    async with resources.pool.connection() as conn:
        yield conn


def get_bus(resources: Annotated[Resources, Depends(get_resources)]) -> Bus:
    return resources.bus


def get_events(resources: Annotated[Resources, Depends(get_resources)]) -> EventStore:
    return resources.bus.events


def get_vault(resources: Annotated[Resources, Depends(get_resources)]) -> CredentialVault:
    return resources.vault


def get_security(request: Request) -> Security:
    security: Security = request.app.state.security
    return security


def get_client_ip(
    request: Request, settings: Annotated[ApiSettings, Depends(get_settings)]
) -> str | None:
    """The client's address (X-Forwarded-For believed only from trusted proxies)."""
    peer = request.client.host if request.client else None
    return client_ip(peer, request.headers.getlist("x-forwarded-for"), settings.trusted_proxies)


def get_https(request: Request, settings: Annotated[ApiSettings, Depends(get_settings)]) -> bool:
    """Whether the client uses HTTPS (directly or through a trusted proxy)."""
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-proto")
    return is_https(request.url.scheme, peer, forwarded, settings.trusted_proxies)


def get_user_agent(request: Request) -> str | None:
    """The client's user agent, cut to a length worth auditing."""
    agent = request.headers.get("user-agent")
    return agent[:MAX_USER_AGENT] if agent else None


def request_actor(
    caller: Annotated[Caller, Depends(authenticate)],
    ip: Annotated[str | None, Depends(get_client_ip)],
    agent: Annotated[str | None, Depends(get_user_agent)],
) -> Actor:
    """Who is acting, audited on every event the request causes."""
    role = caller.role.value if isinstance(caller, Principal) else caller.scope.value
    return Actor(kind=caller.kind, user=caller.user, role=role, ip=ip, user_agent=agent)


Db = Annotated[AsyncConnection[Any], Depends(get_db)]
BusDep = Annotated[Bus, Depends(get_bus)]
Events = Annotated[EventStore, Depends(get_events)]
Vault = Annotated[CredentialVault, Depends(get_vault)]
Settings = Annotated[ApiSettings, Depends(get_settings)]
SecurityDep = Annotated[Security, Depends(get_security)]
ClientIp = Annotated[str | None, Depends(get_client_ip)]
UserAgent = Annotated[str | None, Depends(get_user_agent)]
Https = Annotated[bool, Depends(get_https)]
CurrentCaller = Annotated[Caller, Depends(authenticate)]
CurrentUser = Annotated[Principal, Depends(current_user)]
"""The calling person (a service token gets 403)."""
CurrentService = Annotated[ServicePrincipal, Depends(current_service)]
"""The calling program (a person gets 403): for the wizard's routes."""
RequestActor = Annotated[Actor, Depends(request_actor)]
