"""Messages streamed out of readpst's output: folders, dates, flags, stable bytes."""

import mailbox
import tracemalloc
from datetime import UTC, datetime

import pytest

from mailferry_runner_pst.adapters.mbox_files import aiter_messages, read_mbox, readpst_messages
from mailferry_runner_pst.adapters.readpst import run_readpst
from mailferry_runner_pst.adapters.readpst_output import scan_output
from mailferry_runner_pst.counts import OutputFile
from mailferry_runner_pst.folders import INBOX, SENT, TRASH, map_folder
from mailferry_runner_pst.messages import SEEN

from .conftest import pst

pytestmark = pytest.mark.integration


async def extract(tmp_path, readpst_bin, fixture, include_deleted=False, name="run"):
    work = tmp_path / name
    work.mkdir()
    run = await run_readpst(readpst_bin, pst(fixture), work, include_deleted=include_deleted)
    return run.output_dir, scan_output(run.output_dir)


@pytest.mark.parametrize(
    "fixture",
    ["aspose-Outlook.pst", "aspose-SampleOstFile.ost", "gopst-support.pst", "pstsdk-sample1.pst",
     "rubymsg-msgInMsg.pst", "aspose-passwordprotectedPST.pst"],
)  # fmt: skip
async def test_every_extracted_message_is_streamed_once(tmp_path, readpst_bin, fixture):
    out, extracted = await extract(tmp_path, readpst_bin, fixture)
    messages = [m async for m in aiter_messages(readpst_messages(out, extracted))]
    assert len(messages) == extracted.total(OutputFile.MBOX)


async def test_nested_folders_and_special_folders_map_to_their_targets(tmp_path, readpst_bin):
    out, extracted = await extract(tmp_path, readpst_bin, "aspose-SampleOstFile.ost", True)
    targets = {
        (m.target.target_path, m.target.special_use) for m in readpst_messages(out, extracted)
    }
    assert targets == {
        ("INBOX", INBOX), ("INBOX/sub1", None), ("INBOX/sub2", None), ("Sent", SENT),
        ("Sync Issues", None),
    }  # fmt: skip


async def test_deleted_items_are_imported_only_on_request(tmp_path, readpst_bin):
    out, extracted = await extract(tmp_path, readpst_bin, "aspose-passwordprotectedPST.pst", True)
    skipped = [m.target for m in readpst_messages(out, extracted)]
    included = [m.target for m in readpst_messages(out, extracted, include_deleted=True)]
    assert {t.target_path for t in skipped} == {"INBOX"}
    assert sum(t.special_use == TRASH for t in included) == 14


@pytest.mark.parametrize(
    ("fixture", "store_dir"),
    [("rubymsg-attachAndInline.pst", "attachAndInline"),
     ("rubymsg-200-recipients.pst", "200 recipients.msg")],
)  # fmt: skip
async def test_messages_in_the_store_root_go_to_inbox(tmp_path, readpst_bin, fixture, store_dir):
    out, extracted = await extract(tmp_path, readpst_bin, fixture)
    assert extracted.store_dir == store_dir
    [message] = list(readpst_messages(out, extracted))
    assert (message.source_folder, message.target.target, message.target.special_use) == (
        (),
        ("INBOX",),
        INBOX,
    )


async def test_dates_come_from_the_message_never_from_the_1970_placeholder(tmp_path, readpst_bin):
    out, extracted = await extract(tmp_path, readpst_bin, "aspose-SampleOstFile.ost")
    dates = [m.internal_date for m in readpst_messages(out, extracted)]
    assert all(d is not None and d.year > 1970 and d.tzinfo is not None for d in dates)
    sent = [m for m in readpst_messages(out, extracted) if m.target.special_use == SENT]
    assert min(m.internal_date for m in sent if m.internal_date) > datetime(2000, 1, 1, tzinfo=UTC)


async def test_status_ro_becomes_seen_and_the_header_is_removed(tmp_path, readpst_bin):
    out, extracted = await extract(tmp_path, readpst_bin, "aspose-passwordprotectedPST.pst")
    source = out / "Personal folders" / "Inbox" / "mbox"
    read_in_file = [bool(m.get("Status")) for m in mailbox.mbox(source)]
    messages = list(readpst_messages(out, extracted))
    assert [SEEN in m.flags for m in messages] == read_in_file
    headers = [m.raw.split(b"\r\n\r\n", 1)[0] for m in messages]
    assert all(b"\r\nStatus:" not in h and not h.startswith(b"Status:") for h in headers)
    assert all(b"\n" not in m.raw.replace(b"\r\n", b"") for m in messages)


async def test_a_rerun_produces_byte_identical_messages(tmp_path, readpst_bin):
    """readpst seeds its MIME boundaries with the clock; the bytes must not depend on it."""
    first = await extract(tmp_path, readpst_bin, "aspose-Outlook.pst", name="first")
    second = await extract(tmp_path, readpst_bin, "aspose-Outlook.pst", name="second")
    one = [m.raw for m in readpst_messages(*first)]
    two = [m.raw for m in readpst_messages(*second)]
    assert one == two
    assert all(b"boundary-LibPST-iamunique-" in raw for raw in one if b"multipart" in raw)


def test_an_uploaded_mbox_keeps_its_own_bytes_and_goes_to_inbox(tmp_path):
    path = tmp_path / "upload.mbox"
    path.write_bytes(
        b"From a@example.org Mon Jan  2 10:00:00 2023\n"
        b"Subject: hi\nStatus: RO\nX-Status: AF\n\n>From the start\nbody\n\n"
        b"From b@example.org Tue Jan  3 10:00:00 2023\nSubject: two\n\ntwo\n"
    )
    messages = list(read_mbox(path, map_folder(()), "upload.mbox"))
    assert [m.raw for m in messages] == [
        b"Subject: hi\r\n\r\nFrom the start\r\nbody\r\n",
        b"Subject: two\r\n\r\ntwo\r\n",
    ]
    assert messages[0].flags == {SEEN, "\\Answered", "\\Flagged"}
    assert messages[1].internal_date == datetime(2023, 1, 3, 10, tzinfo=UTC)
    assert [m.origin for m in messages] == ["upload.mbox#1 (line 1)", "upload.mbox#2 (line 9)"]


def test_an_oversized_message_is_reported_not_held(tmp_path):
    path = tmp_path / "big.mbox"
    path.write_bytes(
        b"From a Mon Jan  2 10:00:00 2023\nSubject: big\n\n" + b"x" * 100 + b"\n"
        b"From b Mon Jan  2 10:00:00 2023\nSubject: small\n\nok\n"
    )
    oversized: list[str] = []
    messages = list(
        read_mbox(path, map_folder(()), "big.mbox", 64, lambda _, name, __: oversized.append(name))
    )
    assert oversized == ["big.mbox#1 (line 1)"]
    assert [m.raw for m in messages] == [b"Subject: small\r\n\r\nok\r\n"]


def test_a_large_mbox_streams_with_only_one_message_in_memory(tmp_path):
    path = tmp_path / "large.mbox"
    body = b"".join(b"line %05d of a long body that fills the message\n" % i for i in range(300))
    message = b"From a Mon Jan  2 10:00:00 2023\nSubject: x\nStatus: RO\n\n" + body + b"\n"
    with path.open("wb") as out:
        for _ in range(1200):
            out.write(message)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_mbox(path, map_folder(()), "large.mbox"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 1200
    assert size > 16 * 1024 * 1024
    assert peak < size // 16
