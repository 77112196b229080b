import itertools
from collections.abc import Iterator

import pytest

from mailferry_runner_pst.mbox import MboxFormatError, split_mbox


def lines(text: bytes) -> list[bytes]:
    return text.splitlines(keepends=True)


class TestSplitMbox:
    def test_mboxrd_quoting_loses_exactly_one_level(self):
        source = lines(
            b"From a Thu Jan  1 00:00:00 1970\nSubject: x\n\n>From here\n>>From there\n"
            b">>>From deep\n> From not quoted\n>Fromage\n"
        )
        [message] = split_mbox(source)
        assert message.data == (
            b"Subject: x\n\nFrom here\n>From there\n>>From deep\n> From not quoted\n>Fromage\n"
        )

    def test_the_blank_separator_line_is_not_part_of_the_message(self):
        source = lines(b"From a x\nS: 1\n\nbody\n\nFrom b y\nS: 2\n\nbody2\n\n")
        assert [m.data for m in split_mbox(source)] == [b"S: 1\n\nbody\n", b"S: 2\n\nbody2\n"]
        assert [(m.index, m.line, m.from_line) for m in split_mbox(source)] == [
            (0, 1, b"From a x"),
            (1, 6, b"From b y"),
        ]

    def test_crlf_files_split_the_same_way(self):
        source = lines(b"From a x\r\nS: 1\r\n\r\nbody\r\n\r\nFrom b y\r\nS: 2\r\n")
        assert [m.data for m in split_mbox(source)] == [b"S: 1\r\n\r\nbody\r\n", b"S: 2\r\n"]

    def test_an_empty_stream_has_no_messages(self):
        assert list(split_mbox([])) == []
        assert list(split_mbox([b"\n", b"\n"])) == []

    def test_text_before_the_first_from_line_is_not_an_mbox(self):
        with pytest.raises(MboxFormatError, match="line 2"):
            list(split_mbox([b"\n", b"Subject: no From_ line\n"]))

    def test_messages_stream_without_reading_the_whole_source(self):
        def endless() -> Iterator[bytes]:
            for n in itertools.count():
                yield b"From x Mon Jan  2 10:00:00 2023\n"
                yield b"Subject: %d\n\nbody\n\n" % n

        first_three = list(itertools.islice(split_mbox(endless()), 3))
        assert [m.data.split(b"\n")[0] for m in first_three] == [
            b"Subject: 0",
            b"Subject: 1",
            b"Subject: 2",
        ]

    def test_an_oversized_message_is_marked_and_dropped(self):
        source = lines(b"From a x\n" + b"y" * 50 + b"\n\nFrom b x\nS: ok\n")
        messages = list(split_mbox(source, max_message_bytes=20))
        assert [(m.oversized, m.data) for m in messages] == [(True, b""), (False, b"S: ok\n")]
