"""Each caller x each route: allowed, 403, or (no credentials) 401; for every route there is.

A wizard-only route is added the way the gate issue will add its routes, to prove that no
person, super admin included, passes it, and that the wizard's token passes nothing else.
"""

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.main import create_app
from mailferry_api.routes import api_routes
from mailferry_api.settings import ApiSettings
from mailferry_bus import utc_now
from mailferry_contracts.common import Role
from mailferry_contracts.users import ServiceScope
from tests.integration.security.conftest import ADMIN_ACTOR, bearer, security_of, unique_address
from tests.unit.security.route_rules import ROUTE_RULES, expected_status_class

pytestmark = pytest.mark.integration
WIZARD_PATH = "/api/v1/migration/test-wizard-gate"
_PARAM = re.compile(r"\{[a-z_]+\}")


def _wizard_router() -> APIRouter:
    router = APIRouter()

    @router.get(WIZARD_PATH, **requires(Permission.WIZARD))
    async def get_wizard_gate() -> dict[str, str]:
        return {"gate": "blocked"}

    return router


@pytest.fixture
async def matrix_app(api_settings: ApiSettings) -> AsyncIterator[FastAPI]:
    application = create_app(api_settings)
    application.include_router(_wizard_router())
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def matrix_client(matrix_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=matrix_app, client=(unique_address(), 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
        yield http


async def _callers(matrix_app, auth) -> dict[str, dict[str, str]]:
    security = security_of(matrix_app)
    token, _, seq = await security.admin.issue_token(
        "matrix", ServiceScope.WIZARD, expires_at=None, actor=ADMIN_ACTOR, now=utc_now()
    )
    await security.directory.wait_for(seq)
    callers = {"anonymous": {}, "wizard": bearer(token)}
    callers.update({role.value: auth(role, f"{role.value}@example.com") for role in Role})
    return callers


def _status_class(status: int) -> str:
    return str(status) if status in (401, 403) else "allowed"


async def test_every_caller_on_every_route(matrix_app, matrix_client, auth):
    rules = {**ROUTE_RULES, ("GET", WIZARD_PATH): "wizard"}
    callers = await _callers(matrix_app, auth)
    wrong = []
    routes = list(api_routes(matrix_app))
    assert len(routes) == len(rules)
    for route in routes:
        path = _PARAM.sub(lambda _: str(uuid.uuid4()), route.path)
        rule = rules[(route.method, route.path)]
        for caller, headers in callers.items():
            response = await matrix_client.request(route.method, path, json={}, headers=headers)
            got, want = _status_class(response.status_code), expected_status_class(rule, caller)
            if got != want:
                wrong.append(f"{caller} {route.method} {route.path}: {response.status_code}")
    assert wrong == []


async def test_a_session_of_a_super_admin_does_not_pass_the_wizard_route(
    matrix_app, matrix_client, auth
):
    response = await matrix_client.get(WIZARD_PATH, headers=auth(Role.SUPER_ADMIN))
    assert response.status_code == 403
    assert "wizard" in response.json()["message"]


async def test_a_revoked_service_token_is_401(matrix_app, matrix_client, auth):
    security = security_of(matrix_app)
    token, token_id, seq = await security.admin.issue_token(
        "revoked", ServiceScope.WIZARD, expires_at=None, actor=ADMIN_ACTOR, now=utc_now()
    )
    await security.directory.wait_for(seq)
    assert (await matrix_client.get(WIZARD_PATH, headers=bearer(token))).status_code == 200
    seq = await security.admin.revoke_token(token_id, "test", actor=ADMIN_ACTOR, now=utc_now())
    await security.directory.wait_for(seq)
    assert (await matrix_client.get(WIZARD_PATH, headers=bearer(token))).status_code == 401
