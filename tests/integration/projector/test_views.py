"""Branches of the views the journey does not take, applied straight through ``apply_batch``."""

import uuid
from typing import Any

import pytest

from mailferry_contracts.common import RunType
from mailferry_contracts.jobs import MailboxSpec
from mailferry_contracts.mailboxes import QuarantineItem
from mailferry_contracts.routing import run_id_for
from mailferry_projector.store import apply_batch
from tests.fixtures.factories import USER
from tests.integration.projector.conftest import LIVE, fetch, items_of
from tests.integration.projector.journey import DISPATCHER, GATE, LEAD, RUNNER, Journey, spec, typed

pytestmark = pytest.mark.integration


class Scenario(Journey):
    """A job with one mailbox, and helpers to write a run's life one event at a time."""

    def __init__(self) -> None:
        super().__init__()
        self.emit(typed("JobCreated", job_id=self.job), USER)
        specs: list[MailboxSpec] = [spec(self.alice, "alice", 1)]
        self.emit(typed("MailboxesImported", import_id=uuid.uuid4(), mailboxes=specs), USER)

    def run(self, run_type: str = "initial") -> uuid.UUID:
        return run_id_for(uuid.uuid4(), self.alice, RunType(run_type))

    def _base(self, run: uuid.UUID, run_type: str) -> dict[str, Any]:
        return {"run_id": run, "job_id": self.job, "mailbox_id": self.alice, "run_type": run_type}

    def queued(self, run, run_type="initial"):
        queued = {"request_id": uuid.uuid4(), "runner_kind": "imap"}
        self.emit(typed("RunQueued", **self._base(run, run_type), **queued), DISPATCHER, run)

    def started(self, run, run_type="initial", **fields):
        self.emit(typed("RunStarted", **self._base(run, run_type), **fields), RUNNER, run)

    def finished(self, run, run_type="initial", **fields):
        self.emit(typed("RunFinished", **self._base(run, run_type), **fields), RUNNER, run)


async def _apply(conn, scenario):
    await apply_batch(conn, LIVE, items_of(scenario.envelopes), 0)


async def _mailbox(dsn, scenario):
    [row] = await fetch(dsn, "SELECT * FROM migration_mailboxes WHERE id = %s", scenario.alice)
    return row


async def _job(dsn, scenario):
    [row] = await fetch(dsn, "SELECT * FROM migration_jobs WHERE id = %s", scenario.job)
    return row


class TestMailboxStatus:
    async def test_a_starting_copy_run_resets_the_percentage_and_a_delta_stamps_its_time(
        self, conn, pg_dsn
    ):
        s = Scenario()
        initial, delta = s.run(), s.run("delta")
        s.started(initial)
        s.finished(initial)
        s.started(delta, "delta")
        await _apply(conn, s)
        mailbox = await _mailbox(pg_dsn, s)
        assert (mailbox["status"], mailbox["sync_percent"]) == ("syncing", 0)
        assert (await _job(pg_dsn, s))["sync_percent"] == 0

    async def test_a_late_outcome_of_an_older_run_does_not_override_a_running_one(
        self, conn, pg_dsn
    ):
        s = Scenario()
        older, newer = s.run(), s.run("delta")
        s.started(older)
        s.started(newer, "delta")
        s.finished(older, status="failed", error_class="timeout")
        await _apply(conn, s)
        mailbox = await _mailbox(pg_dsn, s)
        assert (mailbox["status"], mailbox["sync_run_id"]) == ("syncing", newer)
        assert mailbox["last_error_class"] is None
        assert (mailbox["last_run_id"], mailbox["last_run_status"]) == (newer, "running")

    async def test_a_run_finished_without_earlier_events_still_lands(self, conn, pg_dsn):
        s = Scenario()
        run = s.run()
        s.finished(run)
        await _apply(conn, s)
        mailbox = await _mailbox(pg_dsn, s)
        assert (mailbox["status"], mailbox["last_run_id"]) == ("ok", run)
        [row] = await fetch(pg_dsn, "SELECT status, triggered_by FROM migration_runs")
        assert row == {"status": "success", "triggered_by": RUNNER.user}

    async def test_a_dead_lettered_sync_fails_its_run_and_its_mailbox(self, conn, pg_dsn):
        s = Scenario()
        run = s.run()
        s.queued(run)
        s.started(run)
        s.emit(typed("MailboxDeadLettered", job_id=s.job, run_id=run), DISPATCHER, s.alice)
        await _apply(conn, s)
        mailbox = await _mailbox(pg_dsn, s)
        assert (mailbox["status"], mailbox["last_run_status"]) == ("error", "failed")
        assert mailbox["dead_letter"]["reason"] == "max deliveries"
        [row] = await fetch(pg_dsn, "SELECT status, error_message FROM migration_runs")
        assert row == {"status": "failed", "error_message": "max deliveries"}

    async def test_a_dead_letter_after_the_run_finished_changes_no_outcome(self, conn, pg_dsn):
        s = Scenario()
        run = s.run()
        s.started(run)
        s.finished(run)
        s.emit(typed("MailboxDeadLettered", job_id=s.job, run_id=run), DISPATCHER, s.alice)
        await _apply(conn, s)
        mailbox = await _mailbox(pg_dsn, s)
        assert (mailbox["status"], mailbox["last_run_status"]) == ("ok", "success")
        assert (mailbox["last_error_class"], mailbox["last_error_message"]) == (None, None)
        assert mailbox["dead_letter"] is not None

    async def test_quarantine_after_a_partial_run_then_a_retry_review_is_an_error(
        self, conn, pg_dsn
    ):
        s = Scenario()
        run = s.run("pst_upload")
        s.started(run, "pst_upload")
        s.finished(run, "pst_upload", status="partial")
        item = QuarantineItem(index=0, folder="INBOX", size_bytes=1, reason="over_quota")
        recorded = {"job_id": s.job, "run_id": run, "count": 1, "items": [item]}
        s.emit(typed("QuarantineRecorded", **recorded), RUNNER, s.alice)
        await _apply(conn, s)
        mailbox = await _mailbox(pg_dsn, s)
        assert (mailbox["status"], mailbox["quarantine_count"]) == ("quarantine", 1)
        reviewed = {"job_id": s.job, "run_id": run, "decision": "retry"}
        s.emit(typed("QuarantineReviewed", **reviewed), LEAD, s.alice)
        await apply_batch(conn, LIVE, items_of(s.envelopes), len(s.envelopes) - 1)
        mailbox = await _mailbox(pg_dsn, s)
        assert (mailbox["status"], mailbox["quarantine_count"]) == ("error", 0)

    async def test_secrets_purged_leave_no_credentials_behind(self, conn, pg_dsn):
        s = Scenario()
        s.emit(typed("JobSecretsPurged"), USER)
        await _apply(conn, s)
        mailbox = await _mailbox(pg_dsn, s)
        assert (mailbox["has_source_credentials"], mailbox["has_target_credentials"]) == (
            False,
            False,
        )


class TestJob:
    async def test_failure_remembers_the_phase_and_leaving_failed_forgets_it(self, conn, pg_dsn):
        s = Scenario()
        s.emit(typed("PhaseChanged", from_phase="initial_sync", to_phase="failed"), GATE)
        await _apply(conn, s)
        job = await _job(pg_dsn, s)
        assert (job["phase"], job["phase_before_failure"]) == ("failed", "initial_sync")
        s.emit(typed("PhaseChanged", from_phase="failed", to_phase="initial_sync"), GATE)
        await apply_batch(conn, LIVE, items_of(s.envelopes), len(s.envelopes) - 1)
        job = await _job(pg_dsn, s)
        assert (job["phase"], job["phase_before_failure"]) == ("initial_sync", None)

    async def test_an_invalidated_approval_no_longer_shows_and_an_override_does(self, conn, pg_dsn):
        s = Scenario()
        s.emit(typed("GateApproved"), LEAD)
        s.emit(typed("GateEvaluated", gate="blocked", approval_invalidated=True), GATE)
        await _apply(conn, s)
        job = await _job(pg_dsn, s)
        assert (job["migration_gate"], job["approved_by"]) == ("blocked", None)
        s.emit(typed("GateOverridden"), LEAD)
        await apply_batch(conn, LIVE, items_of(s.envelopes), len(s.envelopes) - 1)
        job = await _job(pg_dsn, s)
        assert (job["migration_gate"], job["approved_by"]) == ("ready_for_dns", LEAD.user)

    async def test_limits_and_closing(self, conn, pg_dsn):
        s = Scenario()
        s.emit(typed("JobLimitsChanged"), USER)
        s.emit(typed("JobClosed"), LEAD)
        await _apply(conn, s)
        job = await _job(pg_dsn, s)
        assert (job["concurrency_limit"], job["per_host_limit"]) == (8, 4)
        assert job["closed_at"] == s.envelopes[-1].occurred_at
