"""Logins and logouts of the dashboard are facts of the user's aggregate, shown in the audit trail.

The API and a real projector share a NATS server and a database of this test alone, so the
audit trail holds exactly what these requests caused.
"""

import asyncio
import uuid

import pytest

from mailferry_api.settings import ApiSettings
from mailferry_api.tokens.format import token_sha256
from mailferry_bus import utc_now
from mailferry_contracts.common import Role
from mailferry_contracts.users import user_id_for
from tests.integration.api.conftest import PEER, settings_over
from tests.integration.api.payloads import API
from tests.integration.projector.conftest import (  # noqa: F401 - fixtures
    log_bus,
    projector,
    settings,
)
from tests.integration.security.conftest import (
    ADMIN_ACTOR,
    AUTH,
    PASSWORD,
    bearer,
    login,
    security_of,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]
WRONG_PASSWORD = "not the password at all"
AGENT = {"User-Agent": "pytest-agent"}


@pytest.fixture
def api_settings(private_nats, pg_dsn) -> ApiSettings:
    """The API over the projector's own NATS and database."""
    return settings_over(private_nats.url, pg_dsn)


def _email() -> str:
    return f"u{uuid.uuid4().hex[:10]}@example.com"


async def _user_events(log_bus, email):  # noqa: F811 - the imported fixture
    events, _ = await log_bus.events.load("user", str(user_id_for(email)))
    return events


async def test_a_login_a_failure_and_a_logout_reach_the_audit_trail(
    client, auth, make_user, projector, log_bus,  # noqa: F811 - the imported fixtures
):  # fmt: skip
    await projector.start()
    email = await make_user(_email(), Role.OPS_LEAD)
    body = {"email": email, "password": PASSWORD}
    session = await client.post(f"{AUTH}/login", json=body, headers=AGENT)
    assert session.status_code == 200
    token = session.json()["token"]
    wrong = await client.post(f"{AUTH}/login", json={**body, "password": WRONG_PASSWORD},
                              headers=AGENT)  # fmt: skip
    assert wrong.status_code == 401
    assert (await client.post(f"{AUTH}/logout", headers=bearer(token))).status_code == 204

    events = await _user_events(log_bus, email)
    assert [e.envelope.type for e in events] == [
        "UserCreated", "UserLoggedIn", "UserLoginFailed", "UserLoggedOut",
    ]  # fmt: skip
    logged_in, failed, logged_out = (e.envelope for e in events[1:])
    assert logged_in.payload.session_id == logged_out.payload.session_id
    assert failed.payload.reason.value == "wrong_password"
    for event in events[1:]:
        actor = event.envelope.actor
        assert (actor.user, actor.role, actor.ip, actor.user_agent) == (
            email, "ops_lead", PEER, "pytest-agent",
        )  # fmt: skip
        raw = event.raw.decode()
        for secret in (PASSWORD, WRONG_PASSWORD, token, token_sha256(token)):
            assert secret not in raw

    await projector.wait_applied(events[-1].sequence)
    trail = await client.get(f"{API}/audit", params={"user": email},
                             headers=auth(Role.AUDITOR, "audit@example.com"))  # fmt: skip
    assert trail.status_code == 200
    items = trail.json()["items"]
    assert [i["event_type"] for i in items] == ["UserLoggedOut", "UserLoginFailed", "UserLoggedIn"]
    assert {(i["actor"]["user"], i["actor"]["role"], i["actor"]["ip"]) for i in items} == {
        (email, "ops_lead", PEER)
    }
    assert items[1]["summary"] == "failed to log in: wrong password"
    for secret in (PASSWORD, WRONG_PASSWORD, token, token_sha256(token)):
        assert secret not in trail.text


async def test_a_locked_out_user_gets_the_same_429_and_an_unknown_address_leaves_no_trace(
    lone_client, make_user, log_bus,  # noqa: F811 - the imported fixtures
):  # fmt: skip
    email = await make_user(_email())
    attempts = [await login(lone_client, email, "wrong password!") for _ in range(5)]
    assert [a.status_code for a in attempts] == [401] * 5
    locked = await login(lone_client, email)
    assert locked.status_code == 429
    assert locked.json()["message"] == "too many failed logins: wait before trying again"
    reasons = [e.envelope.payload.reason.value for e in (await _user_events(log_bus, email))[1:]]
    assert reasons == ["wrong_password"] * 5 + ["locked_out"]

    nobody = _email()
    assert (await login(lone_client, nobody)).status_code == 401
    assert await _user_events(log_bus, nobody) == []


async def test_a_disabled_user_fails_with_the_same_401_and_the_reason_is_recorded(
    app, client, make_user, log_bus,  # noqa: F811 - the imported fixtures
):  # fmt: skip
    email = await make_user(_email())
    security = security_of(app)
    await security.admin.set_disabled(email, True, "left", actor=ADMIN_ACTOR, now=utc_now())
    refused = await login(client, email)
    assert (refused.status_code, refused.json()["message"]) == (401, "wrong email or password")
    last = (await _user_events(log_bus, email))[-1].envelope
    assert (last.type, last.payload.reason.value) == ("UserLoginFailed", "disabled")


async def test_concurrent_logins_of_one_user_all_succeed_and_all_are_recorded(
    client, make_user, log_bus,  # noqa: F811 - the imported fixtures
):  # fmt: skip
    email = await make_user(_email())
    responses = await asyncio.gather(*(login(client, email) for _ in range(6)))
    assert [r.status_code for r in responses] == [200] * 6
    events = await _user_events(log_bus, email)
    logins = [e.envelope.payload for e in events if e.envelope.type == "UserLoggedIn"]
    assert len({p.session_id for p in logins}) == 6
