import mailbox
from datetime import UTC, datetime

import pytest

from mailferry_runner_tgz.archive import Refusal
from mailferry_runner_tgz.inventory import Problem
from mailferry_runner_tgz.quarantine import (
    MAX_DETAIL,
    mbox_record,
    reason_of,
    refused_entry,
    rejected_upload,
)

RAW = b"From: a@example.com\r\nSubject: Hi\r\n\r\nFrom the start\r\n>From quoted\r\nend\r\n"


class TestMbox:
    def test_from_lines_in_the_body_are_quoted_mboxrd_style(self):
        record = mbox_record(RAW, datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
        assert record.startswith(b"From MAILER-DAEMON Tue Jan 02 03:04:05 2024\n")
        assert b"\n>From the start\r\n>>From quoted\r\n" in record
        assert record.endswith(b"end\r\n\n")

    def test_records_read_back_as_separate_messages(self, tmp_path):
        path = tmp_path / "q.mbox"
        path.write_bytes(mbox_record(RAW, None) + mbox_record(b"Subject: two\n\nbody", None))
        box = mailbox.mbox(path)
        assert [m["subject"] for m in box] == ["Hi", "two"]
        box.close()


class TestRefusedEntry:
    @pytest.mark.parametrize(
        ("code", "reason"),
        [
            ("MISMATCHED_SIZE", "file_unreadable"),
            ("MISMATCHED_META", "file_unreadable"),
            ("MISSING_BLOB", "file_unreadable"),
            ("UNSUPPORTED_VERSION", "file_not_supported"),
            ("TOO_LARGE", "file_not_supported"),
        ],
    )
    def test_zimbra_codes_become_error_classes(self, code, reason):
        assert reason_of(code) == reason

    def test_the_item_names_the_entry_and_keeps_the_bytes(self):
        problem = Problem("Inbox/0000000300-Hi.eml", "MISMATCHED_SIZE", ".meta says 9 bytes")
        quarantined = refused_entry(Refusal(problem, ("Inbox",), RAW, "Hi", 1_700_000_000), 4)
        item = quarantined.item
        assert (item.index, item.folder, item.subject, item.size_bytes) == (
            4,
            "/Inbox",
            "Hi",
            len(RAW),
        )
        assert item.detail == "Inbox/0000000300-Hi.eml: MISMATCHED_SIZE (.meta says 9 bytes)"
        assert item.date == datetime.fromtimestamp(1_700_000_000, UTC)
        assert quarantined.record == mbox_record(RAW, item.date)

    def test_an_entry_without_bytes_leaves_a_note_in_its_place(self):
        problem = Problem("Sent/0000000301-X.eml.meta", "MISSING_BLOB", "no content\nat all")
        quarantined = refused_entry(Refusal(problem, ("Sent",), None), 0)
        assert quarantined.item.size_bytes == 0
        assert quarantined.item.date is None
        assert b"Subject: [no content in the archive] Sent/0000000301-X.eml.meta\r\n" in (
            quarantined.record
        )
        assert b"no content_at all" in quarantined.record  # no header injection

    def test_long_details_are_clipped(self):
        quarantined = rejected_upload(
            b"x",
            0,
            folder="INBOX",
            subject="",
            date=None,
            error_class="over_quota",
            detail="y" * 999,
        )
        assert len(quarantined.item.detail) == MAX_DETAIL
        assert quarantined.item.reason == "over_quota"
