import uuid

import pytest

from mailferry_bus import utc_now
from mailferry_contracts.common import Role
from tests.integration.api.payloads import API
from tests.integration.security.conftest import (
    ADMIN_ACTOR,
    AUTH,
    PASSWORD,
    bearer,
    login,
    security_of,
)

pytestmark = pytest.mark.integration


def _email() -> str:
    return f"u{uuid.uuid4().hex[:10]}@example.com"


class TestLogin:
    async def test_a_session_is_a_strict_httponly_cookie_and_a_bearer_token(
        self, client, make_user
    ):
        email = await make_user(_email(), Role.OPS_LEAD)
        response = await login(client, email.upper())
        assert response.status_code == 200
        body = response.json()
        assert (body["user"], body["role"], body["token_type"]) == (email, "ops_lead", "bearer")
        cookie = response.headers["set-cookie"]
        assert f"mf_session={body['token']}" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Path=/" in cookie
        assert "Secure" not in cookie  # plain http here; see the https test
        me = await client.get(f"{API}/me", headers=bearer(body["token"]))
        assert me.json()["user"] == email
        client.cookies.clear()
        client.cookies.set("mf_session", body["token"])
        by_cookie = await client.get(f"{API}/me")
        assert by_cookie.json()["role"] == "ops_lead"

    async def test_the_cookie_is_secure_behind_a_trusted_https_proxy(self, app, make_user):
        import httpx

        email = await make_user(_email())
        transport = httpx.ASGITransport(app=app, client=("10.0.0.5", 1000))
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as proxy:
            response = await proxy.post(
                f"{AUTH}/login",
                json={"email": email, "password": PASSWORD},
                headers={"X-Forwarded-Proto": "https"},
            )
        assert "Secure" in response.headers["set-cookie"]

    async def test_wrong_password_and_unknown_user_get_the_same_401(self, lone_client, make_user):
        email = await make_user(_email())
        wrong = await login(lone_client, email, "not the password at all")
        unknown = await login(lone_client, _email())
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json()["message"] == unknown.json()["message"] == "wrong email or password"

    async def test_logout_ends_the_session(self, client, make_user):
        token = (await login(client, await make_user(_email()))).json()["token"]
        response = await client.post(f"{AUTH}/logout", headers=bearer(token))
        assert response.status_code == 204
        assert 'mf_session=""' in response.headers["set-cookie"]
        again = await client.get(f"{API}/me", headers=bearer(token))
        assert again.status_code == 401

    async def test_disabling_the_user_ends_the_session_at_once(self, app, client, make_user):
        email = await make_user(_email())
        token = (await login(client, email)).json()["token"]
        security = security_of(app)
        sequence = await security.admin.set_disabled(
            email, True, "left", actor=ADMIN_ACTOR, now=utc_now()
        )
        await security.directory.wait_for(sequence)
        response = await client.get(f"{API}/me", headers=bearer(token))
        assert response.status_code == 401
        assert "disabled" in response.json()["message"]
        assert (await login(client, email)).status_code == 401

    async def test_a_password_change_ends_older_sessions(self, app, client, make_user):
        email = await make_user(_email())
        token = (await login(client, email)).json()["token"]
        security = security_of(app)
        sequence = await security.admin.set_password(
            email, "a brand new long password", actor=ADMIN_ACTOR, now=utc_now()
        )
        await security.directory.wait_for(sequence)
        assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 401
        assert (await login(client, email, "a brand new long password")).status_code == 200


class TestLockout:
    async def test_five_failures_lock_the_account_even_for_the_right_password(
        self, lone_client, make_user
    ):
        email = await make_user(_email())
        attempts = [await login(lone_client, email, "wrong password!") for _ in range(5)]
        assert [a.status_code for a in attempts] == [401] * 5
        locked = await login(lone_client, email)
        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) >= 1

    async def test_the_lock_is_per_account(self, lone_client, make_user):
        first, second = await make_user(_email()), await make_user(_email())
        for _ in range(5):
            await login(lone_client, first, "wrong password!")
        assert (await login(lone_client, second)).status_code == 200

    async def test_many_failures_from_one_address_lock_the_address(self, lone_client, make_user):
        email = await make_user(_email())
        for _ in range(20):
            await login(lone_client, _email(), "wrong password!")
        assert (await login(lone_client, email)).status_code == 429

    async def test_bursts_of_logins_from_one_address_are_rate_limited(self, lone_client):
        statuses = {(await login(lone_client, "x@example.com", "p" * 12)).status_code
                    for _ in range(25)}  # fmt: skip
        assert 429 in statuses


class TestPasswordsStayOut:
    async def test_the_user_events_carry_an_argon2_hash_never_the_password(
        self, app, bus, make_user
    ):
        email = await make_user(_email())
        from mailferry_contracts.users import user_id_for

        events, _ = await bus.events.load("user", str(user_id_for(email)))
        raw = events[0].raw.decode()
        assert PASSWORD not in raw
        assert events[0].envelope.payload.password_hash.startswith("$argon2id$")
