from datetime import timedelta
from decimal import Decimal

import pytest

from mailferry_contracts.common import RunType
from tests.fixtures.factories import WHEN
from tests.integration.projector import journey
from tests.integration.projector.conftest import append_all, fetch

pytestmark = pytest.mark.integration


@pytest.fixture
async def projected(log_bus, projector, pg_dsn):
    """The journey appended to the log and projected."""
    trip = journey.build()
    await projector.start()
    last = await append_all(log_bus, trip.envelopes)
    await projector.wait_applied(last)
    return trip


def _by_id(rows, key="id"):
    return {row[key]: row for row in rows}


class TestJobs:
    async def test_the_job_row_follows_phase_gate_approval_and_cutover(self, projected, pg_dsn):
        [job] = await fetch(pg_dsn, "SELECT * FROM migration_jobs")
        assert job["id"] == projected.job
        assert (job["phase"], job["migration_gate"]) == ("initial_sync", "ready_for_dns")
        assert job["approved_by"] == journey.LEAD.user
        assert job["dns_cutover_at"] == WHEN + timedelta(days=1)
        assert job["notes"] == "cutover on saturday"
        assert job["created_by"] == "tech@example.com"
        assert job["last_evaluation_id"] == projected.evaluations[1]
        assert job["source_server_label"] == "old"

    async def test_job_totals_aggregate_its_mailboxes(self, projected, pg_dsn):
        [job] = await fetch(pg_dsn, "SELECT * FROM migration_jobs")
        assert job["mailbox_count"] == 3
        assert (job["messages_source"], job["messages_dest"]) == (1000, 992)
        assert job["sync_percent"] == Decimal("66.67")

    async def test_updated_at_and_last_event_seq_are_the_latest_event_about_the_job(
        self, projected, pg_dsn
    ):
        [job] = await fetch(pg_dsn, "SELECT * FROM migration_jobs")
        [tracking] = await fetch(pg_dsn, "SELECT * FROM projection_tracking")
        assert job["last_event_seq"] == tracking["last_seq"]
        assert job["updated_at"] == projected.envelopes[-1].occurred_at


class TestMailboxes:
    async def test_each_mailbox_ends_in_the_status_its_runs_earned(self, projected, pg_dsn):
        rows = _by_id(await fetch(pg_dsn, "SELECT * FROM migration_mailboxes"))
        alice, bob, carol = (rows[m] for m in projected.mailbox_ids)
        assert (alice["status"], alice["sync_percent"]) == ("ok", Decimal("100.00"))
        assert (bob["status"], bob["last_error_class"]) == ("error", "auth_failed_source")
        assert bob["sync_percent"] == 0
        assert (carol["status"], carol["quarantine_count"]) == ("ok", 0)

    async def test_a_redelivered_run_started_does_not_reopen_a_finished_sync(
        self, projected, pg_dsn
    ):
        [alice] = await fetch(
            pg_dsn, "SELECT * FROM migration_mailboxes WHERE id = %s", projected.alice
        )
        run = projected.run_id("initial", projected.alice, RunType.INITIAL)
        [row] = await fetch(pg_dsn, "SELECT * FROM migration_runs WHERE id = %s", run)
        assert (row["status"], row["attempt"]) == ("success", 1)
        assert alice["initial_synced_at"] is not None
        assert alice["status"] == "ok"

    async def test_verification_fills_counters_ratio_and_details(self, projected, pg_dsn):
        [alice] = await fetch(
            pg_dsn, "SELECT * FROM migration_mailboxes WHERE id = %s", projected.alice
        )
        assert (alice["messages_source"], alice["messages_dest"]) == (1000, 992)
        assert alice["verify_ratio"] == Decimal("0.9920")
        assert alice["verification"]["folders"][0]["role"] == "inbox"
        assert alice["verified_at"] is not None
        assert (alice["last_run_type"], alice["last_run_status"]) == ("verify", "success")

    async def test_preflight_details_and_failure_class_are_kept(self, projected, pg_dsn):
        rows = _by_id(await fetch(pg_dsn, "SELECT * FROM migration_mailboxes"))
        alice, bob = rows[projected.alice], rows[projected.bob]
        assert alice["preflight"]["ok"] is True
        assert alice["preflight"]["source_folders"][0]["name"] == "INBOX"
        assert bob["preflight"]["ok"] is False
        assert bob["last_error_message"] == "LOGIN failed"

    async def test_credentials_show_as_flags_never_as_references(self, projected, pg_dsn):
        rows = _by_id(await fetch(pg_dsn, "SELECT * FROM migration_mailboxes"))
        carol = rows[projected.carol]
        assert carol["has_target_credentials"] is True
        assert "cred:" not in str(rows)


class TestRuns:
    async def test_a_run_keeps_who_asked_for_it_and_its_attempts(self, projected, pg_dsn):
        run = projected.run_id("initial", projected.bob, RunType.INITIAL)
        [bob] = await fetch(pg_dsn, "SELECT * FROM migration_runs WHERE id = %s", run)
        assert bob["triggered_by"] == "tech@example.com"
        assert (bob["status"], bob["attempt"], bob["exit_code"]) == ("failed", 2, 16)
        assert bob["request_id"] == projected.requests["initial"]
        assert bob["queued_at"] < bob["started_at"] < bob["finished_at"]

    async def test_finished_runs_carry_their_stats(self, projected, pg_dsn):
        run = projected.run_id("initial", projected.alice, RunType.INITIAL)
        [alice] = await fetch(pg_dsn, "SELECT * FROM migration_runs WHERE id = %s", run)
        assert alice["stats"]["transferred"] == 992
        assert alice["tool"] == "imapsync"

    async def test_every_run_of_the_journey_is_there(self, projected, pg_dsn):
        rows = await fetch(pg_dsn, "SELECT run_type, status FROM migration_runs")
        assert sorted((r["run_type"], r["status"]) for r in rows) == [
            ("initial", "failed"),
            ("initial", "success"),
            ("preflight", "failed"),
            ("preflight", "success"),
            ("preflight", "success"),
            ("pst_upload", "partial"),
            ("verify", "success"),
        ]


class TestGateAndFriends:
    async def test_gate_checks_hold_the_latest_evaluation(self, projected, pg_dsn):
        checks = await fetch(pg_dsn, "SELECT * FROM migration_gate_checks ORDER BY check_name")
        assert [(c["check_name"], c["status"]) for c in checks] == [
            ("count_ratio", "pass"),
            ("manual_approval", "pass"),
        ]
        assert {c["evaluation_id"] for c in checks} == {projected.evaluations[1]}
        history = await fetch(pg_dsn, "SELECT * FROM migration_gate_evaluations")
        assert len(history) == 2

    async def test_webhook_attempts_uploads_and_quarantine_are_listed(self, projected, pg_dsn):
        hooks = await fetch(pg_dsn, "SELECT * FROM migration_webhook_deliveries ORDER BY attempt")
        assert [(h["attempt"], h["delivered"]) for h in hooks] == [(1, False), (2, True)]
        [upload] = await fetch(pg_dsn, "SELECT * FROM migration_uploads")
        assert (upload["id"], upload["uploaded_by"]) == (projected.upload, "tech@example.com")
        items = await fetch(pg_dsn, "SELECT * FROM migration_quarantine ORDER BY item_index")
        assert [(i["decision"], i["reviewed_by"]) for i in items] == [
            ("accept", journey.LEAD.user)
        ] * 2

    async def test_requests_record_who_asked(self, projected, pg_dsn):
        rows = await fetch(pg_dsn, "SELECT * FROM migration_requests ORDER BY event_seq")
        assert [(r["request_type"], r["mailbox_count"]) for r in rows] == [
            ("PreflightRequested", None),
            ("SyncRequested", None),
            ("VerifyRequested", 1),
        ]


class TestAudit:
    async def test_people_and_services_are_audited_with_a_summary(self, projected, pg_dsn):
        rows = await fetch(pg_dsn, "SELECT * FROM audit_log ORDER BY seq")
        assert [r["event_type"] for r in rows] == journey.AUDITED_TYPES
        assert all(r["job_id"] == projected.job and r["summary"] for r in rows)
        wizard = rows[-1]
        assert (wizard["actor_kind"], wizard["actor_user"]) == ("service", "provisioning-wizard")
        assert rows[0]["summary"] == "created the migration job for example.com (ticket DESK-42)"
