from mailferry_imap.identity import (
    body_digest,
    header_fields,
    header_identity,
    identity_key,
    split_header,
)

BASE = (
    b"From: Alice <alice@example.org>\r\n"
    b"To: Bob <bob@example.de>\r\n"
    b"Subject: Quarterly report\r\n"
    b"Date: Tue, 02 Jan 2024 10:00:00 +0100\r\n"
    b"Message-ID: <abc.123@example.org>\r\n"
    b"\r\n"
)


def key(header, body=b"body\r\n"):
    identity = header_identity(header)
    return identity_key(identity, body_digest([body]))


class TestHeaderIdentity:
    def test_added_headers_do_not_change_the_key(self):
        received = b"Received: from mx by dst; Tue, 02 Jan 2024 10:00:05 +0100\r\n"
        exchange = b"X-MS-Exchange-Organization-SCL: -1\r\n"
        assert key(received + BASE + exchange) == key(BASE)

    def test_lf_line_ends_and_folding_do_not_change_the_key(self):
        folded = BASE.replace(b"Subject: Quarterly report", b"Subject: Quarterly\r\n report")
        assert key(folded.replace(b"\r\n", b"\n")) == key(BASE)

    def test_re_encoded_subject_and_same_instant_in_another_zone_do_not_change_the_key(self):
        encoded = BASE.replace(b"Quarterly report", b"=?utf-8?q?Quarterly_report?=")
        utc = encoded.replace(b"Tue, 02 Jan 2024 10:00:00 +0100", b"Tue, 2 Jan 2024 09:00:00 +0000")
        assert key(utc) == key(BASE)

    def test_field_order_does_not_matter(self):
        lines = BASE.split(b"\r\n")
        reordered = b"\r\n".join([lines[4], lines[2], lines[0], lines[3], lines[1], b"", b""])
        assert key(reordered) == key(BASE)

    def test_same_message_id_with_another_subject_is_another_message(self):
        assert key(BASE.replace(b"Quarterly", b"[list] Quarterly")) != key(BASE)

    def test_with_message_id_the_body_is_not_needed(self):
        identity = header_identity(BASE)
        assert identity.complete
        assert identity_key(identity, None) == identity.digest


class TestWithoutMessageId:
    NO_ID = BASE.replace(b"Message-ID: <abc.123@example.org>\r\n", b"")

    def test_the_body_decides(self):
        assert not header_identity(self.NO_ID).complete
        assert key(self.NO_ID, b"one\r\n") != key(self.NO_ID, b"two\r\n")

    def test_crlf_and_lf_bodies_agree(self):
        assert key(self.NO_ID, b"a\r\nb\r\n") == key(self.NO_ID, b"a\nb\n")

    def test_an_empty_message_id_counts_as_missing(self):
        empty = self.NO_ID.replace(b"\r\n\r\n", b"\r\nMessage-ID:   \r\n\r\n")
        assert not header_identity(empty).complete

    def test_identical_copies_have_equal_keys(self):
        assert key(self.NO_ID, b"same\r\n") == key(self.NO_ID, b"same\r\n")


class TestHeaderParsing:
    def test_first_occurrence_wins_and_lines_without_colon_are_skipped(self):
        block = b"Subject: one\r\nno colon here\r\nSubject: two\r\nX: y\r\n\r\n"
        assert header_fields(block, ["SUBJECT"]) == {"SUBJECT": b"one"}

    def test_raw_8bit_values_are_kept(self):
        block = "Subject: café\r\n\r\n".encode()
        assert header_fields(block, ["SUBJECT"]) == {"SUBJECT": "café".encode()}

    def test_split_header_finds_the_blank_line(self):
        assert split_header(b"A: b\r\n\r\nbody") == len(b"A: b\r\n\r\n")
        assert split_header(b"A: b\n\nbody") == len(b"A: b\n\n")
        assert split_header(b"A: b\r\nstill header") is None
