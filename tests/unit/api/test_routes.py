"""Every route declares a permission readable from the app and from OpenAPI, and enforces it."""

import pytest
from pydantic import SecretStr

from mailferry_api.auth.guard import PERMISSION_KEY
from mailferry_api.auth.permissions import PUBLIC, Permission
from mailferry_api.main import create_app
from mailferry_api.routes import api_routes
from mailferry_api.settings import ApiSettings
from mailferry_vault import generate_key_spec

UI_PATHS = {"/", "/ui/", "/ui/{asset:path}"}
"""The bundled dashboard's static files: public (the login page must load), outside the schema."""
DOCS_PATHS = {
    "/api/v1/docs", "/api/v1/docs/init.js", "/api/v1/docs/swagger-ui-bundle.js",
    "/api/v1/docs/swagger-ui.css",
}  # fmt: skip
PUBLIC_PATHS = {"/healthz", "/readyz", "/api/v1/auth/login", *DOCS_PATHS, *UI_PATHS}
FRAMEWORK_PATHS = {"/api/v1/openapi.json"}
NOT_WRITING = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/login")}
"""Mutating methods that change nothing of a job: they open or end the caller's session."""


@pytest.fixture(scope="module")
def app():
    settings = ApiSettings(
        database_url="postgresql://unused/db",
        jwt_secret=SecretStr("s" * 40),
        credentials_key=SecretStr(generate_key_spec("k1")),
    )
    return create_app(settings)


class TestRoutePermissions:
    def test_every_route_declares_a_known_permission(self, app):
        known = {p.value for p in Permission} | {PUBLIC}
        undeclared = [r for r in api_routes(app) if r.declared not in known]
        assert undeclared == []

    def test_declared_permission_is_the_enforced_one(self, app):
        for route in api_routes(app):
            expected = None if route.declared == PUBLIC else route.declared
            assert route.enforced == expected, route

    def test_only_the_probes_are_public(self, app):
        assert {r.path for r in api_routes(app) if r.declared == PUBLIC} == PUBLIC_PATHS

    def test_every_openapi_operation_declares_its_permission(self, app):
        paths = app.openapi()["paths"]
        for path, operations in paths.items():
            for method, operation in operations.items():
                assert PERMISSION_KEY in operation, (method, path)

    def test_routes_outside_the_schema_are_the_framework_ones(self, app):
        schema_paths = set(app.openapi()["paths"])
        starlette_paths = {route.path for route in app.routes if hasattr(route, "path")}
        assert starlette_paths - schema_paths == FRAMEWORK_PATHS
        assert not (DOCS_PATHS | UI_PATHS) & schema_paths

    def test_no_mutating_route_is_open_to_readers(self, app):
        for route in api_routes(app):
            mutating = route.method in {"POST", "PATCH", "PUT", "DELETE"}
            if mutating and (route.method, route.path) not in NOT_WRITING:
                readers = {Permission.READ.value, Permission.READ_AUDIT.value, PUBLIC}
                assert route.declared not in readers, route
