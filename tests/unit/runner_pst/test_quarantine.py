from datetime import UTC, datetime

from mailferry_runner_pst.mbox import split_mbox
from mailferry_runner_pst.quarantine import QuarantineEntry, item_of, mbox_record, unreadable

MESSAGE = (
    b"From: a@old.example\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n"
    b"Date: Tue, 04 Jun 2019 10:30:00 +0200\r\n\r\nFrom the start\r\n>From quoted\r\n"
)


def refused(data: bytes = MESSAGE, folder: str = "Entwürfe") -> QuarantineEntry:
    detail = "NO [OVERQUOTA] Quota exceeded\r\n(mailbox full)"
    return QuarantineEntry(folder, "over_quota", detail, "Inbox/mbox#3 (line 40)", data, 99)


class TestItemOf:
    def test_a_refused_message_is_listed_with_decoded_subject_and_date(self):
        item = item_of(refused(), 4)
        assert (item.index, item.folder, item.subject, item.size_bytes) == (
            4, "Entwürfe", "Grüße", 99,
        )  # fmt: skip
        assert item.date == datetime(2019, 6, 4, 8, 30, tzinfo=UTC)
        assert (item.reason, item.detail) == (
            "over_quota", "NO [OVERQUOTA] Quota exceeded (mailbox full)",
        )  # fmt: skip

    def test_an_unreadable_message_is_named_by_its_origin(self):
        item = item_of(unreadable("INBOX", "../escape.eml", "unsafe path", 0), 0)
        assert (item.subject, item.date, item.reason) == (
            "(unreadable: ../escape.eml)", None, "file_unreadable",
        )  # fmt: skip


class TestMboxRecord:
    def test_the_message_comes_back_below_the_quarantine_headers(self):
        [record] = list(split_mbox(mbox_record(refused()).splitlines(keepends=True)))
        head, _, body = record.data.partition(b"\n\n")
        assert record.from_line == b"From mailferry-quarantine Tue Jun 04 08:30:00 2019"
        assert b"X-Mailferry-Quarantine-Reason: over_quota\n" in head
        assert b"X-Mailferry-Quarantine-Detail: NO [OVERQUOTA] Quota exceeded (mailbox full)" in (
            head
        )
        assert b"X-Mailferry-Quarantine-Folder: =?utf-8?" in head
        assert head.endswith(b"Date: Tue, 04 Jun 2019 10:30:00 +0200")
        assert body == b"From the start\n>From quoted\n"

    def test_an_unreadable_message_is_a_short_text_record(self):
        record = mbox_record(unreadable("INBOX", "big.mbox#1", "larger than 64 bytes", 64))
        assert record.startswith(b"From mailferry-quarantine Thu Jan 01 00:00:00 1970\n")
        assert b"\nSubject: unreadable message: big.mbox#1\n" in record
        assert record.endswith(b"could not be read from the upload.\nlarger than 64 bytes\n\n")
