"""An archive on disk read as an async stream, the shape the IMAP uploader consumes."""

import io
from collections import Counter

import pytest

from mailferry_runner_tgz.adapters.archive_file import ArchiveFile
from mailferry_runner_tgz.outcome import imap_outcome
from tests.fixtures.tgz_generator import sample_mailbox

pytestmark = pytest.mark.integration


async def test_messages_stream_and_the_inventory_follows(tmp_path):
    buffer = io.BytesIO()
    written = sample_mailbox(buffer)
    path = tmp_path / "ann.tgz"
    path.write_bytes(buffer.getvalue())
    archive = ArchiveFile(path)

    arrived: Counter[str] = Counter()
    async for message in archive.messages():
        assert b"".join([chunk async for chunk in message.chunks()]) == message.raw
        assert message.size == len(message.raw)
        arrived[message.folder] += 1

    assert archive.inventory is not None
    assert sum(arrived.values()) == sum(written.importable().values())
    outcome = imap_outcome(archive.inventory, arrived)
    assert outcome.status == "partial"
    assert {f.source for f in outcome.folders if f.missing} == {"/Inbox/Projects", "/Sent"}


async def test_scan_counts_without_keeping_messages(tmp_path):
    buffer = io.BytesIO()
    written = sample_mailbox(buffer)
    path = tmp_path / "ann.tgz"
    path.write_bytes(buffer.getvalue())

    inventory = await ArchiveFile(path).scan()

    assert inventory.messages == sum(written.messages.values())
    assert inventory.complete


async def test_a_cut_download_is_reported(tmp_path):
    buffer = io.BytesIO()
    sample_mailbox(buffer)
    path = tmp_path / "cut.tgz"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])

    inventory = await ArchiveFile(path).scan()

    assert inventory.stopped is not None
    assert 0 < inventory.messages < 536
