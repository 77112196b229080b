"""The independent count, read straight from every fixture (numbers from the fixture README)."""

import pytest

from mailferry_runner_pst.adapters.pst_counter import count_items
from mailferry_runner_pst.counts import CountUnavailable, ItemKind, StoreCount

from .conftest import pst

pytestmark = pytest.mark.integration

MAIL, APPT, CONTACT = ItemKind.MAIL, ItemKind.APPOINTMENT, ItemKind.CONTACT
POST, DIST, UNKNOWN = ItemKind.POST, ItemKind.DISTRIBUTION_LIST, ItemKind.UNKNOWN

OST_FOLDERS = {
    ("Deleted Items",): {MAIL: 6, APPT: 4},
    ("Inbox",): {MAIL: 12},
    ("Inbox", "sub1"): {MAIL: 25},
    ("Inbox", "sub2"): {MAIL: 29},
    ("Sent Items",): {MAIL: 6},
    ("Calendar",): {APPT: 1},
    ("Sync Issues",): {MAIL: 9},
}
TEST_PART1 = {("Sent Items",): {MAIL: 31}, ("Calendar",): {APPT: 9}, ("Contacts",): {CONTACT: 21}}

# fixture, store display name, password-protected, complete, non-empty folders -> kinds
CASES = [
    ("aspose-Outlook.pst", "Outlook", False, True,
     {("Inbox",): {MAIL: 8}, ("Sent Items",): {MAIL: 6}, ("Calendar",): {APPT: 1},
      ("Contacts",): {CONTACT: 1}}),
    ("aspose-SampleContacts.pst", "Personal folders", False, True, {("Contacts",): {CONTACT: 6}}),
    ("aspose-SampleOstFile.ost", None, False, True, OST_FOLDERS),
    # The contents table of Sent Items is gone: 6 items known from the hierarchy, type unknown.
    ("aspose-SampleOstFile-truncated.pst", None, False, False,
     {**OST_FOLDERS, ("Sent Items",): {UNKNOWN: 6}}),
    ("aspose-Test_part1.pst", "Personal folders", False, True, TEST_PART1),
    # The zeroed bytes hit message nodes, not the folder tables: the count stays complete.
    ("aspose-Test_part1-corrupted.pst", "Personal folders", False, True, TEST_PART1),
    ("aspose-passwordprotectedPST.pst", "Personal folders", True, True,
     {("Deleted Items",): {MAIL: 14}, ("Inbox",): {MAIL: 4}}),
    ("gopst-32-bit-ansi.pst", "Personal Folders", False, True, {("Calendar",): {APPT: 1}}),
    ("gopst-support.pst", "support", False, True,
     {("Drafts",): {MAIL: 6}, ("Sent Messages",): {MAIL: 11}}),
    ("javalibpst-dist-list.pst", "Personal Folders", False, True,
     {("Calendar",): {APPT: 1}, ("Contacts",): {CONTACT: 1, DIST: 1}}),
    ("javalibpst-passworded.pst", "Personal Folders", True, True,
     {("Contacts",): {CONTACT: 1, DIST: 1}}),
    ("pstsdk-sample1.pst", "sample1", False, True, {("Sample1",): {MAIL: 1}}),
    ("pstsdk-sample2-ansi.pst", "sample2", False, True, {("Sample2",): {MAIL: 1}}),
    ("pstsdk-submessage.pst", "submessage", False, True, {("submessage",): {MAIL: 1}}),
    ("pstsdk-test_ansi.pst", "Personal Folders", True, True, {("Folder",): {POST: 1}}),
    ("pstsdk-test_unicode.pst", "Personal Folders", True, True,
     {(): {POST: 1}, ("Folder",): {POST: 1}}),
    ("rubymsg-attachAndInline.pst", "attachAndInline", False, True, {(): {MAIL: 1}}),
    ("rubymsg-msgInMsg.pst", "msgInMsg", False, True, {(): {MAIL: 1}}),
    ("rubymsg-200-recipients.pst", "200 recipients.msg", False, True, {(): {MAIL: 1}}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("fixture", "store", "protected", "complete", "folders"), CASES, ids=[c[0] for c in CASES]
)
def test_counts_per_folder(fixture, store, protected, complete, folders):
    count = count_items(pst(fixture))
    assert isinstance(count, StoreCount)
    assert (count.display_name, count.password_protected, count.complete) == (
        store,
        protected,
        complete,
    )
    non_empty = {f.path: dict(f.kinds) for f in count.folders if f.total}
    assert non_empty == folders


def test_ost_is_recognised_and_ansi_files_are_read():
    ost = count_items(pst("aspose-SampleOstFile.ost"))
    ansi = count_items(pst("pstsdk-sample2-ansi.pst"))
    assert isinstance(ost, StoreCount)
    assert isinstance(ansi, StoreCount)
    assert (ost.is_ost, ost.file_format) == (True, "unicode")
    assert (ansi.is_ost, ansi.file_format) == (False, "ansi")


def test_unicode_and_localised_folder_names_are_read_intact():
    support = count_items(pst("gopst-support.pst"))
    japanese = count_items(pst("rubymsg-attachAndInline.pst"))
    assert isinstance(support, StoreCount)
    assert isinstance(japanese, StoreCount)
    assert ("Attività",) in {f.path for f in support.folders}
    assert ("削除済みアイテム",) in {f.path for f in japanese.folders}


def test_a_truncated_file_whose_top_folder_is_lost_has_no_count():
    count = count_items(pst("aspose-Test_part1-truncated.pst"))
    assert isinstance(count, StoreCount)
    assert not count.complete
    assert count.folders[0].total is None


@pytest.mark.parametrize(
    ("content", "not_a_pst"),
    [(b"", True), (b"hello, this is not an Outlook file\n", True), (b"!BDN" + bytes(600), True)],
    ids=["empty", "text", "magic-only"],
)
def test_files_that_are_not_psts(tmp_path, content, not_a_pst):
    path = tmp_path / "x.pst"
    path.write_bytes(content)
    count = count_items(path)
    assert isinstance(count, CountUnavailable)
    assert count.not_a_pst is not_a_pst


def test_a_4k_page_file_is_reported_unsupported_not_guessed(tmp_path):
    header = bytearray(pst("aspose-SampleOstFile.ost").read_bytes()[:564])
    header[10:12] = (36).to_bytes(2, "little")
    path = tmp_path / "four-k.ost"
    path.write_bytes(bytes(header))
    count = count_items(path)
    assert isinstance(count, CountUnavailable)
    assert not count.not_a_pst
    assert "4K" in count.reason


def test_a_damaged_node_index_page_is_reported_and_never_complete(tmp_path):
    data = bytearray(pst("aspose-Outlook.pst").read_bytes())
    nbt_root = int.from_bytes(data[224:232], "little")
    data[nbt_root : nbt_root + 512] = bytes(512)
    path = tmp_path / "damaged.pst"
    path.write_bytes(bytes(data))
    count = count_items(path)
    assert isinstance(count, StoreCount)
    assert not count.complete
    assert any("index" in problem for problem in count.problems)
