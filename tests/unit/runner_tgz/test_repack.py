"""The intact front of a cut archive, rewritten as a complete one."""

import gzip
import io
from pathlib import Path

from mailferry_runner_tgz.archive import read_messages
from mailferry_runner_tgz.repack import copy_intact
from tests.fixtures.tgz_generator import TgzWriter, eml

TRUNCATED = Path(__file__).parents[2] / "data" / "tgz" / "zimbra-zm-mailbox-Truncated.tgz"


def repacked(data: bytes) -> tuple[int, bytes]:
    out = io.BytesIO()
    count = copy_intact(io.BytesIO(data), out)
    return count, out.getvalue()


def three_messages() -> bytes:
    buffer = io.BytesIO()
    writer = TgzWriter(buffer)
    writer.folder("Inbox")
    for n in range(3):
        writer.message("Inbox", eml(f"m{n}", n, body="x" * 3000), subject=f"m{n}", flag_str="u")
    writer.close()
    return buffer.getvalue()


def test_zimbras_truncated_export_becomes_a_complete_archive_of_the_same_items():
    original = read_messages(io.BytesIO(TRUNCATED.read_bytes()))[1]

    count, data = repacked(TRUNCATED.read_bytes())

    inventory = read_messages(io.BytesIO(data))[1]
    assert inventory.complete
    assert count == inventory.entries == 216
    assert inventory.not_mail() == original.not_mail() == {"contacts": 215}


def test_a_message_whose_content_was_cut_is_left_out_with_its_meta():
    tar = gzip.decompress(three_messages())
    inside_last = tar.index(b"Subject: m2\r\n") + 1000
    cut = gzip.compress(tar[:inside_last])[:-8]  # a download cut in the last message

    _, data = repacked(cut)

    messages, inventory = read_messages(io.BytesIO(data))
    assert inventory.complete
    assert inventory.problems == []
    assert [m.ref.rsplit("-", 1)[1] for m in messages] == ["m0.eml", "m1.eml"]


def test_a_complete_archive_keeps_every_entry_with_its_headers():
    original, _ = read_messages(io.BytesIO(three_messages()))

    count, data = repacked(three_messages())

    messages, inventory = read_messages(io.BytesIO(data))
    assert (count, inventory.complete) == (7, True)
    assert [(m.ref, m.raw, m.flags, m.internal_date) for m in messages] == [
        (m.ref, m.raw, m.flags, m.internal_date) for m in original
    ]


def test_something_that_is_not_an_archive_gives_an_empty_one():
    count, data = repacked(b"not a tgz at all")
    assert count == 0
    assert read_messages(io.BytesIO(data))[1].entries == 0
