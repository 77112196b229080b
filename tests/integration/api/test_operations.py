import uuid
from itertools import pairwise

import pytest

from mailferry_contracts.common import Phase, Role, RunType
from mailferry_contracts.jobs import (
    JobClosed,
    PhaseChanged,
    PreflightRequested,
    RetryItem,
    RetryRequested,
    SyncRequested,
    VerifyRequested,
)
from tests.fixtures.factories import envelope_of
from tests.integration.api.payloads import API, job_body
from tests.integration.api.seed import seed_job, seed_mailbox, seed_mailboxes, seed_run

pytestmark = pytest.mark.integration


async def _job_with_mailboxes(client, auth, count: int = 3) -> tuple[str, list[str]]:
    job_id = (await client.post(f"{API}/jobs", json=job_body(), headers=auth())).json()["job_id"]
    body = [{"source_email": f"m{i}@example.com", "source_password": "p"} for i in range(count)]
    imported = await client.post(f"{API}/jobs/{job_id}/mailboxes", json=body, headers=auth())
    return job_id, imported.json()["mailbox_ids"]


async def _last(bus, job_id: str):
    events, _ = await bus.events.load("job", job_id)
    return events[-1]


class TestRunRequests:
    async def test_preflight_of_the_whole_job(self, client, auth, bus):
        job_id, _ = await _job_with_mailboxes(client, auth)
        response = await client.post(f"{API}/jobs/{job_id}/preflight", headers=auth())
        assert response.status_code == 202
        last = await _last(bus, job_id)
        assert last.sequence == response.json()["sequence"]
        assert last.envelope.payload == PreflightRequested(
            request_id=uuid.UUID(response.json()["request_id"]), mailbox_ids=None
        )

    async def test_a_sync_of_a_selection(self, client, auth, bus):
        job_id, ids = await _job_with_mailboxes(client, auth)
        body = {"mode": "initial", "mailbox_ids": [ids[1], ids[1], ids[0]]}
        response = await client.post(f"{API}/jobs/{job_id}/sync", json=body, headers=auth())
        assert response.status_code == 202, response.text
        event = (await _last(bus, job_id)).envelope.payload
        assert isinstance(event, SyncRequested)
        assert ([str(m) for m in event.mailbox_ids or []], event.mode, event.forced) == (
            [ids[1], ids[0]], "initial", False,
        )  # fmt: skip

    async def test_unknown_mailboxes_are_named(self, client, auth):
        job_id, ids = await _job_with_mailboxes(client, auth)
        stranger = str(uuid.uuid4())
        body = {"mailbox_ids": [ids[0], stranger]}
        response = await client.post(f"{API}/jobs/{job_id}/verify", json=body, headers=auth())
        assert response.status_code == 422
        assert response.json()["details"] == {"mailbox_ids": [stranger]}

    async def test_verify_request(self, client, auth, bus):
        job_id, ids = await _job_with_mailboxes(client, auth)
        body = {"mailbox_ids": ids[:1]}
        response = await client.post(f"{API}/jobs/{job_id}/verify", json=body, headers=auth())
        assert response.status_code == 202
        assert isinstance((await _last(bus, job_id)).envelope.payload, VerifyRequested)

    async def test_a_closed_job_refuses_a_sync(self, client, auth, bus):
        job_id, _ = await _job_with_mailboxes(client, auth)
        await bus.events.append([envelope_of(JobClosed(), job_id)])
        body = {"mode": "final"}
        response = await client.post(f"{API}/jobs/{job_id}/sync", json=body, headers=auth())
        assert response.status_code == 409

    async def test_an_unknown_job_is_404(self, client, auth):
        response = await client.post(f"{API}/jobs/{uuid.uuid4()}/preflight", headers=auth())
        assert response.status_code == 404


async def _in_phase(bus, job_id: str, *phases: Phase) -> None:
    for before, after in pairwise([Phase.DISCOVERED, *phases]):
        change = PhaseChanged(from_phase=before, to_phase=after, cause="test")
        await bus.events.append([envelope_of(change, job_id)])


class TestSyncModes:
    """The phase x mode rule is the contracts' ``sync_allowed``; here: the API applies it."""

    async def test_a_mode_the_phase_allows_is_accepted(self, client, auth, bus):
        job_id, _ = await _job_with_mailboxes(client, auth)
        await _in_phase(bus, job_id, Phase.PREFLIGHT, Phase.INITIAL_SYNC)
        body = {"mode": "delta"}
        response = await client.post(f"{API}/jobs/{job_id}/sync", json=body, headers=auth())
        assert response.status_code == 202, response.text

    async def test_a_mode_the_phase_refuses_is_409_with_the_reason(self, client, auth, bus):
        job_id, _ = await _job_with_mailboxes(client, auth)
        await _in_phase(bus, job_id, Phase.PREFLIGHT, Phase.INITIAL_SYNC, Phase.DELTA_SYNC)
        response = await client.post(
            f"{API}/jobs/{job_id}/sync", json={"mode": "final"}, headers=auth(Role.OPS_LEAD)
        )
        assert response.status_code == 409
        assert response.json()["error"] == "sync_not_allowed"
        assert response.json()["message"] == (
            "a final sync runs after the DNS cutover; the job is in delta_sync"
        )
        assert not isinstance((await _last(bus, job_id)).envelope.payload, SyncRequested)

    async def test_a_super_admin_may_force_it(self, client, auth, bus):
        job_id, _ = await _job_with_mailboxes(client, auth)
        body = {"mode": "delta", "force": True}
        admin = auth(Role.SUPER_ADMIN, user="admin@example.com")
        response = await client.post(f"{API}/jobs/{job_id}/sync", json=body, headers=admin)
        assert response.status_code == 202, response.text
        event = (await _last(bus, job_id)).envelope.payload
        assert (event.mode, event.forced) == ("delta", True)

    @pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.OPS_LEAD], ids=str)
    async def test_anyone_else_forcing_is_403(self, client, auth, bus, role):
        job_id, _ = await _job_with_mailboxes(client, auth)
        body = {"mode": "initial", "force": True}
        response = await client.post(f"{API}/jobs/{job_id}/sync", json=body, headers=auth(role))
        assert response.status_code == 403
        assert response.json()["error"] == "force_not_allowed"
        assert not isinstance((await _last(bus, job_id)).envelope.payload, SyncRequested)

    async def test_not_even_a_super_admin_syncs_a_closed_job(self, client, auth, bus):
        job_id, _ = await _job_with_mailboxes(client, auth)
        await bus.events.append([envelope_of(JobClosed(), job_id)])
        body = {"mode": "final", "force": True}
        admin = auth(Role.SUPER_ADMIN, user="admin@example.com")
        response = await client.post(f"{API}/jobs/{job_id}/sync", json=body, headers=admin)
        assert response.status_code == 409


class TestRetry:
    async def test_one_mailbox_repeats_its_last_failed_run(
        self, client, auth, bus, read_models_dsn
    ):
        job_id, ids = await _job_with_mailboxes(client, auth)
        mailbox = uuid.UUID(ids[0])
        seed_mailbox(read_models_dsn, uuid.UUID(job_id), mailbox, status="error")
        for minutes, run_type in enumerate(["preflight", "initial"]):
            seed_run(read_models_dsn, uuid.uuid4(), uuid.UUID(job_id), mailbox,
                     run_type=run_type, status="failed", minutes=minutes)  # fmt: skip
        response = await client.post(f"{API}/mailboxes/{mailbox}/retry", headers=auth())
        assert response.status_code == 202, response.text
        event = (await _last(bus, job_id)).envelope.payload
        assert (event.scope, event.items) == (
            "one",
            [RetryItem(mailbox_id=mailbox, run_type=RunType.INITIAL)],
        )
        override = {"run_type": "delta"}
        await client.post(f"{API}/mailboxes/{mailbox}/retry", json=override, headers=auth())
        assert (await _last(bus, job_id)).envelope.payload.items[0].run_type == "delta"

    async def test_a_mailbox_without_a_failed_run_needs_a_run_type(
        self, client, auth, read_models_dsn
    ):
        job_id, ids = await _job_with_mailboxes(client, auth)
        seed_mailbox(read_models_dsn, uuid.UUID(job_id), uuid.UUID(ids[0]))
        response = await client.post(f"{API}/mailboxes/{ids[0]}/retry", headers=auth())
        assert response.status_code == 422
        assert response.json()["error"] == "run_type_required"

    async def test_all_failed_mailboxes_of_the_job(self, client, auth, bus, read_models_dsn):
        job_id, ids = await _job_with_mailboxes(client, auth)
        job = uuid.UUID(job_id)
        for mailbox_id, status in zip(ids, ["error", "ok", "error"], strict=True):
            seed_mailbox(read_models_dsn, job, uuid.UUID(mailbox_id), status=status,
                         last_run_type="initial", last_run_status="failed")  # fmt: skip
        response = await client.post(f"{API}/jobs/{job_id}/retry-failed", headers=auth())
        assert response.status_code == 202
        event = (await _last(bus, job_id)).envelope.payload
        assert isinstance(event, RetryRequested)
        assert event.scope == "all_failed"
        assert {str(i.mailbox_id) for i in event.items} == {ids[0], ids[2]}

    async def test_nothing_failed_is_409(self, client, auth):
        job_id, _ = await _job_with_mailboxes(client, auth)
        response = await client.post(f"{API}/jobs/{job_id}/retry-failed", headers=auth())
        assert response.status_code == 409
        assert response.json()["error"] == "nothing_to_retry"


class TestVerification:
    async def test_latest_verification_per_mailbox_with_totals(self, client, auth, read_models_dsn):
        job_id = uuid.uuid4()
        seed_job(read_models_dsn, job_id)
        seed_mailboxes(read_models_dsn, job_id, 10)
        response = await client.get(f"{API}/jobs/{job_id}/verify", headers=auth())
        body = response.json()
        assert body["totals"]["mailboxes"] == 10
        assert body["totals"]["verified"] == 5
        assert body["totals"]["messages_source"] == 500
        ratios = [i["verify_ratio"] for i in body["items"] if i["verify_ratio"] is not None]
        assert ratios == sorted(ratios)
        assert body["items"][-1]["verify_ratio"] is None
