"""The classifier on every real imapsync log in tests/data/imapsync (exit code from results.tsv)."""

import csv
from pathlib import Path

import pytest

from mailferry_contracts.runs import RunStats
from mailferry_runner_imap.summary import summarize
from mailferry_runner_imap.sync import (
    Step,
    classify,
    normalize_exit,
    preflight_report,
    verify_report,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "imapsync"
EXIT = {r[0]: int(r[1]) for r in csv.reader((DATA / "results.tsv").open(), delimiter="\t")}


def _summary(name: str):
    return summarize((DATA / f"{name}.log").read_text(encoding="utf-8").splitlines())


def _stats(t, s, f, b, d, n):
    return RunStats(transferred=t, skipped=s, folders=f, bytes=b, duplicates=d, no_message_id=n)


# name: (step, status, error class, stats or None = unknown)
EXPECTED = {
    "a0_initial_with_foldersizes": (Step.SYNC, "success", None, _stats(293, 7, 18, 17172884, 3, 4)),
    "a_initial": (Step.SYNC, "success", None, _stats(293, 7, 18, 17172884, 3, 4)),
    "b_noop_delta_passfile": (Step.SYNC, "success", None, _stats(0, 300, 18, 0, 3, 4)),
    "c_delta_50new": (Step.SYNC, "success", None, _stats(48, 302, 18, 3631654, 4, 5)),
    "c2_delta_addheader": (Step.SYNC, "success", None, _stats(5, 345, 18, 56132, 4, 0)),
    "d_justlogin": (Step.LOGIN, "success", None, None),
    "e_authfail_host1": (Step.SYNC, "failed", "auth_failed_source", None),
    "f_authfail_host2": (Step.SYNC, "failed", "auth_failed_target", None),
    "g_connrefused_host2": (Step.SYNC, "failed", "connection_failed", None),
    "g1_connrefused_host1": (Step.SYNC, "failed", "connection_failed", None),
    "h_overquota": (Step.SYNC, "failed", "over_quota", None),
    "i_dry": (Step.SYNC, "success", None, _stats(0, 5, 18, 0, 2, 3)),
    "j_justfolders": (Step.SYNC, "success", None, _stats(0, 0, 18, 0, 0, 0)),
    "k1_exclude_trash": (Step.SYNC, "success", None, _stats(277, 7, 17, 16048409, 3, 4)),
    "k2_folder_inbox_exclude_trash": (Step.SYNC, "success", None, _stats(108, 3, 1, 7980463, 1, 2)),
    "l_debugimap_justlogin": (Step.LOGIN, "success", None, None),
    "n_sigterm_midsync": (Step.SYNC, "failed", "cancelled", _stats(1271, 62, 10, 64886834, 22, 40)),
}


def test_every_fixture_log_has_an_expectation():
    assert set(EXIT) == set(EXPECTED)


class TestClassify:
    @pytest.mark.parametrize("name", sorted(EXPECTED), ids=sorted(EXPECTED))
    def test_fixture_log_gives_the_right_outcome_class_and_stats(self, name):
        step, status, error_class, stats = EXPECTED[name]
        verdict = classify(step, EXIT[name], _summary(name))
        assert (verdict.status, verdict.error_class, verdict.stats) == (status, error_class, stats)

    def test_sigterm_seen_by_asyncio_as_minus_15_is_cancelled(self):
        verdict = classify(Step.SYNC, -15, _summary("n_sigterm_midsync"))
        assert verdict.error_class == "cancelled"
        assert normalize_exit(-15) == 143

    def test_exit_0_without_statistics_is_never_success(self):
        verdict = classify(Step.SYNC, 0, _summary("d_justlogin"))
        assert (verdict.status, verdict.stats) == ("failed", None)
        assert "counts unknown" in verdict.message

    def test_exit_11x_with_some_folders_synced_is_partial(self):
        verdict = classify(Step.SYNC, 114, _summary("n_sigterm_midsync").__class__())
        assert verdict.status == "failed"  # no statistics: nothing is known to be synced
        summary = _summary("k1_exclude_trash")
        summary.exit_value = 114
        assert classify(Step.SYNC, 114, summary).status == "partial"
        assert classify(Step.SYNC, 114, summary).error_class == "append_failed"

    @pytest.mark.parametrize(
        ("code", "error_class"),
        [(10, "connection_failed"), (12, "tls_failed"), (64, "invalid_input"), (1, "internal")],
        ids=["10", "12", "64", "1"],
    )
    def test_exit_codes_without_statistics_map_to_classes(self, code, error_class):
        verdict = classify(Step.SYNC, code, _summary("g_connrefused_host2").__class__())
        assert (verdict.status, verdict.error_class) == ("failed", error_class)

    def test_a_missing_binary_is_tool_missing(self):
        assert classify(Step.SYNC, None, _summary("a_initial")).error_class == "tool_missing"

    def test_success_reports_unidentified_messages_and_duplicates(self):
        verdict = classify(Step.SYNC, 0, _summary("a_initial"))
        assert "4 messages without Message-ID" in verdict.message
        assert "3 duplicate" in verdict.message

    def test_over_quota_message_keeps_no_subject(self):
        verdict = classify(Step.SYNC, 113, _summary("h_overquota"))
        assert "Subject" not in verdict.message
        assert "ERR_OVERQUOTA" in verdict.message


class TestReports:
    def test_verify_report_sums_merged_source_folders_per_destination_folder(self):
        report = verify_report(_summary("a0_initial_with_foldersizes"))
        sent = next(f for f in report.folders if f.destination_folder == "Sent Items")
        assert sorted(sent.source_folders) == ["Sent", "Отправленные"]
        assert (sent.source_messages, sent.role) == (55, "sent")
        assert report.source_messages == 300
        inbox = next(f for f in report.folders if f.destination_folder == "INBOX")
        assert (inbox.source_messages, inbox.role) == (111, "inbox")

    def test_preflight_report_has_source_folders_and_the_quota(self):
        report = preflight_report(_summary("a0_initial_with_foldersizes"), ok=True)
        assert len(report.source_folders) == 18
        assert sum(f.messages for f in report.source_folders) == 300
        assert report.destination_quota is not None
        assert report.destination_quota.limit_bytes is None  # "Limit is 0 bytes" = no quota

    def test_quota_limit_is_read(self):
        assert _summary("h_overquota").quota == (0, 5242880)
