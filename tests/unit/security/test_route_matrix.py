"""Every route has a rule, declares it, enforces it; the matrix of who may call it."""

import pytest
from pydantic import SecretStr

from mailferry_api.auth.guard import PERMISSION_KEY
from mailferry_api.auth.permissions import PUBLIC, ROLE_PERMISSIONS, Permission
from mailferry_api.main import create_app
from mailferry_api.routes import api_routes
from mailferry_api.settings import ApiSettings
from mailferry_contracts.common import Role
from mailferry_vault import generate_key_spec
from tests.unit.security.route_rules import ALLOWED_ROLES, ROUTE_RULES, expected_status_class


@pytest.fixture(scope="module")
def app():
    settings = ApiSettings(
        database_url="postgresql://unused/db",
        jwt_secret=SecretStr("s" * 40),
        credentials_key=SecretStr(generate_key_spec("k1")),
    )
    return create_app(settings)


class TestEveryRouteHasARule:
    def test_no_route_lacks_a_rule(self, app):
        missing = [(r.method, r.path) for r in api_routes(app)]
        missing = [key for key in missing if key not in ROUTE_RULES]
        assert missing == [], "add the new routes to tests/unit/security/route_rules.py"

    def test_no_rule_names_a_route_that_is_gone(self, app):
        present = {(r.method, r.path) for r in api_routes(app)}
        assert set(ROUTE_RULES) - present == set()

    def test_each_route_declares_and_enforces_its_rule(self, app):
        for route in api_routes(app):
            rule = ROUTE_RULES[(route.method, route.path)]
            assert route.declared == rule, route
            assert route.enforced == (None if rule == PUBLIC else rule), route

    def test_every_openapi_operation_declares_its_permission(self, app):
        for path, operations in app.openapi()["paths"].items():
            for method, operation in operations.items():
                assert operation[PERMISSION_KEY] == ROUTE_RULES[(method.upper(), path)]


class TestRoleTable:
    @pytest.mark.parametrize("permission", list(Permission), ids=str)
    def test_the_permission_table_is_design_section_7(self, permission):
        holders = {role.value for role in Role if permission in ROLE_PERMISSIONS[role]}
        assert holders == ALLOWED_ROLES[permission.value]


class TestExpectedStatus:
    @pytest.mark.parametrize(
        ("permission", "caller", "expected"),
        [
            ("read", "anonymous", "401"),
            ("read", "auditor", "allowed"),
            ("write", "auditor", "403"),
            ("admin", "ops_lead", "403"),
            ("wizard", "super_admin", "403"),
            ("wizard", "wizard", "allowed"),
            ("read", "wizard", "403"),
            ("public", "anonymous", "allowed"),
        ],
    )
    def test_examples(self, permission, caller, expected):
        assert expected_status_class(permission, caller) == expected
