from decimal import Decimal

import pytest

from mailferry_contracts.common import MailboxStatus, RunStatus, RunType
from mailferry_projector.mailbox_status import (
    outcome_of,
    status_after_review,
    status_when_started,
    verify_ratio,
)


class TestStatusWhenStarted:
    @pytest.mark.parametrize(
        "run_type",
        [RunType.INITIAL, RunType.DELTA, RunType.FINAL, RunType.PST_UPLOAD, RunType.TGZ_IMPORT],
        ids=str,
    )
    def test_a_copy_run_makes_the_mailbox_syncing(self, run_type):
        assert status_when_started(run_type) == MailboxStatus.SYNCING

    @pytest.mark.parametrize(
        "run_type", [RunType.PREFLIGHT, RunType.VERIFY, RunType.PST_EXTRACT], ids=str
    )
    def test_other_runs_leave_the_status_alone(self, run_type):
        assert status_when_started(run_type) is None


class TestOutcomeOf:
    def test_a_successful_initial_sync_is_ok_complete_and_clears_the_error(self):
        outcome = outcome_of(RunType.INITIAL, RunStatus.SUCCESS, None, "")
        assert outcome.status == MailboxStatus.OK
        assert (outcome.sync_percent, outcome.clear_error) == (100, True)
        assert outcome.synced_column == "initial_synced_at"
        assert outcome.quarantine_wins

    @pytest.mark.parametrize("run_type", [RunType.DELTA, RunType.FINAL], ids=str)
    def test_a_successful_delta_or_final_stamps_the_delta_time(self, run_type):
        assert outcome_of(run_type, RunStatus.SUCCESS, None, "").synced_column == (
            "delta_synced_at"
        )

    def test_a_partial_pst_import_is_an_error_unless_quarantine_explains_it(self):
        outcome = outcome_of(RunType.PST_UPLOAD, RunStatus.PARTIAL, None, "2 rejected")
        assert (outcome.status, outcome.quarantine_wins) == (MailboxStatus.ERROR, True)
        assert (outcome.error_class, outcome.error_message) == ("partial", "2 rejected")
        assert outcome.synced_column == "initial_synced_at"

    def test_a_failed_copy_run_is_an_error_even_with_quarantine(self):
        outcome = outcome_of(RunType.DELTA, RunStatus.FAILED, "over_quota", "full")
        assert (outcome.status, outcome.quarantine_wins) == (MailboxStatus.ERROR, False)
        assert (outcome.error_class, outcome.sync_percent) == ("over_quota", None)

    def test_a_failed_preflight_records_the_error_without_changing_the_status(self):
        outcome = outcome_of(RunType.PREFLIGHT, RunStatus.FAILED, "auth_failed_source", "no")
        assert outcome.status is None
        assert outcome.error_class == "auth_failed_source"

    def test_a_failed_extraction_blocks_the_mailbox(self):
        outcome = outcome_of(RunType.PST_EXTRACT, RunStatus.FAILED, None, "bad file")
        assert (outcome.status, outcome.error_class) == (MailboxStatus.ERROR, "internal")

    @pytest.mark.parametrize("run_type", [RunType.VERIFY, RunType.PREFLIGHT], ids=str)
    def test_a_successful_check_run_changes_nothing(self, run_type):
        outcome = outcome_of(run_type, RunStatus.SUCCESS, None, "")
        assert (outcome.status, outcome.error_class, outcome.clear_error) == (None, None, False)


class TestReviewAndRatio:
    def test_accepting_the_quarantine_makes_the_mailbox_ok_and_retry_an_error(self):
        assert status_after_review("accept") == MailboxStatus.OK
        assert status_after_review("retry") == MailboxStatus.ERROR

    @pytest.mark.parametrize(
        ("source", "dest", "ratio"),
        [(1000, 992, "0.9920"), (0, 0, "1"), (3, 2, "0.6667"), (1, 10**9, "999.9999")],
        ids=["normal", "empty-source", "rounded", "capped"],
    )
    def test_verify_ratio(self, source, dest, ratio):
        assert verify_ratio(source, dest) == Decimal(ratio)
