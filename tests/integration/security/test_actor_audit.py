"""Every event a person causes carries actor, role, client address and user agent."""

import uuid
from typing import Any

import pytest

from mailferry_contracts import ActorKind
from mailferry_contracts.common import Role
from tests.integration.api.payloads import API, csv_file, job_body
from tests.integration.security.conftest import AUTH

pytestmark = pytest.mark.integration


async def test_every_write_path_records_the_full_actor(client, auth, bus):
    tech, admin = auth(Role.TECHNICIAN, "tech@example.com"), auth(Role.SUPER_ADMIN, "root")
    job_id = (await client.post(f"{API}/jobs", json=job_body(), headers=tech)).json()["job_id"]
    writes: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
        ("PATCH", f"{API}/jobs/{job_id}", {"json": {"notes": "n"}}, tech),
        ("POST", f"{API}/jobs/{job_id}/mailboxes",
         {"content": csv_file(2), "headers": {"Content-Type": "text/csv"}}, tech),
        ("POST", f"{API}/jobs/{job_id}/preflight", {"json": {}}, tech),
        ("POST", f"{API}/jobs/{job_id}/sync", {"json": {"mode": "initial"}}, tech),
        ("POST", f"{API}/jobs/{job_id}/verify", {"json": {}}, tech),
        ("POST", f"{API}/jobs/{job_id}/purge-secrets", {}, admin),
    ]  # fmt: skip
    for method, url, kwargs, headers in writes:
        extra = kwargs.pop("headers", {})
        response = await client.request(method, url, headers={**headers, **extra}, **kwargs)
        assert response.status_code < 300, (url, response.text)
    events, _ = await bus.events.load("job", job_id)
    assert len(events) == 1 + len(writes)
    for event in events:
        actor = event.envelope.actor
        assert actor.kind == ActorKind.USER, event.envelope.type
        assert actor.role in {"technician", "super_admin"}, event.envelope.type
        assert actor.ip == "203.0.113.7", event.envelope.type
        assert actor.user_agent == "pytest-agent", event.envelope.type


async def test_user_and_token_administration_is_audited_too(client, auth, bus):
    admin = auth(Role.SUPER_ADMIN, "root")
    created = await client.post(
        f"{AUTH}/users",
        json={"email": f"newbie-{uuid.uuid4().hex[:8]}@example.com", "role": "auditor",
              "password": "long enough pw 1"},
        headers=admin,
    )  # fmt: skip
    assert created.status_code == 201
    assert "long enough pw 1" not in created.text
    events, _ = await bus.events.load("user", created.json()["user_id"])
    actor = events[0].envelope.actor
    assert (actor.user, actor.role, actor.ip, actor.user_agent) == (
        "root", "super_admin", "203.0.113.7", "pytest-agent",
    )  # fmt: skip
