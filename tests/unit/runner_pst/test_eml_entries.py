import pytest

from mailferry_runner_pst.eml_entries import ZipLimits, entry_folder, is_message_entry, refuse_entry

LIMITS = ZipLimits(max_entry_bytes=10_000_000, max_ratio=100, ratio_floor=1_000_000)


class TestEntryFolder:
    @pytest.mark.parametrize(
        ("name", "folder"),
        [("a.eml", ()), ("Inbox/a.eml", ("Inbox",)), ("Inbox/sub/a.eml", ("Inbox", "sub")),
         ("Entwürfe/日本/a.eml", ("Entwürfe", "日本")), ("../a.eml", None), ("a/../../b.eml", None),
         ("/etc/a.eml", None), ("C:/a.eml", None), ("a\\..\\b.eml", None), ("a//b.eml", None),
         ("./a.eml", None), ("a/..", None), ("nul\x00.eml", None)],
    )  # fmt: skip
    def test_safe_names_give_their_directories(self, name, folder):
        assert entry_folder(name) == folder


class TestRefuseEntry:
    def test_a_normal_message_is_read(self):
        assert refuse_entry("Inbox/a.eml", 5_000, 2_000, 0, LIMITS) is None

    @pytest.mark.parametrize(
        ("name", "size", "compressed", "flags", "reason"),
        [("../a.eml", 10, 10, 0, "unsafe path"), ("a.eml", 10, 10, 1, "encrypted"),
         ("a.txt", 10, 10, 0, "not an .eml"), ("a.eml", 20_000_000, 10_000_000, 0, "larger"),
         ("a.eml", 5_000_000, 10_000, 0, "compression ratio")],
        ids=["traversal", "encrypted", "not-eml", "too-large", "bomb"],
    )  # fmt: skip
    def test_refusals_name_their_reason(self, name, size, compressed, flags, reason):
        refusal = refuse_entry(name, size, compressed, flags, LIMITS)
        assert refusal is not None
        assert reason in refusal

    def test_small_entries_may_compress_well(self):
        assert refuse_entry("a.eml", 900_000, 100, 0, LIMITS) is None


class TestIsMessageEntry:
    def test_debris_is_not_a_message(self):
        assert not is_message_entry("__MACOSX/a.eml")
        assert not is_message_entry("Inbox/.hidden.eml")
        assert is_message_entry("Inbox/A.EML")
