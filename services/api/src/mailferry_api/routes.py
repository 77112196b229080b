"""Every route of an app with its declared permission (for tests and for documentation)."""

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from mailferry_api.auth.guard import PERMISSION_KEY, PermissionCheck


@dataclass(frozen=True)
class RouteInfo:
    """One method of one path, what it declares and what it enforces."""

    path: str
    method: str
    declared: str | None
    enforced: str | None


def _enforced(route: APIRoute) -> str | None:
    checks = [d.dependency for d in route.dependencies if isinstance(d.dependency, PermissionCheck)]
    return checks[0].permission.value if len(checks) == 1 else None


def api_routes(app: FastAPI) -> Iterator[RouteInfo]:
    """Every APIRoute (included routers flattened), one entry per method."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        declared = (route.openapi_extra or {}).get(PERMISSION_KEY)
        for method in sorted(route.methods or ()):
            yield RouteInfo(str(context.path), method, declared, _enforced(route))
