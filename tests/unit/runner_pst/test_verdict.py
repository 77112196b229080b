from mailferry_contracts.common import RunStatus
from mailferry_contracts.mailboxes import FolderVerification
from mailferry_contracts.runs import RunStats
from mailferry_imap import BytesMessage, RejectedMessage, UploadReport, VerifyReport
from mailferry_imap.reports import FolderSyncResult
from mailferry_runner_pst.outcome import ExtractionOutcome
from mailferry_runner_pst.quarantine import QuarantineEntry, unreadable
from mailferry_runner_pst.verdict import (
    MESSAGE_LIMIT,
    ImportFindings,
    Verdict,
    judge_import,
    judge_verification,
    stop_class,
)

FULL = VerifyReport(
    ok=True,
    folders=[
        FolderVerification(
            source_folders=["Inbox"],
            destination_folder="INBOX",
            source_messages=3,
            destination_messages=3,
        )
    ],
    source_messages=3,
    destination_messages=3,
)
SHORT = FULL.model_copy(
    update={
        "folders": [FULL.folders[0].model_copy(update={"destination_messages": 1})],
        "destination_messages": 1,
    }
)


def uploaded(transferred: int = 3, **changes) -> UploadReport:
    values = {"status": "success", "stats": RunStats(transferred=transferred), **changes}
    return UploadReport(**values)


def rejected(error_class: str) -> RejectedMessage:
    return RejectedMessage(BytesMessage("INBOX", b"x"), "INBOX", error_class, "NO")


def over_quota() -> QuarantineEntry:
    return QuarantineEntry("INBOX", "over_quota", "NO [OVERQUOTA]", "m#1", b"x", 1)


def judge(upload=None, quarantined=(), verification=FULL, extraction=None, notes=()) -> Verdict:
    findings = ImportFindings(
        extraction, upload or uploaded(), list(quarantined), verification, list(notes)
    )
    return judge_import(findings)


class TestJudgeImport:
    def test_everything_there_is_success_with_the_summary(self):
        verdict = judge(notes=["Folder: 1 post not importable by readpst"])
        assert (verdict.status, verdict.error_class) == (RunStatus.SUCCESS, None)
        assert verdict.message == (
            "uploaded 3, already there 0; Folder: 1 post not importable by readpst"
        )

    def test_quarantined_messages_make_it_partial_with_their_reason(self):
        upload = uploaded(1, status="partial", error_class="over_quota",
                          rejected=[rejected("over_quota")] * 2)  # fmt: skip
        quarantined = [over_quota(), over_quota(), unreadable("INBOX", "m#9", "too big", 9)]
        verdict = judge(upload, quarantined, SHORT)
        assert (verdict.status, verdict.error_class) == (RunStatus.PARTIAL, "over_quota")
        assert verdict.lines[0] == (
            "uploaded 1, already there 0, in quarantine 3 (2 over_quota, 1 file_unreadable)"
        )
        assert verdict.lines[1] == "Inbox -> INBOX: expected 3, at the destination 1, missing 2"

    def test_a_short_extraction_is_partial_even_when_every_extracted_message_arrived(self):
        extraction = ExtractionOutcome("partial", "partial", "readpst did not extract everything")
        verdict = judge(extraction=extraction)
        assert (verdict.status, verdict.error_class) == (RunStatus.PARTIAL, "partial")
        assert verdict.lines[0] == "readpst did not extract everything"

    def test_a_lost_connection_fails_so_the_run_is_tried_again(self):
        upload = uploaded(2, status="partial", error_class="connection_failed",
                          error_message="connection to destination lost")  # fmt: skip
        verdict = judge(upload, verification=None)
        assert (verdict.status, verdict.error_class) == (RunStatus.FAILED, "connection_failed")
        assert verdict.message == "connection to destination lost"

    def test_a_destination_that_cannot_be_counted_fails(self):
        broken = VerifyReport(ok=False, error_class="timeout", error_message="no answer")
        verdict = judge(verification=broken)
        assert (verdict.status, verdict.error_class) == (RunStatus.FAILED, "timeout")

    def test_a_dry_run_says_what_it_would_upload(self):
        folders = [FolderSyncResult(destination="INBOX", sources=["INBOX"], planned=7)]
        verdict = judge(uploaded(0, dry_run=True, folders=folders), verification=None)
        assert (verdict.status, verdict.message) == (
            RunStatus.SUCCESS, "dry run: 7 would be uploaded",
        )  # fmt: skip

    def test_the_message_is_cut_to_the_limit(self):
        verdict = judge(notes=["x" * 3000, "y" * 3000])
        assert len(verdict.message) == MESSAGE_LIMIT
        assert verdict.message.endswith("...")


class TestStopClass:
    def test_refused_messages_do_not_stop_the_upload(self):
        upload = uploaded(status="partial", error_class="over_quota",
                          rejected=[rejected("over_quota")])  # fmt: skip
        assert stop_class(upload) is None

    def test_an_error_no_message_carries_stopped_it(self):
        assert stop_class(uploaded(0, status="failed", error_class="auth_failed_target")) == (
            "auth_failed_target"
        )


class TestJudgeVerification:
    def test_complete_is_success_short_is_partial(self):
        assert judge_verification(FULL, None).status == RunStatus.SUCCESS
        short = judge_verification(SHORT, None)
        assert (short.status, short.error_class) == (RunStatus.PARTIAL, "partial")
        assert short.lines[0] == "1 of 3 expected messages there"
