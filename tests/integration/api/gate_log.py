"""The gate service's side of the API gate tests: the facts it would append, written directly.

The API decides on the job's log alone, so a test that appends a GateEvaluated (as the gate
service does) exercises exactly what the API sees in production.
"""

import uuid
from typing import Any

import psycopg
from fastapi import FastAPI

from mailferry_bus import Bus, utc_now
from mailferry_contracts import Envelope, new_envelope, system_actor
from mailferry_contracts.common import CheckName, CheckStatus, GateState, Phase
from mailferry_contracts.gate import CheckResult, GateEvaluated
from mailferry_contracts.jobs import PhaseChanged
from mailferry_contracts.users import ServiceScope
from tests.integration.api.payloads import API, job_body
from tests.integration.security.conftest import ADMIN_ACTOR

GATE = system_actor("gate")
INBOX_MISSING = "alice@example.com: INBOX has 9 of 10 messages at the destination"


def checks(
    failing: dict[CheckName, str] | None = None, approved: bool = False
) -> list[CheckResult]:
    """Every check passing, except those in ``failing`` (and manual_approval unless approved)."""
    failing = failing or {}
    results = []
    for name in CheckName:
        if name in failing:
            results.append(CheckResult(name=name, status=CheckStatus.FAIL, message=failing[name]))
        elif name == CheckName.MANUAL_APPROVAL and not approved:
            message = "not approved: an ops lead must approve the current evaluation"
            results.append(CheckResult(name=name, status=CheckStatus.FAIL, message=message))
        else:
            results.append(CheckResult(name=name, status=CheckStatus.PASS, message="ok"))
    return results


def evaluated(
    job_id: str, gate: GateState, failing: dict[CheckName, str] | None = None, **extra: Any
) -> Envelope[GateEvaluated]:
    approved = gate == GateState.READY_FOR_DNS
    payload = GateEvaluated(
        evaluation_id=uuid.uuid4(), gate=gate, checks=checks(failing, approved),
        reason="test", **extra,
    )  # fmt: skip
    return new_envelope(payload, aggregate_id=job_id, actor=GATE, now=utc_now())


def phase_changed(job_id: str, before: Phase, after: Phase) -> Envelope[PhaseChanged]:
    payload = PhaseChanged(from_phase=before, to_phase=after, cause="test")
    return new_envelope(payload, aggregate_id=job_id, actor=GATE, now=utc_now())


async def gate_says(bus: Bus, job_id: str, *envelopes: Envelope[Any]) -> None:
    for envelope in envelopes:
        await bus.events.append([envelope])


async def head(bus: Bus, job_id: str) -> int:
    return (await bus.events.head("job", job_id)).sequence


async def last_event(bus: Bus, job_id: str) -> Envelope[Any]:
    events, _ = await bus.events.load("job", job_id)
    return events[-1].envelope


async def new_job(client, auth, domain: str = "example.com", rows: int = 2) -> str:
    job = await client.post(f"{API}/jobs", json=job_body(domain), headers=auth())
    job_id = str(job.json()["job_id"])
    body = [{"source_email": f"m{i}@{domain}", "source_password": f"pw-{i}"} for i in range(rows)]
    imported = await client.post(f"{API}/jobs/{job_id}/mailboxes", json=body, headers=auth())
    assert imported.status_code == 201, imported.text
    return job_id


async def wizard_bearer(app: FastAPI) -> dict[str, str]:
    security = app.state.security
    token, _, sequence = await security.admin.issue_token(
        "wizard-gate", ServiceScope.WIZARD, expires_at=None, actor=ADMIN_ACTOR, now=utc_now()
    )
    await security.directory.wait_for(sequence)
    return {"Authorization": f"Bearer {token}", "User-Agent": "wizard/1.0"}


def project_job(dsn: str, job_id: str, *, domain: str, gate: GateState, phase: Phase) -> None:
    """The job's read-model row, as the projector would have written it."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO migration_jobs (id, tenant_id, ticket_id, domain, phase, migration_gate, "
            "dest_imap_host, dest_imap_port, dest_security, engine, options, concurrency_limit, "
            "per_host_limit, sync_percent, created_by, created_at, updated_at, last_event_seq) "
            "VALUES (%s, 'tenant-7', 'T-42', %s, %s, %s, 'mail.new.example', 993, 'ssl', 'auto', "
            "'{}', 4, 2, 62.5, 'tech', now(), now(), 1)",
            [job_id, domain, phase.value, gate.value],
        )
