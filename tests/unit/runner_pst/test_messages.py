from datetime import UTC, datetime, timedelta, timezone
from email.parser import BytesHeaderParser

import pytest

from mailferry_runner_pst.messages import (
    ANSWERED,
    DRAFT,
    FLAGGED,
    SEEN,
    flags_of,
    internal_date_of,
    prepare,
    stable_readpst_boundaries,
)


def headers(text: bytes):
    return BytesHeaderParser().parsebytes(text)


PLUS5 = timezone(timedelta(hours=5))
DATES = [
    (b"Date: Wed, 22 Jun 2011 04:51:07 +0500\n", b"",
     datetime(2011, 6, 22, 4, 51, 7, tzinfo=PLUS5)),
    (b"Date: Wed, 22 Jun 2011 04:51:07\n", b"", datetime(2011, 6, 22, 4, 51, 7, tzinfo=UTC)),
    (b"Date: garbage\nReceived: from a by b; Tue, 3 Jan 2023 10:00:00 +0000\n"
     b"Received: from c by d; Mon, 2 Jan 2023 09:00:00 +0000\n",
     b"", datetime(2023, 1, 3, 10, tzinfo=UTC)),
    (b"Received: from a\n by b with ESMTP;\n Tue, 3 Jan 2023 10:00:00 +0000\n", b"",
     datetime(2023, 1, 3, 10, tzinfo=UTC)),
    (b"Subject: no date\n", b'From "x@y" Tue Jun 21 23:51:07 2011',
     datetime(2011, 6, 21, 23, 51, 7, tzinfo=UTC)),
    (b"Subject: no date\n", b'From "MAILER-DAEMON" Thu Jan  1 00:00:00 1970', None),
    (b"Subject: no date\n", b'From "x" Thu Jan 1 00:00:00 1970', None),
    (b"Date: Thu, 01 Jan 1970 00:00:00 +0000\n", b"", None),
    (b"Subject: nothing\n", b"", None),
]  # fmt: skip


class TestInternalDate:
    @pytest.mark.parametrize(
        ("head", "from_line", "expected"),
        DATES,
        ids=["date", "naive-date", "received-newest", "folded-received", "from-line",
             "1970-placeholder", "1970-single-space", "1970-date-header", "none"],
    )  # fmt: skip
    def test_date_sources_in_order(self, head, from_line, expected):
        assert internal_date_of(headers(head + b"\n"), from_line) == expected


class TestFlags:
    @pytest.mark.parametrize(
        ("head", "flags"),
        [(b"Status: RO\n", {SEEN}), (b"Status: R\n", {SEEN}), (b"Status: O\n", set()),
         (b"", set()), (b"Status: RO\nX-Status: AFT\n", {SEEN, ANSWERED, FLAGGED, DRAFT}),
         (b"X-Status: D\n", set())],
        ids=["RO", "R", "O-unread", "none", "x-status", "deleted-ignored"],
    )  # fmt: skip
    def test_status_headers(self, head, flags):
        assert flags_of(headers(head + b"\n")) == flags


class TestPrepare:
    def test_status_headers_are_removed_with_their_continuations(self):
        data = b"Subject: a\nStatus: RO\nX-Status: A\n  folded\nTo: b\n\nStatus: body stays\n"
        prepared = prepare(data)
        assert prepared.raw == b"Subject: a\r\nTo: b\r\n\r\nStatus: body stays\r\n"
        assert prepared.flags == {SEEN, ANSWERED}

    def test_read_state_does_not_change_the_bytes(self):
        read = prepare(b"Subject: a\nStatus: RO\n\nbody\n")
        unread = prepare(b"Subject: a\n\nbody\n")
        assert read.raw == unread.raw
        assert read.flags == {SEEN}
        assert not unread.flags

    def test_line_endings_become_crlf_once(self):
        assert prepare(b"S: a\r\nT: b\n\nx\r\ny\n").raw == b"S: a\r\nT: b\r\n\r\nx\r\ny\r\n"

    def test_a_message_without_body(self):
        assert prepare(b"Subject: only headers\n").raw == b"Subject: only headers\r\n"


class TestStableBoundaries:
    RUN_1 = (
        b'Content-Type: multipart/mixed;\n\tboundary="--boundary-LibPST-iamunique-1583555827_-_-"'
        b"\n\n----boundary-LibPST-iamunique-1583555827_-_-\nx\n"
        b"--alt---boundary-LibPST-iamunique-77_-_---\n"
    )

    def test_two_runs_of_readpst_give_the_same_bytes(self):
        run_2 = self.RUN_1.replace(b"1583555827", b"1274110510").replace(b"-77_", b"-9_")
        assert stable_readpst_boundaries(self.RUN_1) == stable_readpst_boundaries(run_2)

    def test_distinct_boundaries_stay_distinct(self):
        stable = stable_readpst_boundaries(self.RUN_1)
        assert b"1583555827" not in stable
        assert stable.count(b"-0_-_-") == 2
        assert stable.count(b"-1_-_-") == 1

    def test_different_messages_get_different_boundaries(self):
        other = self.RUN_1.replace(b"\nx\n", b"\ny\n")
        assert stable_readpst_boundaries(self.RUN_1) != stable_readpst_boundaries(other)

    def test_uploaded_messages_are_left_alone(self):
        assert prepare(self.RUN_1).raw.count(b"1583555827") == 2
        assert prepare(self.RUN_1, from_readpst=True).raw.count(b"1583555827") == 0
