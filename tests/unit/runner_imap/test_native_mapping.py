from mailferry_contracts.common import RunStatus, SyncMode
from mailferry_contracts.mailboxes import FolderVerification
from mailferry_contracts.runs import RunStats, StartSync
from mailferry_imap import FolderSyncResult, LoginResult, SyncReport
from mailferry_imap import PreflightReport as ImapPreflight
from mailferry_imap import VerifyReport as ImapVerify
from mailferry_runner_imap.adapters.native import (
    describe,
    options_for,
    preflight_outcome,
    sync_outcome,
    verify_outcome,
)
from mailferry_runner_imap.engine import Secrets
from tests.fixtures.factories import example


def sync_work(mode: SyncMode) -> StartSync:
    work = example("StartSync")
    assert isinstance(work, StartSync)
    return work.model_copy(update={"mode": mode})


class TestOptions:
    def test_a_final_sync_compares_in_full_and_a_delta_trusts_the_state(self):
        assert options_for(sync_work(SyncMode.FINAL)).trust_state is False
        assert options_for(sync_work(SyncMode.DELTA)).trust_state is True

    def test_the_mailbox_folder_map_wins_over_the_job_map(self):
        work = sync_work(SyncMode.INITIAL)
        work = work.model_copy(
            update={
                "options": work.options.model_copy(update={"folder_map": {"A": "job", "B": "b"}}),
                "folder_map": {"A": "mailbox"},
            }
        )
        assert options_for(work).folder_map == {"A": "mailbox", "B": "b"}

    def test_the_description_names_both_sides_and_no_secret(self):
        work = sync_work(SyncMode.DELTA)
        text = describe(work, "delta sync")
        assert work.source.host in text
        assert work.destination.host in text
        assert "secret" not in text
        assert "secret" not in repr(Secrets("secret", "secret"))


class TestOutcomes:
    def test_a_failed_preflight_keeps_its_class_and_its_folders(self):
        report = ImapPreflight(
            ok=False,
            error_class="over_quota",
            error_message="the destination quota cannot hold it",
            source_login=LoginResult(ok=True),
            destination_login=LoginResult(ok=True),
        )
        outcome = preflight_outcome(report)
        assert (outcome.status, outcome.error_class) == (RunStatus.FAILED, "over_quota")
        assert outcome.preflight is not None
        assert not outcome.preflight.ok

    def test_a_partial_sync_keeps_its_stats(self):
        stats = RunStats(transferred=3, errors=2, folders=1)
        report = SyncReport(status="partial", error_class="append_failed", stats=stats)
        outcome = sync_outcome(report)
        assert (outcome.status, outcome.error_class, outcome.stats) == (
            RunStatus.PARTIAL,
            "append_failed",
            stats,
        )

    def test_a_dry_run_says_what_it_would_copy(self):
        folder = FolderSyncResult(destination="INBOX", sources=["INBOX"], planned=7)
        outcome = sync_outcome(SyncReport(status="success", dry_run=True, folders=[folder]))
        assert outcome.message.startswith("dry run: 7 messages would be copied")

    def test_a_verification_carries_every_folder(self):
        folder = FolderVerification(
            source_folders=["Sent", "Отправленные"],
            destination_folder="Sent Items",
            source_messages=5,
            destination_messages=5,
            role="sent",
        )
        report = ImapVerify(ok=True, folders=[folder], source_bytes=10, destination_bytes=10)
        outcome = verify_outcome(report)
        assert outcome.verification is not None
        assert outcome.verification.folders == [folder]
        assert outcome.verification.source_messages == 5

    def test_a_verification_that_could_not_log_in_fails(self):
        outcome = verify_outcome(ImapVerify(ok=False, error_class="auth_failed_target"))
        assert (outcome.status, outcome.verification) == (RunStatus.FAILED, None)
