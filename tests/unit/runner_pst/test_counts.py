import pytest

from mailferry_runner_pst.counts import FolderCount, ItemKind, StoreCount, classify

CLASSES = [
    ("IPM.Note", ItemKind.MAIL),
    ("ipm.note.SMIME.MultipartSigned", ItemKind.MAIL),
    ("IPM", ItemKind.MAIL),
    ("REPORT.IPM.Note.NDR", ItemKind.MAIL),
    ("IPM.Schedule.Meeting.Request", ItemKind.MAIL),
    ("IPM.Appointment", ItemKind.APPOINTMENT),
    ("IPM.Contact", ItemKind.CONTACT),
    ("IPM.DistList", ItemKind.DISTRIBUTION_LIST),
    ("IPM.Activity", ItemKind.JOURNAL),
    ("IPM.Post", ItemKind.POST),
    ("IPM.Post.RSS", ItemKind.POST),
    ("IPM.Task", ItemKind.TASK),
    ("IPM.StickyNote", ItemKind.STICKY_NOTE),
    ("IPM.Configuration.Autocomplete", ItemKind.OTHER),
    ("", ItemKind.OTHER),
    (None, ItemKind.UNKNOWN),
]


class TestClassify:
    @pytest.mark.parametrize(("message_class", "kind"), CLASSES, ids=[str(c[0]) for c in CLASSES])
    def test_kind_follows_libpst_prefixes(self, message_class, kind):
        assert classify(message_class) is kind


class TestStoreCount:
    def test_an_unreadable_folder_makes_the_count_incomplete(self):
        store = StoreCount("s", False, "unicode", False, (FolderCount(("Inbox",), None),))
        assert not store.complete

    def test_a_store_problem_makes_the_count_incomplete(self):
        folder = FolderCount(("Inbox",), 3, {ItemKind.MAIL: 3})
        assert not StoreCount("s", False, "unicode", False, (folder,), ("index damaged",)).complete
        assert StoreCount("s", False, "unicode", False, (folder,)).complete
