import uuid

import pytest

from mailferry_api.credentials.purge import purge_job_secrets
from mailferry_bus import utc_now
from mailferry_contracts import Actor, ActorKind
from mailferry_contracts.common import Role
from mailferry_vault import SecretNotFoundError
from tests.integration.api.payloads import API, csv_file, job_body

pytestmark = pytest.mark.integration


async def _job_with_mailboxes(client, auth, rows: int = 3) -> tuple[str, list[str]]:
    job = await client.post(f"{API}/jobs", json=job_body(), headers=auth())
    job_id = job.json()["job_id"]
    imported = await client.post(
        f"{API}/jobs/{job_id}/mailboxes", content=csv_file(rows, password="purge-me"),
        headers={**auth(), "Content-Type": "text/csv"},
    )  # fmt: skip
    assert imported.status_code == 201
    return job_id, imported.json()["mailbox_ids"]


class TestPurge:
    async def test_a_super_admin_destroys_every_secret_and_it_is_recorded(
        self, client, auth, bus, app
    ):
        job_id, _ = await _job_with_mailboxes(client, auth)
        response = await client.post(
            f"{API}/jobs/{job_id}/purge-secrets", headers=auth(Role.SUPER_ADMIN, "root")
        )
        assert response.status_code == 200
        assert (response.json()["references"], response.json()["destroyed"]) == (6, 6)
        events, _ = await bus.events.load("job", job_id)
        purged = events[-1].envelope
        assert purged.type == "JobSecretsPurged"
        assert purged.payload.credential_count == 6
        assert (purged.actor.user, purged.actor.role, purged.actor.ip) == (
            "root", "super_admin", "203.0.113.7",
        )  # fmt: skip
        spec = events[1].envelope.payload.mailboxes[0]
        with pytest.raises(SecretNotFoundError):
            await app.state.resources.vault.get(
                spec.source_credential_ref, mailbox_id=spec.mailbox_id
            )

    async def test_purging_again_destroys_nothing_more(self, client, auth, bus, app):
        job_id, _ = await _job_with_mailboxes(client, auth, rows=1)
        actor = Actor(kind=ActorKind.USER, user="closer", role="ops_lead")
        vault = app.state.resources.vault
        job = uuid.UUID(job_id)
        first = await purge_job_secrets(bus.events, vault, job, actor=actor, now=utc_now())
        second = await purge_job_secrets(bus.events, vault, job, actor=actor, now=utc_now())
        assert (first.destroyed, second.destroyed) == (2, 0)

    @pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.OPS_LEAD, Role.AUDITOR], ids=str)
    async def test_other_roles_may_not_purge(self, client, auth, role):
        job_id, _ = await _job_with_mailboxes(client, auth, rows=1)
        response = await client.post(f"{API}/jobs/{job_id}/purge-secrets", headers=auth(role))
        assert response.status_code == 403

    async def test_an_unknown_job_is_404(self, client, auth):
        response = await client.post(
            f"{API}/jobs/{uuid.uuid4()}/purge-secrets", headers=auth(Role.SUPER_ADMIN)
        )
        assert response.status_code == 404
