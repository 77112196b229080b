"""Verdicts: per folder, archive counts against what the destination holds afterwards."""

from mailferry_runner_tgz.inventory import Inventory, Problem
from mailferry_runner_tgz.items import ItemType
from mailferry_runner_tgz.outcome import FolderOutcome, imap_outcome, zimbra_outcome


def inventory(**folders: int) -> Inventory:
    """``inventory(Inbox=3, Sent=1)``; ``__`` in a name is a ``/``."""
    made = Inventory(with_meta=True)
    for name, messages in folders.items():
        path = tuple(name.split("__"))
        made.folder(path)
        for _ in range(messages):
            made.count(path, ItemType.MESSAGE)
    return made


class TestImapOutcome:
    def test_everything_there_is_ok(self):
        outcome = imap_outcome(
            inventory(Inbox=3, Sent=1, Inbox__Sub=2), {"INBOX": 3, "Sent": 1, "INBOX/Sub": 2}
        )
        assert (outcome.status, outcome.error_class) == ("ok", None)
        assert outcome.message == "6/6 messages at the destination in 3 folder(s)"
        assert [f.line() for f in outcome.folders] == [
            "/Inbox -> INBOX: 3/3 (complete)",
            "/Inbox/Sub -> INBOX/Sub: 2/2 (complete)",
            "/Sent -> Sent: 1/1 (complete)",
        ]

    def test_more_at_the_destination_than_in_the_archive_is_still_ok(self):
        assert imap_outcome(inventory(Inbox=3), {"INBOX": 10}).status == "ok"

    def test_a_short_folder_is_partial_naming_it(self):
        outcome = imap_outcome(inventory(Inbox=3, Sent=2), {"INBOX": 3, "Sent": 1})
        assert (outcome.status, outcome.error_class) == ("partial", "partial")
        assert outcome.message == "1 of 5 messages missing at the destination in 1 folder(s)"
        assert [f.source for f in outcome.folders if f.missing] == ["/Sent"]

    def test_refused_messages_are_said_to_be_refused(self):
        made = inventory(Inbox=3)
        made.refuse(made.folders[("Inbox",)], "Inbox/x.eml", "MISMATCHED_SIZE", "sizes differ")
        outcome = imap_outcome(made, {"INBOX": 2})
        assert outcome.status == "partial"
        assert "1 refused while reading the archive" in outcome.message
        assert "Inbox/x.eml: MISMATCHED_SIZE (sizes differ)" in outcome.lines()

    def test_nothing_arrived_is_failed(self):
        outcome = imap_outcome(inventory(Inbox=3), {})
        assert (outcome.status, outcome.error_class) == ("failed", "append_failed")

    def test_a_truncated_archive_is_never_ok(self):
        made = inventory(Inbox=3)
        made.stopped = "the archive ends early after 9 entries (EOFError)"
        outcome = imap_outcome(made, {"INBOX": 3})
        assert (outcome.status, outcome.error_class) == ("partial", "file_unreadable")
        assert outcome.message.startswith("the archive ends early after 9 entries")
        assert "export it again" in outcome.message

    def test_a_truncated_archive_with_nothing_arrived_is_failed(self):
        made = inventory(Inbox=3)
        made.stopped = "cut"
        assert imap_outcome(made, {}).status == "failed"

    def test_an_unreadable_archive_is_failed(self):
        made = Inventory(unreadable="not a readable TGZ archive (ReadError: empty file)")
        outcome = imap_outcome(made, {})
        assert (outcome.status, outcome.error_class) == ("failed", "file_unreadable")
        assert outcome.folders == ()

    def test_non_mail_folders_are_not_listed_but_their_items_are_reported(self):
        made = inventory(Inbox=1, Contacts=0, Calendar=0)
        made.count(("Contacts",), ItemType.CONTACT)
        made.count(("Calendar",), ItemType.APPOINTMENT)
        outcome = imap_outcome(made, {"INBOX": 1})
        assert outcome.status == "ok"
        assert [f.source for f in outcome.folders] == ["/Inbox"]
        assert (
            outcome.lines()[-1] == "not mail, kept in the archive only: 1 appointments, 1 contacts"
        )

    def test_empty_mail_folders_are_listed(self):
        outcome = imap_outcome(inventory(Inbox=0, Junk=0), {})
        assert outcome.status == "ok"
        assert [f.line() for f in outcome.folders] == [
            "/Inbox -> INBOX: 0/0 (complete)",
            "/Junk -> Junk: 0/0 (complete)",
        ]

    def test_problem_lines_are_capped(self):
        made = inventory(Inbox=1)
        made.problems.extend(Problem(f"e{n}", "MISSING_META", "x") for n in range(60))
        lines = imap_outcome(made, {"INBOX": 1}).lines()
        assert lines[-1] == "... and 10 more problems"


class TestZimbraOutcome:
    def test_every_item_type_is_compared_case_insensitively(self):
        made = inventory(Inbox=2)
        made.count(("Contacts",), ItemType.CONTACT)
        outcome = zimbra_outcome(made, {"/inbox": 2, "/Contacts": 1, "/": 0})
        assert outcome.status == "ok"
        assert [(f.source, f.target) for f in outcome.folders] == [
            ("/Contacts", "/Contacts"),
            ("/Inbox", "/Inbox"),
        ]

    def test_a_folder_missing_at_the_destination_is_partial(self):
        outcome = zimbra_outcome(inventory(Inbox=2, Sent=1), {"/Inbox": 2})
        assert outcome.status == "partial"
        assert outcome.message == "1 of 3 items missing at the destination in 1 folder(s)"


def test_folder_outcome_line_with_refused():
    line = FolderOutcome("/Sent", "Sent", expected=2, found=1, refused=1).line()
    assert line == "/Sent -> Sent: 1/2 (1 missing, 1 refused by the reader)"


def test_imap_outcome_names_the_real_destination_folders():
    outcome = imap_outcome(inventory(Sent=1), {"Sent": 1}, {"Sent": "Sent Items"})
    assert [f.line() for f in outcome.folders] == ["/Sent -> Sent Items: 1/1 (complete)"]


def test_imap_outcome_does_not_judge_excluded_folders():
    outcome = imap_outcome(inventory(Inbox=1, Junk=4), {"INBOX": 1}, excluded={"Junk"})
    assert outcome.status == "ok"
    assert [f.source for f in outcome.folders] == ["/Inbox"]
