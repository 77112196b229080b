"""The job report from read models the real projector built out of a realistic job's events."""

import io
import uuid

import pytest
from pypdf import PdfReader

from mailferry_api.settings import ApiSettings
from mailferry_contracts.common import Phase, Role
from tests.integration.api.conftest import settings_over
from tests.integration.api.payloads import API
from tests.integration.projector import journey
from tests.integration.projector.conftest import (  # noqa: F401 - fixtures
    append_all,
    log_bus,
    projector,
    settings,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]
LEAD = {"role": Role.OPS_LEAD, "user": "lead@example.com"}


@pytest.fixture
def api_settings(private_nats, pg_dsn) -> ApiSettings:
    """The API over the projector's own NATS and database."""
    return settings_over(private_nats.url, pg_dsn)


@pytest.fixture
async def trip(log_bus, projector):  # noqa: F811 - the imported fixtures
    """The journey plus a phase change, appended and projected."""
    trip = journey.build()
    trip.emit(
        journey.typed(
            "PhaseChanged", from_phase=Phase.PREFLIGHT, to_phase=Phase.INITIAL_SYNC,
            cause="an initial sync was requested: größer \u2192 ok",
        ),
        journey.GATE,
    )  # fmt: skip
    await projector.start()
    await projector.wait_applied(await append_all(log_bus, trip.envelopes))
    return trip


async def report(client, auth, job, role=Role.OPS_LEAD, **params):
    response = await client.get(
        f"{API}/jobs/{job}/report", params=params, headers=auth(role, f"{role.value}@example.com")
    )
    assert response.status_code == 200, response.text
    return response


class TestJsonReport:
    async def test_every_section_comes_from_the_projected_events(self, client, auth, trip):
        body = (await report(client, auth, trip.job)).json()

        assert body["sections"] == [
            "summary", "gate", "timeline", "verification", "mailboxes", "audit",
        ]  # fmt: skip
        assert body["summary"]["mailboxes"] == 3
        assert body["summary"]["by_status"]["error"] == 1
        assert body["summary"]["by_error_class"]["auth_failed_source"] == 1
        gate = body["gate"]
        assert gate["state"] == "ready_for_dns"
        assert {c["name"]: c["status"] for c in gate["checks"]} == {
            "count_ratio": "pass", "manual_approval": "pass",
        }  # fmt: skip
        assert [e["gate"] for e in gate["evaluations"]] == ["ready_for_dns", "warning"]
        approved = gate["decisions"][0]
        assert (approved["type"], approved["by"], approved["role"], approved["remark"]) == (
            "GateApproved", "lead@example.com", "ops_lead", "ok",
        )  # fmt: skip
        assert gate["decisions"][1]["type"] == "DnsCutoverApplied"
        steps = [(s["from_phase"], s["to_phase"]) for s in body["timeline"]]
        assert steps[0] == (None, "discovered")
        assert steps[-1] == ("preflight", "initial_sync")
        assert "discovered" in {s[0] for s in steps}
        [deficit] = body["verification"]["deficits"]
        assert (deficit["folder"], deficit["missing"]) == ("INBOX", 8)
        assert [m["source_email"] for m in body["mailboxes"]] == [
            "alice@example.com", "bob@example.com", "carol@example.com",
        ]  # fmt: skip
        actions = {a["action"] for a in body["audit"]}
        assert {"GateApproved", "JobCreated", "DnsCutoverApplied"} <= actions
        assert "GateEvaluated" not in actions  # the system's own events stay out of the excerpt

    @pytest.mark.parametrize(
        ("role", "audited"),
        [(Role.TECHNICIAN, False), (Role.AUDITOR, True), (Role.OPS_LEAD, True)],
        ids=["technician", "auditor", "ops_lead"],
    )
    async def test_the_audit_excerpt_is_only_for_roles_reading_the_audit_trail(
        self, client, auth, trip, role, audited
    ):
        body = (await report(client, auth, trip.job, role)).json()
        assert ("audit" in body["sections"]) is audited
        assert (body["audit"] is not None) is audited

    async def test_sections_can_be_chosen_and_an_unknown_one_is_refused(self, client, auth, trip):
        body = (await report(client, auth, trip.job, sections="timeline,gate")).json()
        wrong = await client.get(
            f"{API}/jobs/{trip.job}/report", params={"sections": "gate,nope"}, headers=auth()
        )
        assert body["sections"] == ["gate", "timeline"]
        assert body["mailboxes"] is None
        assert wrong.status_code == 422
        assert "nope" in wrong.json()["message"]

    async def test_an_unknown_job_is_404(self, client, auth, trip):
        response = await client.get(f"{API}/jobs/{uuid.uuid4()}/report", headers=auth())
        assert response.status_code == 404


class TestPdfReport:
    async def test_the_pdf_holds_the_summary_gate_approval_and_unicode_text(
        self, client, auth, trip
    ):
        response = await report(client, auth, trip.job, format="pdf")
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)

        assert response.headers["content-type"] == "application/pdf"
        assert "attachment" in response.headers["content-disposition"]
        assert response.content.startswith(b"%PDF")
        for expected in (
            "Migration report",
            "Gate: ready_for_dns",
            "GateApproved",
            "lead@example.com",
            "bob@example.com",
            "auth_failed_source",
            "größer \u2192 ok",
            "Audit excerpt",
        ):
            assert expected in text, expected
