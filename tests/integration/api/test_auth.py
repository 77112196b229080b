import uuid
from datetime import timedelta

import jwt
import pytest

from mailferry_api.auth.permissions import PUBLIC
from mailferry_api.routes import api_routes
from mailferry_bus import utc_now
from mailferry_contracts.common import Role
from tests.integration.api.conftest import JWT_SECRET
from tests.integration.api.payloads import API, job_body

pytestmark = pytest.mark.integration


def _token(**claims) -> dict[str, str]:
    now = utc_now()
    base = {"sub": "u", "role": "technician", "exp": now + timedelta(minutes=5)}
    token = jwt.encode({**base, **claims}, JWT_SECRET, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


def _concrete(path: str) -> str:
    return (
        path.replace("{job_id}", str(uuid.uuid4()))
        .replace("{mailbox_id}", str(uuid.uuid4()))
        .replace("{run_id}", str(uuid.uuid4()))
    )


class TestAuthentication:
    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"Authorization": "Basic dTpw"},
            {"Authorization": "Bearer not-a-jwt"},
            _token(exp=utc_now() - timedelta(minutes=5)),
            _token(role="admin"),
            {"Authorization": "Bearer " + jwt.encode({"sub": "u", "role": "technician",
             "exp": utc_now() + timedelta(minutes=5)}, "another-secret-" * 4, algorithm="HS256")},
        ],
        ids=["none", "basic", "garbage", "expired", "unknown-role", "wrong-key"],
    )  # fmt: skip
    async def test_no_valid_token_is_401(self, client, headers):
        response = await client.get(f"{API}/jobs", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"] == "unauthenticated"

    async def test_the_auditor_may_read_but_not_write(self, client, auth):
        assert (await client.get(f"{API}/jobs", headers=auth(Role.AUDITOR))).status_code == 200
        response = await client.post(f"{API}/jobs", json=job_body(), headers=auth(Role.AUDITOR))
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"

    async def test_me_lists_the_role_permissions(self, client, auth):
        response = await client.get(f"{API}/me", headers=auth(Role.OPS_LEAD, "lead"))
        assert response.json() == {
            "user": "lead",
            "role": "ops_lead",
            "permissions": ["approve_gate", "read", "read_audit", "write"],
        }


class TestEveryRoute:
    async def test_every_protected_route_refuses_a_request_without_a_token(self, app, client):
        routes = [r for r in api_routes(app) if r.declared != PUBLIC]
        assert len(routes) >= 15
        for route in routes:
            response = await client.request(route.method, _concrete(route.path), json={})
            assert response.status_code == 401, route

    async def test_every_write_route_refuses_the_auditor(self, app, client, auth):
        for route in api_routes(app):
            if route.declared == "write":
                response = await client.request(
                    route.method, _concrete(route.path), json={}, headers=auth(Role.AUDITOR)
                )
                assert response.status_code == 403, route


class TestClientAddress:
    async def test_forwarded_for_is_ignored_from_an_untrusted_peer(self, client, auth, bus):
        headers = {**auth(), "X-Forwarded-For": "198.51.100.1"}
        response = await client.post(f"{API}/jobs", json=job_body(), headers=headers)
        events, _ = await bus.events.load("job", response.json()["job_id"])
        assert events[0].envelope.actor.ip == "203.0.113.7"

    async def test_forwarded_for_is_believed_from_a_trusted_proxy(self, app, auth, bus):
        import httpx

        transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as proxy:
            headers = {**auth(), "X-Forwarded-For": "198.51.100.9, 10.9.9.9"}
            response = await proxy.post(f"{API}/jobs", json=job_body(), headers=headers)
        events, _ = await bus.events.load("job", response.json()["job_id"])
        assert events[0].envelope.actor.ip == "198.51.100.9"
