"""Uploaded zips of .eml files: read in place, folders from directories, hostile entries refused."""

import zipfile
from datetime import UTC, datetime

import pytest

from mailferry_runner_pst.adapters.eml_zip import NotAZipError, ZipLimitError, read_eml_zip
from mailferry_runner_pst.eml_entries import SkippedEntry, ZipLimits
from mailferry_runner_pst.folders import DRAFTS, INBOX

pytestmark = pytest.mark.integration

MESSAGE = b"Subject: s\nDate: Wed, 22 Jun 2011 04:51:07 +0500\nStatus: R\n\nbody\n"


def make_zip(path, entries, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def test_folders_come_from_the_zip_directories(tmp_path):
    path = make_zip(
        tmp_path / "mail.zip",
        [
            ("a.eml", MESSAGE),
            ("Entwürfe/b.eml", MESSAGE),
            ("Inbox/Ünterordner/日本/c.EML", MESSAGE),
        ],
    )
    skipped: list[SkippedEntry] = []
    messages = list(read_eml_zip(path, skipped))
    assert skipped == []
    assert [(m.source_folder, m.target.target, m.target.special_use) for m in messages] == [
        ((), ("INBOX",), INBOX),
        (("Entwürfe",), ("Drafts",), DRAFTS),
        (("Inbox", "Ünterordner", "日本"), ("INBOX", "Ünterordner", "日本"), None),
    ]
    assert messages[0].internal_date == datetime(2011, 6, 21, 23, 51, 7, tzinfo=UTC)
    assert messages[0].flags == {"\\Seen"}


def test_traversal_and_junk_entries_are_refused_and_reported(tmp_path):
    path = make_zip(
        tmp_path / "evil.zip",
        [("../escape.eml", MESSAGE), ("/abs.eml", MESSAGE), ("C:/x.eml", MESSAGE),
         ("a/../../b.eml", MESSAGE), ("__MACOSX/._a.eml", MESSAGE), ("notes.txt", b"x"),
         ("ok.eml", MESSAGE)],
    )  # fmt: skip
    skipped: list[SkippedEntry] = []
    messages = list(read_eml_zip(path, skipped))
    assert [m.origin for m in messages] == ["ok.eml"]
    assert [s.name for s in skipped] == [
        "../escape.eml", "/abs.eml", "C:/x.eml", "a/../../b.eml", "__MACOSX/._a.eml", "notes.txt",
    ]  # fmt: skip


def test_a_zip_bomb_entry_is_refused_by_its_ratio(tmp_path):
    path = make_zip(tmp_path / "bomb.zip", [("bomb.eml", b"Subject: b\n\n" + bytes(8 << 20))])
    skipped: list[SkippedEntry] = []
    assert list(read_eml_zip(path, skipped)) == []
    assert "compression ratio" in skipped[0].reason


def test_an_entry_that_inflates_past_the_cap_is_refused_even_if_it_lies(tmp_path):
    path = make_zip(tmp_path / "big.zip", [("big.eml", b"Subject: b\n\n" + b"y" * 5000)])
    skipped: list[SkippedEntry] = []
    limits = ZipLimits(max_entry_bytes=1000)
    assert list(read_eml_zip(path, skipped, limits=limits)) == []
    assert skipped[0].reason.startswith("larger than")


def test_total_size_and_entry_count_limits_stop_the_import(tmp_path):
    path = make_zip(tmp_path / "many.zip", [(f"{i}.eml", MESSAGE) for i in range(5)])
    with pytest.raises(ZipLimitError):
        list(read_eml_zip(path, [], limits=ZipLimits(max_entries=4)))
    with pytest.raises(ZipLimitError):
        list(read_eml_zip(path, [], limits=ZipLimits(max_total_bytes=len(MESSAGE) * 2)))


def test_an_encrypted_entry_is_refused(tmp_path):
    data = bytearray(make_zip(tmp_path / "enc.zip", [("secret.eml", MESSAGE)]).read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1  # the central directory's "encrypted" flag, which readers trust
    path = tmp_path / "encrypted.zip"
    path.write_bytes(bytes(data))
    skipped: list[SkippedEntry] = []
    assert list(read_eml_zip(path, skipped)) == []
    assert skipped == [SkippedEntry("secret.eml", "encrypted entry")]


def test_a_file_that_is_no_zip_is_not_supported(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(NotAZipError):
        list(read_eml_zip(path, []))
