from mailferry_runner_pst.counts import (
    CountUnavailable,
    FolderCount,
    ItemKind,
    OutputFile,
    StoreCount,
)
from mailferry_runner_pst.extraction import ExitVerdict, ExtractedFolder, ExtractedStore
from mailferry_runner_pst.outcome import decide, not_supported

OK = ExitVerdict(None, "readpst finished")
STORE = StoreCount(
    "Outlook", False, "unicode", True, (FolderCount(("Inbox",), 1, {ItemKind.MAIL: 1}),)
)
OUT = ExtractedStore("Outlook", (ExtractedFolder(("Inbox",), {OutputFile.MBOX: 1}),))


class TestDecide:
    def test_complete_extraction_is_ok_and_reports_the_password(self):
        outcome = decide(STORE, OK, OUT, include_deleted=False)
        assert (outcome.status, outcome.error_class) == ("ok", None)
        assert outcome.password_protected

    def test_a_readpst_error_wins(self):
        verdict = ExitVerdict("file_unreadable", "damaged")
        outcome = decide(STORE, verdict, ExtractedStore(None), include_deleted=False)
        assert (outcome.status, outcome.error_class, outcome.message) == (
            "failed",
            "file_unreadable",
            "damaged",
        )

    def test_without_an_independent_count_the_result_is_partial(self):
        outcome = decide(CountUnavailable("4K-page file"), OK, OUT, include_deleted=False)
        assert (outcome.status, outcome.error_class) == ("partial", "partial")
        assert "1 messages that cannot be checked" in outcome.message

    def test_not_a_pst(self):
        outcome = not_supported(CountUnavailable("no header", not_a_pst=True))
        assert (outcome.status, outcome.error_class) == ("failed", "file_not_supported")
