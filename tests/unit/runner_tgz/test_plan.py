import io

from mailferry_runner_tgz.archive import read_messages
from mailferry_runner_tgz.folders import DRAFTS, INBOX, SENT, FolderKind
from mailferry_runner_tgz.plan import FolderPlan, SkippedFolder, imap_plan
from tests.fixtures.tgz_generator import sample_mailbox


def sample_plan():
    buffer = io.BytesIO()
    sample_mailbox(buffer)
    return imap_plan(read_messages(io.BytesIO(buffer.getvalue()))[1])


def test_mail_folders_map_to_imap_with_expected_counts_empty_ones_included():
    plan = sample_plan()
    rows = {f.source: f for f in plan.folders}
    assert rows["/Inbox"] == FolderPlan("/Inbox", "INBOX", INBOX, 6, 0)
    assert rows["/Sent"] == FolderPlan("/Sent", "Sent", SENT, 2, 1)
    assert rows["/Drafts"].special_use == DRAFTS
    assert rows["/Inbox/Projects"] == FolderPlan("/Inbox/Projects", "INBOX/Projects", None, 3, 2)
    assert rows["/Inbox/Bulk"].expected == 520
    assert [f.source for f in plan.folders] == sorted(rows, key=lambda s: tuple(s.split("/")))
    assert plan.total == 536 - 3


def test_non_mail_folders_are_set_apart_with_their_items():
    skipped = {f.source: f for f in sample_plan().skipped}
    assert skipped == {
        "/Briefcase": SkippedFolder("/Briefcase", FolderKind.BRIEFCASE, {"documents": 1}),
        "/Calendar": SkippedFolder("/Calendar", FolderKind.CALENDAR, {"appointments": 1}),
        "/Contacts": SkippedFolder("/Contacts", FolderKind.CONTACTS, {"contacts": 4}),
        "/Emailed Contacts": SkippedFolder(
            "/Emailed Contacts", FolderKind.CONTACTS, {"contacts": 1}
        ),
        "/Tasks": SkippedFolder("/Tasks", FolderKind.TASKS, {"tasks": 1}),
    }
