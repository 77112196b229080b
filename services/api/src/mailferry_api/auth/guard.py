"""One dependency that authenticates, one permission check per route, declared readably.

``requires(Permission.WRITE)`` gives a route both the dependency and ``x-permission`` in its
OpenAPI operation, so a test can walk the app and find any route that declares nothing.
"""

from typing import Annotated, Any

from fastapi import Depends, Request

from mailferry_api.auth.authenticators import AuthenticatorChain
from mailferry_api.auth.permissions import PUBLIC, Permission, allows, scope_allows
from mailferry_api.auth.principal import Caller, Principal, ServicePrincipal
from mailferry_api.errors import ErrorBody, ForbiddenError

PERMISSION_KEY = "x-permission"


async def authenticate(request: Request) -> Caller:
    """The caller, proven by the app's authenticator chain; 401 otherwise."""
    chain: AuthenticatorChain = request.app.state.authenticator
    caller = await chain.authenticate(request.headers)
    request.state.caller = caller
    return caller


def _refusal(caller: Caller, permission: Permission) -> str | None:
    if isinstance(caller, ServicePrincipal):
        if scope_allows(caller.scope, permission):
            return None
        return f"a service token ({caller.scope.value}) may not use this route"
    if allows(caller.role, permission):
        return None
    if permission == Permission.WIZARD:
        return "this route is for the wizard's service token only"
    return f"role {caller.role.value} lacks permission {permission.value}"


class PermissionCheck:
    """Dependency: the caller must hold ``permission`` (403 otherwise)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, caller: Annotated[Caller, Depends(authenticate)]) -> Caller:
        refusal = _refusal(caller, self.permission)
        if refusal:
            raise ForbiddenError(refusal)
        return caller


async def current_user(caller: Annotated[Caller, Depends(authenticate)]) -> Principal:
    """The calling person; a service token gets 403."""
    if isinstance(caller, ServicePrincipal):
        raise ForbiddenError("a service token may not use this route")
    return caller


async def current_service(caller: Annotated[Caller, Depends(authenticate)]) -> ServicePrincipal:
    """The calling program; a person gets 403."""
    if not isinstance(caller, ServicePrincipal):
        raise ForbiddenError("this route is for service tokens only")
    return caller


_AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or invalid credentials"},
    403: {"model": ErrorBody, "description": "The caller lacks the permission"},
}


def requires(
    permission: Permission,
    *,
    openapi_extra: dict[str, Any] | None = None,
    responses: dict[int | str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Route keyword arguments: the permission dependency plus its OpenAPI declaration."""
    return {
        "dependencies": [Depends(PermissionCheck(permission))],
        "openapi_extra": {**(openapi_extra or {}), PERMISSION_KEY: permission.value},
        "responses": {**_AUTH_RESPONSES, **(responses or {})},
    }


def public(*, responses: dict[int | str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Route keyword arguments of a route anyone may call (probes and login only)."""
    return {"openapi_extra": {PERMISSION_KEY: PUBLIC}, "responses": responses or {}}
