import pytest

from mailferry_runner_tgz.folders import (
    DRAFTS,
    INBOX,
    JUNK,
    SENT,
    TRASH,
    FolderKind,
    ImapTarget,
    folder_kind,
    imap_target,
    listed_kind,
    zimbra_path,
)


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ((), ImapTarget("INBOX", INBOX)),
        (("Inbox",), ImapTarget("INBOX", INBOX)),
        (("Inbox", "Projects", "2024"), ImapTarget("INBOX/Projects/2024")),
        (("Sent",), ImapTarget("Sent", SENT)),
        (("Sent", "Old"), ImapTarget("Sent/Old")),
        (("Drafts",), ImapTarget("Drafts", DRAFTS)),
        (("Junk",), ImapTarget("Junk", JUNK)),
        (("Trash",), ImapTarget("Trash", TRASH)),
        (("Archive", "Sent"), ImapTarget("Archive/Sent")),
        (("Ärger 日本",), ImapTarget("Ärger 日本")),
        (("Q3: *plan*?",), ImapTarget("Q3: *plan*?")),
    ],
    ids=str,
)
def test_imap_target(path, target):
    assert imap_target(path) == target


@pytest.mark.parametrize(
    ("path", "zimbra_id", "view", "kind"),
    [
        (("Contacts",), None, None, FolderKind.CONTACTS),
        (("Emailed Contacts",), None, None, FolderKind.CONTACTS),
        (("Calendar",), None, None, FolderKind.CALENDAR),
        (("Tasks",), None, None, FolderKind.TASKS),
        (("Briefcase",), None, None, FolderKind.BRIEFCASE),
        (("Inbox",), 2, 5, FolderKind.MAIL),
        (("Trash",), 3, 4, FolderKind.MAIL),
        (("Kontakte",), 13, None, FolderKind.CONTACTS),
        (("Work calendar",), 300, 11, FolderKind.CALENDAR),
        (("Shared docs",), 301, 8, FolderKind.BRIEFCASE),
        (("Inbox", "Contacts"), None, None, FolderKind.MAIL),
        (("Projects",), None, None, FolderKind.MAIL),
    ],
    ids=str,
)
def test_folder_kind(path, zimbra_id, view, kind):
    assert folder_kind(path, zimbra_id, view) == kind


def test_zimbra_path():
    assert zimbra_path(()) == "/"
    assert zimbra_path(("Inbox", "Sub")) == "/Inbox/Sub"


@pytest.mark.parametrize(
    ("path", "view", "kind"),
    [
        (("Inbox",), "conv", FolderKind.MAIL),
        (("Kontakte",), "cont", FolderKind.CONTACTS),
        (("Termine",), "appo", FolderKind.CALENDAR),
        (("Todo",), "task", FolderKind.TASKS),
        (("Files",), "docu", FolderKind.BRIEFCASE),
        (("Contacts",), "mess", FolderKind.CONTACTS),  # a system name wins over a wrong view
        (("Projects",), "unkn", FolderKind.MAIL),
    ],
)
def test_listed_kind(path, view, kind):
    assert listed_kind(path, view) == kind
