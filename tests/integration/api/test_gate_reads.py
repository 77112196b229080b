"""GET jobs/{id}/gate and jobs/{id}/desk from the read models."""

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg.types.json import Jsonb

from mailferry_contracts.common import CheckName, GateState, Phase, Role
from mailferry_contracts.gate import CheckResult
from tests.integration.api.gate_log import INBOX_MISSING, checks, project_job
from tests.integration.api.payloads import API

pytestmark = pytest.mark.integration

T0 = datetime(2026, 2, 1, tzinfo=UTC)


def _project_gate(dsn: str, job_id: str) -> list[str]:
    """Two evaluations, their checks, an approval, an override and two webhook attempts."""
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    blocked = checks({CheckName.INBOX_COMPLETE: INBOX_MISSING})
    with psycopg.connect(dsn, autocommit=True) as conn:
        for seq, (evaluation, gate, results) in enumerate(
            [(first, "blocked", blocked), (second, "warning", checks())], start=10
        ):
            _evaluation(conn, job_id, evaluation, gate, results, seq)
        for index, check in enumerate(reversed(checks())):
            conn.execute(
                "INSERT INTO migration_gate_checks VALUES (%s, %s, %s, %s, '[]', %s, %s)",
                [job_id, check.name.value, check.status.value, check.message, second,
                 T0 + timedelta(minutes=index)],
            )  # fmt: skip
        for seq, kind, role, summary in [
            (20, "GateApproved", "ops_lead", f"approved the gate (evaluation {second})"),
            (21, "GateOverridden", "super_admin", "overrode the gate to ready_for_dns: why"),
        ]:
            conn.execute(
                "INSERT INTO audit_log (seq, event_id, occurred_at, event_type, aggregate_type, "
                "aggregate_id, job_id, actor_kind, actor_user, actor_role, summary) VALUES "
                "(%s, %s, %s, %s, 'job', %s, %s, 'user', %s, %s, %s)",
                [seq, uuid.uuid4(), T0, kind, job_id, job_id, f"{role}@example.com", role,
                 summary],
            )  # fmt: skip
        notification = uuid.uuid4()
        for attempt, delivered in ((1, False), (2, True)):
            conn.execute(
                "INSERT INTO migration_webhook_deliveries VALUES (%s, %s, %s, %s, %s, %s, %s, "
                "%s, NULL)",
                [notification, attempt, job_id, "https://hooks.example/gate", delivered,
                 204 if delivered else 500, "" if delivered else "HTTP 500",
                 T0 + timedelta(seconds=attempt)],
            )  # fmt: skip
    return [first, second]


def _evaluation(conn, job_id: str, evaluation: str, gate: str, results: list[CheckResult],
                seq: int) -> None:  # fmt: skip
    conn.execute(
        "INSERT INTO migration_gate_evaluations VALUES (%s, %s, %s, NULL, %s, false, %s, '[]', "
        "%s, %s)",
        [evaluation, job_id, gate, f"reason {seq}",
         Jsonb([r.model_dump(mode="json") for r in results]), T0, seq],
    )  # fmt: skip


class TestGate:
    async def test_everything_about_the_gate_of_a_job(self, client, auth, read_models_dsn):
        job_id = str(uuid.uuid4())
        project_job(read_models_dsn, job_id, domain="a.example", gate=GateState.WARNING,
                    phase=Phase.DELTA_SYNC)  # fmt: skip
        first, second = _project_gate(read_models_dsn, job_id)
        response = await client.get(f"{API}/jobs/{job_id}/gate", headers=auth(Role.AUDITOR))
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["gate"], body["phase"], body["domain"]) == (
            "warning",
            "delta_sync",
            "a.example",
        )
        assert [c["name"] for c in body["checks"]] == [n.value for n in CheckName]
        assert [e["evaluation_id"] for e in body["evaluations"]] == [second, first]
        assert body["evaluations_total"] == 2
        blocked = body["evaluations"][1]["checks"]
        assert next(c["message"] for c in blocked if c["status"] == "fail") == INBOX_MISSING
        assert [(d["kind"], d["user"]) for d in body["decisions"]] == [
            ("override", "super_admin@example.com"), ("approval", "ops_lead@example.com"),
        ]  # fmt: skip
        assert [(w["attempt"], w["delivered"]) for w in body["webhook_deliveries"]] == [
            (2, True), (1, False),
        ]  # fmt: skip

    async def test_a_job_without_evaluations_shows_an_empty_gate(
        self, client, auth, read_models_dsn
    ):
        job_id = str(uuid.uuid4())
        project_job(read_models_dsn, job_id, domain="b.example", gate=GateState.BLOCKED,
                    phase=Phase.DISCOVERED)  # fmt: skip
        body = (await client.get(f"{API}/jobs/{job_id}/gate", headers=auth())).json()
        assert (body["checks"], body["evaluations"], body["evaluation_id"]) == ([], [], None)

    async def test_an_unknown_job_is_404(self, client, auth):
        response = await client.get(f"{API}/jobs/{uuid.uuid4()}/gate", headers=auth())
        assert response.status_code == 404


class TestDesk:
    async def test_the_ticket_badge_with_the_gateway_jwt(self, client, auth, read_models_dsn):
        job_id = str(uuid.uuid4())
        project_job(read_models_dsn, job_id, domain="c.example", gate=GateState.READY_FOR_DNS,
                    phase=Phase.CUTOVER_READY)  # fmt: skip
        response = await client.get(
            f"{API}/jobs/{job_id}/desk", headers=auth(Role.AUDITOR, "desk-gateway")
        )
        assert response.status_code == 200, response.text
        assert response.json() == {
            "migration_job_id": job_id,
            "migration_phase": "cutover_ready",
            "migration_gate": "ready_for_dns",
            "migration_sync_percent": 62.5,
            "ticket_id": "T-42",
            "tenant_id": "tenant-7",
        }

    async def test_an_unknown_job_is_404(self, client, auth):
        response = await client.get(f"{API}/jobs/{uuid.uuid4()}/desk", headers=auth())
        assert response.status_code == 404
