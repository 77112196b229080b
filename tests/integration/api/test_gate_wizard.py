"""The wizard's routes: its own token only; dns-applied only at ready_for_dns, and only once."""

import uuid

import pytest

from mailferry_contracts import ActorKind
from mailferry_contracts.common import CheckName, GateState, Phase, Role
from mailferry_contracts.jobs import DnsCutoverApplied
from tests.integration.api.gate_log import (
    INBOX_MISSING,
    evaluated,
    gate_says,
    head,
    last_event,
    new_job,
    project_job,
    wizard_bearer,
)
from tests.integration.api.payloads import API

pytestmark = pytest.mark.integration

APPLIED = {"applied_at": "2026-03-01T10:00:00Z", "details": "MX -> mx.new.example"}


def _domain() -> str:
    return f"d{uuid.uuid4().hex[:10]}.example"


async def _ready_job(client, auth, bus, domain: str | None = None) -> str:
    job_id = await new_job(client, auth, domain or _domain())
    await gate_says(bus, job_id, evaluated(job_id, GateState.READY_FOR_DNS))
    return job_id


class TestDnsApplied:
    async def test_the_wizard_reports_the_cutover_once(self, client, auth, bus, app):
        job_id = await _ready_job(client, auth, bus)
        wizard = await wizard_bearer(app)
        first = await client.post(
            f"{API}/dns-applied", json={"job_id": job_id, **APPLIED}, headers=wizard
        )
        assert first.status_code == 200, first.text
        last = await last_event(bus, job_id)
        assert isinstance(last.payload, DnsCutoverApplied)
        assert last.payload.details == "MX -> mx.new.example"
        assert (last.actor.kind, last.actor.user, last.actor.role) == (
            ActorKind.SERVICE, "service:wizard-gate", "wizard",
        )  # fmt: skip
        before = await head(bus, job_id)
        later = {"job_id": job_id, "applied_at": "2026-03-02T00:00:00Z"}
        again = await client.post(f"{API}/dns-applied", json=later, headers=wizard)
        assert again.status_code == 200
        assert again.json() == {**first.json(), "repeated": True}
        assert first.json()["repeated"] is False
        assert await head(bus, job_id) == before

    async def test_the_wizard_names_the_job_by_its_domain(
        self, client, auth, bus, app, read_models_dsn
    ):
        domain = _domain()
        job_id = await _ready_job(client, auth, bus, domain)
        project_job(read_models_dsn, job_id, domain=domain, gate=GateState.READY_FOR_DNS,
                    phase=Phase.CUTOVER_READY)  # fmt: skip
        response = await client.post(
            f"{API}/dns-applied", json={"domain": domain.upper(), **APPLIED},
            headers=await wizard_bearer(app),
        )  # fmt: skip
        assert response.status_code == 200, response.text
        assert (response.json()["job_id"], response.json()["domain"]) == (job_id, domain)

    async def test_before_ready_it_is_refused_with_the_reason(self, client, auth, bus, app):
        job_id = await new_job(client, auth)
        blocked = evaluated(job_id, GateState.BLOCKED, {CheckName.INBOX_COMPLETE: INBOX_MISSING})
        await gate_says(bus, job_id, blocked)
        before = await head(bus, job_id)
        response = await client.post(
            f"{API}/dns-applied", json={"job_id": job_id, **APPLIED},
            headers=await wizard_bearer(app),
        )  # fmt: skip
        assert (response.status_code, response.json()["error"]) == (409, "gate_not_ready")
        assert "blocked" in response.json()["message"]
        assert INBOX_MISSING in response.json()["message"]
        assert await head(bus, job_id) == before

    @pytest.mark.parametrize("role", list(Role), ids=str)
    async def test_a_user_token_is_refused(self, client, auth, bus, role):
        job_id = await _ready_job(client, auth, bus)
        before = await head(bus, job_id)
        response = await client.post(
            f"{API}/dns-applied", json={"job_id": job_id, **APPLIED}, headers=auth(role)
        )
        assert response.status_code == 403
        assert await head(bus, job_id) == before

    async def test_no_token_is_401(self, client, auth, bus):
        job_id = await _ready_job(client, auth, bus)
        response = await client.post(f"{API}/dns-applied", json={"job_id": job_id, **APPLIED})
        assert response.status_code == 401

    @pytest.mark.parametrize(
        "body",
        [
            {"applied_at": "2026-03-01T10:00:00Z"},
            {"job_id": str(uuid.uuid4()), "domain": "a.example", **APPLIED},
            {"job_id": str(uuid.uuid4()), "applied_at": "2026-03-01T10:00:00"},
        ],
        ids=["no-target", "two-targets", "naive-time"],
    )
    async def test_a_malformed_report_is_422(self, client, app, body):
        response = await client.post(
            f"{API}/dns-applied", json=body, headers=await wizard_bearer(app)
        )
        assert response.status_code == 422

    async def test_an_unknown_job_is_404(self, client, app):
        response = await client.post(
            f"{API}/dns-applied", json={"job_id": str(uuid.uuid4()), **APPLIED},
            headers=await wizard_bearer(app),
        )  # fmt: skip
        assert response.status_code == 404


class TestWizardGate:
    async def test_the_gate_of_a_domain(self, client, auth, bus, app, read_models_dsn):
        domain = _domain()
        job_id = await new_job(client, auth, domain)
        project_job(read_models_dsn, job_id, domain=domain, gate=GateState.BLOCKED,
                    phase=Phase.DELTA_SYNC)  # fmt: skip
        response = await client.get(
            f"{API}/gate", params={"domain": domain}, headers=await wizard_bearer(app)
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["job_id"], body["domain"], body["gate"], body["phase"]) == (
            job_id, domain, "blocked", "delta_sync",
        )  # fmt: skip
        assert (body["tenant_id"], body["ticket_id"]) == ("tenant-7", "T-42")

    async def test_an_unknown_domain_is_404(self, client, app):
        response = await client.get(
            f"{API}/gate", params={"domain": _domain()}, headers=await wizard_bearer(app)
        )
        assert (response.status_code, response.json()["error"]) == (404, "domain_not_found")

    async def test_several_open_jobs_of_a_domain_are_listed_not_guessed(
        self, client, auth, app, read_models_dsn
    ):
        domain = _domain()
        jobs = [await new_job(client, auth, domain) for _ in range(2)]
        for job_id, gate in zip(jobs, (GateState.READY_FOR_DNS, GateState.BLOCKED), strict=True):
            project_job(read_models_dsn, job_id, domain=domain, gate=gate, phase=Phase.DELTA_SYNC)
        wizard = await wizard_bearer(app)
        response = await client.get(f"{API}/gate", params={"domain": domain}, headers=wizard)
        assert (response.status_code, response.json()["error"]) == (409, "several_open_jobs")
        assert {d["job_id"] for d in response.json()["details"]} == set(jobs)
        by_id = await client.get(f"{API}/gate", params={"job_id": jobs[1]}, headers=wizard)
        assert (by_id.status_code, by_id.json()["gate"]) == (200, "blocked")

    @pytest.mark.parametrize("role", list(Role), ids=str)
    async def test_a_user_token_never_reads_the_wizard_gate(self, client, auth, role):
        response = await client.get(f"{API}/gate", params={"domain": _domain()}, headers=auth(role))
        assert response.status_code == 403

    async def test_the_wizard_token_reads_nothing_else(self, client, auth, app, read_models_dsn):
        job_id = await new_job(client, auth)
        wizard = await wizard_bearer(app)
        for path in (f"jobs/{job_id}", f"jobs/{job_id}/gate", f"jobs/{job_id}/desk"):
            assert (await client.get(f"{API}/{path}", headers=wizard)).status_code == 403
