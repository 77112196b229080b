import uuid

import pytest

from mailferry_contracts.common import Role
from mailferry_contracts.jobs import JobCreated, JobLimitsChanged, JobNotesUpdated
from tests.integration.api.payloads import API, job_body

pytestmark = pytest.mark.integration


async def _create(client, auth, **overrides):
    response = await client.post(f"{API}/jobs", json=job_body(**overrides), headers=auth())
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["job_id"])


class TestCreateJob:
    async def test_created_job_is_in_the_log_with_the_acting_user(self, client, auth, bus):
        response = await client.post(
            f"{API}/jobs", json=job_body("Example.COM"), headers=auth(Role.OPS_LEAD, "lead")
        )
        assert response.status_code == 201
        job_id = response.json()["job_id"]
        events, head = await bus.events.load("job", job_id)
        assert head.sequence == response.json()["sequence"]
        [event] = events
        assert isinstance(event.envelope.payload, JobCreated)
        assert event.envelope.payload.domain == "example.com"
        actor = event.envelope.actor
        assert (actor.user, actor.role, actor.ip, actor.user_agent) == (
            "lead",
            "ops_lead",
            "203.0.113.7",
            "pytest-agent",
        )

    @pytest.mark.parametrize(
        "overrides",
        [
            {"domain": "not a domain"},
            {"domain": "-bad.example"},
            {"destination": {"host": "-oProxyCommand=x", "port": 993}},
            {"destination": {"host": "mail.new.example\r\nX", "port": 993}},
            {"destination": {"host": "mail new.example", "port": 993}},
            {"destination": {"host": "mail.new.example", "port": 70000}},
            {"concurrency_limit": 0},
            {"unknown_field": 1},
        ],
        ids=[
            "domain",
            "domain-dash",
            "host-dash",
            "host-crlf",
            "host-space",
            "port",
            "limit",
            "extra",
        ],
    )
    async def test_invalid_jobs_are_refused(self, client, auth, overrides):
        response = await client.post(f"{API}/jobs", json=job_body(**overrides), headers=auth())
        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"


class TestUpdateJob:
    async def test_notes_and_limits_become_two_events(self, client, auth, bus):
        job_id = await _create(client, auth)
        body = {"notes": "weekend", "concurrency_limit": 8}
        response = await client.patch(f"{API}/jobs/{job_id}", json=body, headers=auth())
        assert response.status_code == 200, response.text
        events, _ = await bus.events.load("job", str(job_id))
        payloads = [e.envelope.payload for e in events[1:]]
        assert payloads == [
            JobNotesUpdated(notes="weekend"),
            JobLimitsChanged(concurrency_limit=8, per_host_limit=2),
        ]

    async def test_an_unchanged_patch_appends_nothing(self, client, auth):
        job_id = await _create(client, auth)
        response = await client.patch(
            f"{API}/jobs/{job_id}", json={"per_host_limit": 2}, headers=auth()
        )
        assert response.json()["sequences"] == []

    async def test_unknown_job_is_404(self, client, auth):
        response = await client.patch(
            f"{API}/jobs/{uuid.uuid4()}", json={"notes": "x"}, headers=auth()
        )
        assert response.status_code == 404
        assert response.json()["error"] == "job_not_found"

    async def test_closed_job_is_409(self, client, auth, bus):
        from mailferry_contracts.jobs import JobClosed
        from tests.fixtures.factories import envelope_of

        job_id = await _create(client, auth)
        await bus.events.append([envelope_of(JobClosed(reason="done"), str(job_id))])
        response = await client.patch(f"{API}/jobs/{job_id}", json={"notes": "x"}, headers=auth())
        assert response.status_code == 409
        assert response.json()["error"] == "job_closed"


class TestBodyLimit:
    async def test_a_body_over_the_general_limit_is_413(self, client, auth):
        body = job_body(notes="x" * (2 * 1024 * 1024))
        response = await client.post(f"{API}/jobs", json=body, headers=auth())
        assert response.status_code == 413
        assert response.json()["error"] == "payload_too_large"
