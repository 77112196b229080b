"""Approve, override, close, retry a phase: decided against the log, refused without a trace."""

import uuid

import pytest

from mailferry_api.credentials.purge import job_credential_refs
from mailferry_contracts.common import CheckName, GateState, Phase, Role
from mailferry_contracts.gate import GateApproved, GateOverridden
from mailferry_contracts.jobs import JobClosed, JobSecretsPurged, PhaseRetryRequested
from tests.fixtures.factories import envelope_of, example
from tests.integration.api.gate_log import (
    INBOX_MISSING,
    evaluated,
    gate_says,
    head,
    last_event,
    new_job,
    phase_changed,
    wizard_bearer,
)
from tests.integration.api.payloads import API

pytestmark = pytest.mark.integration

LEAD = (Role.OPS_LEAD, "lead@example.com")
ROOT = (Role.SUPER_ADMIN, "root@example.com")


async def _warning_job(client, auth, bus) -> tuple[str, str]:
    job_id = await new_job(client, auth)
    evaluation = evaluated(job_id, GateState.WARNING)
    await gate_says(bus, job_id, evaluation)
    return job_id, str(evaluation.payload.evaluation_id)


class TestApprove:
    async def test_an_ops_lead_approves_the_evaluation_on_the_screen(self, client, auth, bus):
        job_id, evaluation_id = await _warning_job(client, auth, bus)
        response = await client.post(
            f"{API}/jobs/{job_id}/approve-gate",
            json={"evaluation_id": evaluation_id, "comment": "99.2 % is fine"},
            headers=auth(*LEAD),
        )
        assert response.status_code == 200, response.text
        last = await last_event(bus, job_id)
        assert last.payload == GateApproved(
            evaluation_id=uuid.UUID(evaluation_id), comment="99.2 % is fine"
        )
        assert (last.actor.user, last.actor.role) == ("lead@example.com", "ops_lead")
        assert response.json()["sequence"] == await head(bus, job_id)

    async def test_failing_checks_are_refused_with_their_messages(self, client, auth, bus):
        job_id = await new_job(client, auth)
        blocked = evaluated(job_id, GateState.BLOCKED, {CheckName.INBOX_COMPLETE: INBOX_MISSING})
        await gate_says(bus, job_id, blocked)
        before = await head(bus, job_id)
        response = await client.post(
            f"{API}/jobs/{job_id}/approve-gate",
            json={"evaluation_id": str(blocked.payload.evaluation_id)}, headers=auth(*LEAD),
        )  # fmt: skip
        assert response.status_code == 409
        assert response.json()["error"] == "checks_failing"
        assert INBOX_MISSING in response.json()["message"]
        assert [c["name"] for c in response.json()["details"]["checks"]] == ["inbox_complete"]
        assert await head(bus, job_id) == before

    async def test_a_stale_evaluation_is_refused(self, client, auth, bus):
        job_id, seen = await _warning_job(client, auth, bus)
        newer = evaluated(job_id, GateState.WARNING)
        await gate_says(bus, job_id, newer)
        before = await head(bus, job_id)
        response = await client.post(
            f"{API}/jobs/{job_id}/approve-gate", json={"evaluation_id": seen}, headers=auth(*LEAD)
        )
        assert response.status_code == 409
        assert response.json()["error"] == "stale_evaluation"
        assert response.json()["details"] == {
            "latest_evaluation_id": str(newer.payload.evaluation_id)
        }
        assert await head(bus, job_id) == before

    async def test_a_technician_may_not_approve(self, client, auth, bus):
        job_id, evaluation_id = await _warning_job(client, auth, bus)
        before = await head(bus, job_id)
        response = await client.post(
            f"{API}/jobs/{job_id}/approve-gate", json={"evaluation_id": evaluation_id},
            headers=auth(Role.TECHNICIAN),
        )  # fmt: skip
        assert response.status_code == 403
        assert await head(bus, job_id) == before

    @pytest.mark.parametrize(
        "headers",
        [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic dTpw"}],
        ids=["none", "garbage", "basic"],
    )
    async def test_wrong_tokens_are_401(self, client, auth, bus, headers):
        job_id, evaluation_id = await _warning_job(client, auth, bus)
        before = await head(bus, job_id)
        response = await client.post(
            f"{API}/jobs/{job_id}/approve-gate", json={"evaluation_id": evaluation_id},
            headers=headers,
        )  # fmt: skip
        assert response.status_code == 401
        assert await head(bus, job_id) == before

    async def test_the_wizard_token_may_not_approve(self, client, auth, bus, app):
        job_id, evaluation_id = await _warning_job(client, auth, bus)
        before = await head(bus, job_id)
        response = await client.post(
            f"{API}/jobs/{job_id}/approve-gate", json={"evaluation_id": evaluation_id},
            headers=await wizard_bearer(app),
        )  # fmt: skip
        assert response.status_code == 403
        assert await head(bus, job_id) == before

    async def test_approving_twice_appends_once(self, client, auth, bus):
        job_id, evaluation_id = await _warning_job(client, auth, bus)
        url, body = f"{API}/jobs/{job_id}/approve-gate", {"evaluation_id": evaluation_id}
        assert (await client.post(url, json=body, headers=auth(*LEAD))).status_code == 200
        before = await head(bus, job_id)
        again = await client.post(url, json=body, headers=auth(*LEAD))
        assert (again.status_code, again.json()["error"]) == (409, "already_decided")
        assert await head(bus, job_id) == before

    async def test_a_job_the_gate_has_not_evaluated_cannot_be_approved(self, client, auth, bus):
        job_id = await new_job(client, auth)
        response = await client.post(
            f"{API}/jobs/{job_id}/approve-gate", json={"evaluation_id": str(uuid.uuid4())},
            headers=auth(*LEAD),
        )  # fmt: skip
        assert (response.status_code, response.json()["error"]) == (409, "not_evaluated")

    async def test_after_the_dns_cutover_there_is_nothing_to_approve(self, client, auth, bus):
        job_id, _ = await _warning_job(client, auth, bus)
        await gate_says(bus, job_id, envelope_of(example("DnsCutoverApplied"), job_id))
        rewarned = evaluated(job_id, GateState.WARNING)
        await gate_says(bus, job_id, rewarned)
        before = await head(bus, job_id)
        for path, body in (
            ("approve-gate", {"evaluation_id": str(rewarned.payload.evaluation_id)}),
            ("override-gate", {"reason": "again"}),
        ):
            response = await client.post(
                f"{API}/jobs/{job_id}/{path}", json=body, headers=auth(*ROOT)
            )
            assert (response.status_code, response.json()["error"]) == (
                409, "dns_already_applied",
            )  # fmt: skip
        assert await head(bus, job_id) == before

    async def test_an_unknown_job_is_404(self, client, auth):
        response = await client.post(
            f"{API}/jobs/{uuid.uuid4()}/approve-gate", json={"evaluation_id": str(uuid.uuid4())},
            headers=auth(*LEAD),
        )  # fmt: skip
        assert response.status_code == 404


class TestOverride:
    async def test_a_super_admin_overrides_failing_checks_with_a_reason(self, client, auth, bus):
        job_id = await new_job(client, auth)
        blocked = evaluated(job_id, GateState.BLOCKED, {CheckName.COUNT_RATIO: "98 %"})
        await gate_says(bus, job_id, blocked)
        response = await client.post(
            f"{API}/jobs/{job_id}/override-gate",
            json={"reason": "customer accepts the 2 % of spam left behind"},
            headers=auth(*ROOT),
        )
        assert response.status_code == 200, response.text
        last = await last_event(bus, job_id)
        assert last.payload == GateOverridden(
            evaluation_id=blocked.payload.evaluation_id,
            reason="customer accepts the 2 % of spam left behind",
        )
        assert (last.actor.user, last.actor.role, last.actor.ip) == (
            "root@example.com", "super_admin", "203.0.113.7",
        )  # fmt: skip

    @pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   \n\t "}], ids=str)
    async def test_an_override_without_a_reason_is_422(self, client, auth, bus, body):
        job_id, _ = await _warning_job(client, auth, bus)
        before = await head(bus, job_id)
        response = await client.post(
            f"{API}/jobs/{job_id}/override-gate", json=body, headers=auth(*ROOT)
        )
        assert response.status_code == 422
        assert await head(bus, job_id) == before

    async def test_an_ops_lead_may_not_override(self, client, auth, bus):
        job_id, _ = await _warning_job(client, auth, bus)
        before = await head(bus, job_id)
        response = await client.post(
            f"{API}/jobs/{job_id}/override-gate", json={"reason": "trust me"}, headers=auth(*LEAD)
        )
        assert response.status_code == 403
        assert await head(bus, job_id) == before

    async def test_an_override_of_a_stale_screen_is_refused(self, client, auth, bus):
        job_id, seen = await _warning_job(client, auth, bus)
        await gate_says(bus, job_id, evaluated(job_id, GateState.BLOCKED))
        response = await client.post(
            f"{API}/jobs/{job_id}/override-gate",
            json={"reason": "ok", "evaluation_id": seen}, headers=auth(*ROOT),
        )  # fmt: skip
        assert (response.status_code, response.json()["error"]) == (409, "stale_evaluation")


class TestClose:
    async def test_a_verified_job_closes_and_its_secrets_are_destroyed(
        self, client, auth, bus, app
    ):
        job_id = await new_job(client, auth)
        await gate_says(bus, job_id, phase_changed(job_id, Phase.FINAL_SYNC, Phase.VERIFIED))
        response = await client.post(
            f"{API}/jobs/{job_id}/close", json={"reason": "done"}, headers=auth(*LEAD)
        )
        assert response.status_code == 200, response.text
        assert (response.json()["references"], response.json()["secrets_destroyed"]) == (2, 2)
        events, _ = await bus.events.load("job", job_id)
        assert [type(e.envelope.payload) for e in events[-2:]] == [JobClosed, JobSecretsPurged]
        refs = job_credential_refs(e.envelope for e in events)
        assert set(refs) & set(await app.state.resources.vault.references()) == set()

    async def test_a_job_that_is_not_verified_is_not_closed(self, client, auth, bus):
        job_id = await new_job(client, auth)
        await gate_says(bus, job_id, phase_changed(job_id, Phase.DISCOVERED, Phase.DELTA_SYNC))
        before = await head(bus, job_id)
        response = await client.post(f"{API}/jobs/{job_id}/close", headers=auth(*LEAD))
        assert response.status_code == 409
        assert response.json()["details"] == {"phase": "delta_sync"}
        assert "delta_sync" in response.json()["message"]
        assert await head(bus, job_id) == before

    async def test_a_technician_may_not_close(self, client, auth, bus):
        job_id = await new_job(client, auth)
        await gate_says(bus, job_id, phase_changed(job_id, Phase.FINAL_SYNC, Phase.VERIFIED))
        response = await client.post(f"{API}/jobs/{job_id}/close", headers=auth())
        assert response.status_code == 403


class TestRetryPhase:
    async def test_a_failed_job_is_sent_back_once(self, client, auth, bus):
        job_id = await new_job(client, auth)
        await gate_says(bus, job_id, phase_changed(job_id, Phase.INITIAL_SYNC, Phase.FAILED))
        url = f"{API}/jobs/{job_id}/retry-phase"
        response = await client.post(url, json={"reason": "source fixed"}, headers=auth())
        assert response.status_code == 200, response.text
        assert response.json()["back_to"] == "initial_sync"
        assert (await last_event(bus, job_id)).payload == PhaseRetryRequested(reason="source fixed")
        before = await head(bus, job_id)
        again = await client.post(url, headers=auth())
        assert (again.status_code, again.json()["error"]) == (409, "retry_pending")
        assert await head(bus, job_id) == before

    async def test_a_job_that_did_not_fail_is_not_retried(self, client, auth, bus):
        job_id = await new_job(client, auth)
        response = await client.post(f"{API}/jobs/{job_id}/retry-phase", headers=auth())
        assert response.status_code == 409
        assert response.json()["details"] == {"phase": "discovered"}
