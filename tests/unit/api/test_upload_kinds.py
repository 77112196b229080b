import pytest

from mailferry_api.uploads.kinds import UnknownKindError, decide_kind, detect, display_name


class TestDetect:
    @pytest.mark.parametrize(
        ("head", "kind"),
        [
            (b"!BDN\x00\x00", "pst"),
            (b"PK\x03\x04rest", "eml_zip"),
            (b"PK\x05\x06" + b"\0" * 18, "eml_zip"),
            (b"From a@b Thu Jan  1 00:00:00 2020\n", "mbox"),
            (b"\r\n\nFrom a@b Thu Jan  1 00:00:00 2020\n", "mbox"),
            (b"This is not a PST file\n", None),
            (b"from lower case\n", None),
        ],
    )
    def test_kinds_by_their_first_bytes(self, head, kind):
        assert detect(head) == kind


class TestDecideKind:
    def test_the_requested_kind_must_match_the_bytes(self):
        with pytest.raises(UnknownKindError, match="kind=mbox was given, but the file is a PST"):
            decide_kind(b"!BDN", "mbox")

    def test_an_unknown_file_names_what_was_expected(self):
        with pytest.raises(UnknownKindError, match=r"the file is not a zip of \.eml files"):
            decide_kind(b"hello", "eml_zip")

    def test_an_empty_file_is_refused(self):
        with pytest.raises(UnknownKindError, match="empty"):
            decide_kind(b"", None)

    def test_detected_when_not_requested(self):
        assert decide_kind(b"!BDN", None) == "pst"


class TestDisplayName:
    @pytest.mark.parametrize(
        ("given", "shown"),
        [
            ("../../etc/passwd", "passwd"),
            ("C:\\Users\\alice\\Outlook.pst", "Outlook.pst"),
            ("bad\x00name\n.pst", "badname.pst"),
            ("", "upload"),
            (None, "upload"),
            ("x" * 300, "x" * 255),
        ],
    )
    def test_never_a_path_never_a_control_character(self, given, shown):
        assert display_name(given) == shown
