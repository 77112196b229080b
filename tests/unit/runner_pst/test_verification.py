from mailferry_contracts.mailboxes import FolderVerification
from mailferry_imap import VerifyReport
from mailferry_runner_pst.comparison import Comparison, FolderVerdict
from mailferry_runner_pst.counts import ItemKind, OutputFile
from mailferry_runner_pst.folders import folder_filter, map_folder
from mailferry_runner_pst.verification import (
    Expectation,
    count_message,
    expected_mail,
    folder_lines,
    pst_expectations,
    shortfalls,
    skipped_folders,
    with_source_names,
)

EVERYTHING = folder_filter([], [])


def verdict(path: str, mail: int, extracted: int, **extra) -> FolderVerdict:
    parts = tuple(path.split("/")) if path else ()
    return FolderVerdict(
        path=parts, pst_names=parts, expected_total=mail,
        expected={ItemKind.MAIL: mail}, extracted={OutputFile.MBOX: extracted}, **extra,
    )  # fmt: skip


def expectations(*verdicts: FolderVerdict, folder_map=None, wanted=EVERYTHING):
    comparison = Comparison("partial", verdicts)
    found = pst_expectations(comparison, folder_map or {}, wanted, include_deleted=False)
    return {local: (e.names, e.messages) for local, e in found.items()}


class TestExpectedMail:
    def test_the_independent_count_wins_over_a_short_extraction(self):
        assert expected_mail(verdict("Inbox", 12, 5)) == 12

    def test_more_extracted_than_counted_is_expected_too(self):
        assert expected_mail(verdict("Inbox", 3, 5)) == 5

    def test_items_of_unreadable_type_left_unaccounted_are_expected_as_mail(self):
        unknown = verdict("Inbox", 3, 3, missing={ItemKind.UNKNOWN: 2})
        assert expected_mail(unknown) == 5


class TestPstExpectations:
    def test_folders_map_like_the_messages_do_and_share_a_target(self):
        found = expectations(
            verdict("Inbox", 8, 8), verdict("Sent Items", 6, 6),
            verdict("Sent Messages", 2, 2), verdict("Inbox/sub1", 25, 25),
        )  # fmt: skip
        assert found == {
            "INBOX": (["Inbox"], 8),
            "Sent": (["Sent Items", "Sent Messages"], 8),
            "INBOX/sub1": (["Inbox/sub1"], 25),
        }

    def test_excluded_empty_and_unwanted_folders_expect_nothing(self):
        found = expectations(
            verdict("Deleted Items", 14, 0, excluded="not requested"), verdict("Calendar", 0, 0),
            verdict("Junk E-mail", 3, 3), verdict("Inbox", 1, 1),
            wanted=folder_filter(["Junk E-mail"], []),
        )  # fmt: skip
        assert found == {"INBOX": (["Inbox"], 1)}

    def test_a_localised_deleted_items_folder_left_out_is_said(self):
        verdicts = (
            verdict("Deleted Items", 14, 0, excluded="not requested"),
            verdict("Gelöschte Elemente", 7, 7), verdict("Posta eliminata", 0, 0),
            verdict("Inbox", 1, 1),
        )  # fmt: skip
        lines = skipped_folders(verdicts, {}, EVERYTHING, include_deleted=False)
        assert lines == [
            "Gelöschte Elemente: 7 messages not imported: deleted items were not requested"
        ]
        assert skipped_folders(verdicts, {}, EVERYTHING, include_deleted=True) == []
        mapped = {"Gelöschte Elemente": "Old trash"}
        assert skipped_folders(verdicts, mapped, EVERYTHING, include_deleted=False) == []

    def test_the_folder_map_applies(self):
        assert expectations(verdict("Inbox", 2, 2), folder_map={"Inbox": "Old/In"}) == {
            "Old/In": (["Inbox"], 2)
        }


class TestCountMessage:
    def test_messages_of_a_file_are_tallied_per_target(self):
        found: dict[str, Expectation] = {}
        for path in [(), ("Entwürfe",), ("Entwürfe",)]:
            count_message(found, map_folder(path))
        assert {k: (e.names, e.messages) for k, e in found.items()} == {
            "INBOX": (["(top)"], 1),
            "Drafts": (["Entwürfe"], 2),
        }


def report(*folders: FolderVerification) -> VerifyReport:
    return VerifyReport(ok=True, folders=list(folders))


def folder(sources: list[str], destination: str, source: int, there: int) -> FolderVerification:
    return FolderVerification(
        source_folders=sources, destination_folder=destination, source_messages=source,
        destination_messages=there,
    )  # fmt: skip


class TestReports:
    def test_local_folders_are_renamed_to_the_upload_s_names(self):
        found = {"Sent": Expectation(["Sent Items", "Sent Messages"], 8)}
        renamed = with_source_names(report(folder(["Sent", "Other"], "Sent Items", 8, 8)), found)
        assert renamed.folders[0].source_folders == ["Sent Items", "Sent Messages", "Other"]

    def test_only_short_folders_are_named_with_their_numbers(self):
        folders = [folder(["Inbox"], "INBOX", 12, 5), folder(["Sent Items"], "Sent Items", 6, 6)]
        assert shortfalls(folders) == [
            "Inbox -> INBOX: expected 12, at the destination 5, missing 7"
        ]
        assert folder_lines(folders)[1] == "Sent Items -> Sent Items: 6 expected / 6 there"
