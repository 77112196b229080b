"""The streaming reader on generated archives (FORMAT.md's recipe) and on Zimbra's own file."""

import base64
import gzip
import io
import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mailferry_runner_tgz.archive import ArchiveReader, Refusal, read_messages
from mailferry_runner_tgz.flags import ANSWERED, DELETED, DRAFT, FLAGGED, FORWARDED, MDN_SENT, SEEN
from mailferry_runner_tgz.folders import FolderKind
from mailferry_runner_tgz.items import ItemType
from tests.fixtures.tgz_generator import (
    APPOINTMENT,
    BASE_DATE,
    CONTACT,
    MESSAGE,
    TgzWriter,
    eml,
    sample_mailbox,
)

TRUNCATED = Path(__file__).parents[2] / "data" / "tgz" / "zimbra-zm-mailbox-Truncated.tgz"


@pytest.fixture(scope="module")
def sample():
    buffer = io.BytesIO()
    written = sample_mailbox(buffer)
    messages, inventory = read_messages(io.BytesIO(buffer.getvalue()))
    return written, messages, inventory, buffer.getvalue()


def by_ref(messages):
    return {m.ref: m for m in messages}


def archive(build, *, with_meta=True) -> bytes:
    buffer = io.BytesIO()
    writer = TgzWriter(buffer, with_meta=with_meta)
    build(writer)
    writer.close()
    return buffer.getvalue()


class TestSampleMailbox:
    def test_every_importable_message_is_read_into_the_folder_its_meta_names(self, sample):
        written, messages, inventory, _ = sample
        read = Counter("/".join(m.source_folder) for m in messages)
        assert read == written.importable()
        assert inventory.complete
        assert inventory.messages == sum(written.messages.values())

    def test_batches_of_500_in_the_tar_directory_do_not_split_the_folder(self, sample):
        _, messages, inventory, _ = sample
        bulk = [m for m in messages if m.source_folder == ("Inbox", "Bulk")]
        assert len(bulk) == 520
        assert {m.ref.split("/")[1] for m in bulk} == {"Bulk", "Bulk!1"}
        assert {m.folder for m in bulk} == {"INBOX/Bulk"}
        assert inventory.folders[("Inbox", "Bulk")].messages == 520

    def test_sanitised_folder_names_come_back_whole_from_the_meta_path(self, sample):
        written, messages, _, _ = sample
        message = by_ref(messages)[written.entries["sanitised"]]
        assert message.ref.startswith("Inbox/Projects/Q3_ _plan__/")
        assert message.source_folder == ("Inbox", "Projects", "Q3: *plan*?")
        assert message.folder == "INBOX/Projects/Q3: *plan*?"

    def test_unicode_folder_and_subject(self, sample):
        written, messages, _, _ = sample
        message = by_ref(messages)[written.entries["unicode"]]
        assert message.source_folder == ("Ärger 日本",)
        assert "日本語の件名".encode() in message.raw

    @pytest.mark.parametrize(
        ("key", "flags"),
        [
            ("plain", {SEEN}),
            ("unread_flagged", {FLAGGED}),
            ("all_flags", {SEEN, FLAGGED, ANSWERED, DRAFT, DELETED, FORWARDED, MDN_SENT}),
            ("bitmask", {FLAGGED, ANSWERED}),
            ("tagged", {SEEN, "Important_Work", "a:b_c"}),
            ("old_tags", {SEEN, "Important_Work", "a:b_c"}),
            ("sent", {SEEN}),
            ("draft", {SEEN, DRAFT}),
            ("trash", {SEEN, DELETED}),
        ],
        ids=lambda v: v if isinstance(v, str) else "",
    )
    def test_flags_and_tags(self, sample, key, flags):
        written, messages, _, _ = sample
        assert set(by_ref(messages)[written.entries[key]].flags) == flags

    def test_bulk_unread_and_flagged_follow_flag_str(self, sample):
        _, messages, _, _ = sample
        bulk = [m for m in messages if m.source_folder == ("Inbox", "Bulk")]
        assert sum(SEEN not in m.flags for m in bulk) == 104  # n % 5 == 0
        assert sum(FLAGGED in m.flags for m in bulk) == 75  # n % 7 == 0

    def test_special_folders_and_dates(self, sample):
        written, messages, _, _ = sample
        found = by_ref(messages)
        assert (
            found[written.entries["sent"]].folder,
            found[written.entries["sent"]].special_use,
        ) == (
            "Sent",
            "\\Sent",
        )
        assert found[written.entries["plain"]].folder == "INBOX"
        assert found[written.entries["plain"]].internal_date == datetime.fromtimestamp(
            BASE_DATE, UTC
        )
        assert found[written.entries["no_subject"]].ref.endswith(
            "/message-" + found[written.entries["no_subject"]].ref.rsplit("-", 1)[1]
        )

    def test_the_bytes_are_the_blob_exactly(self, sample):
        written, messages, _, _ = sample
        assert by_ref(messages)[written.entries["plain"]].raw == eml("Hello", 1)

    def test_refused_items_are_reported_counted_and_never_yielded(self, sample):
        written, messages, inventory, _ = sample
        problems = {p.entry: p.code for p in inventory.problems}
        assert problems == {
            written.entries["wrong_size"]: "MISMATCHED_SIZE",
            written.entries["future"] + ".meta": "UNSUPPORTED_VERSION",
            written.entries["padded"]: "MISMATCHED_SIZE",
        }
        assert not set(written.refused) & {m.ref for m in messages}
        assert inventory.folders[("Inbox", "Projects")].refused == 2
        assert inventory.folders[("Sent",)].refused == 1
        assert inventory.folders[("Inbox", "Projects")].messages == 3

    def test_what_imap_cannot_hold_is_counted_by_type(self, sample):
        _, _, inventory, _ = sample
        assert inventory.not_mail() == {
            "contacts": 5,
            "appointments": 1,
            "tasks": 1,
            "documents": 1,
        }
        assert inventory.folders[("Contacts",)].items[ItemType.CONTACT] == 4

    @pytest.mark.parametrize(
        ("path", "kind"),
        [
            (("Inbox",), FolderKind.MAIL),
            (("Emailed Contacts",), FolderKind.CONTACTS),
            (("Calendar",), FolderKind.CALENDAR),
            (("Tasks",), FolderKind.TASKS),
            (("Briefcase",), FolderKind.BRIEFCASE),
            (("Ärger 日本",), FolderKind.MAIL),
        ],
        ids=str,
    )
    def test_folder_kinds_come_from_the_folder_metas(self, sample, path, kind):
        _, _, inventory, _ = sample
        assert inventory.folders[path].kind == kind


def test_the_archive_is_read_as_a_stream():
    """The first message arrives long before the whole archive has been read."""
    noise = random.Random(1)

    def build(w):
        for n in range(40):
            body = base64.b64encode(noise.randbytes(48_000)).decode()
            w.message("Inbox", eml(f"m{n}", n, body=body), subject=f"m{n}")

    data = archive(build)
    stream = CountingStream(data)
    first = next(ArchiveReader(stream).messages())
    assert first.ref == "Inbox/0000000301-m0.eml"
    assert stream.consumed < len(data) / 4


class CountingStream(io.BytesIO):
    consumed = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


class TestPairing:
    def test_a_message_meta_without_content_is_missing_blob(self):
        def build(w):
            w.folder("Inbox")
            w._entry("Inbox/0000000400-x.eml.meta", meta_for(w, "Inbox", 400), MESSAGE, 1)
            w.message("Inbox", eml("next", 1), subject="next")

        messages, inventory = read_messages(io.BytesIO(archive(build)))
        assert [m.ref for m in messages] == ["Inbox/0000000301-next.eml"]
        assert [(p.entry, p.code) for p in inventory.problems] == [
            ("Inbox/0000000400-x.eml.meta", "MISSING_BLOB")
        ]
        assert inventory.folders[("Inbox",)].messages == 2

    def test_content_after_a_paired_item_is_missing_meta_and_counts_as_missing(self):
        def build(w):
            w.message("Inbox", eml("paired", 1), subject="paired")
            w.raw_entry("Inbox!1/stray.eml", eml("stray", 2), MESSAGE)

        messages, inventory = read_messages(io.BytesIO(archive(build)))
        assert [m.ref for m in messages] == ["Inbox/0000000301-paired.eml"]
        assert [(p.entry, p.code) for p in inventory.problems] == [
            ("Inbox!1/stray.eml", "MISSING_META")
        ]
        assert (inventory.folders[("Inbox",)].messages, inventory.folders[("Inbox",)].refused) == (
            2,
            1,
        )

    def test_content_paired_with_a_folder_meta_is_mismatched_meta(self):
        """Zimbra pairs by order: a stray message after a folder .meta becomes its content."""

        def build(w):
            w.folder("Inbox")
            w.raw_entry("Inbox/stray.eml", eml("stray", 1), MESSAGE)

        messages, inventory = read_messages(io.BytesIO(archive(build)))
        assert messages == []
        assert [p.code for p in inventory.problems] == ["MISMATCHED_META"]
        assert inventory.folders[("Inbox",)].messages == 1

    def test_a_content_entry_of_another_type_is_mismatched_meta(self):
        def build(w):
            w.folder("Inbox")
            w._entry("Inbox/0000000400-x.eml.meta", meta_for(w, "Inbox", 400), MESSAGE, 1)
            w.raw_entry("Inbox/0000000400-x.eml", b"x" * 10, CONTACT)

        messages, inventory = read_messages(io.BytesIO(archive(build)))
        assert messages == []
        assert [p.code for p in inventory.problems] == ["MISMATCHED_META"]

    def test_a_meta_that_is_not_json_counts_in_the_tar_folder_without_its_batch(self):
        def build(w):
            w.raw_entry("Inbox/Sub!2/0000000400-x.eml.meta", b"{not json", MESSAGE)
            w.raw_entry("Inbox/Sub!2/0000000400-x.eml", eml("x", 1), MESSAGE)

        messages, inventory = read_messages(io.BytesIO(archive(build)))
        assert messages == []
        assert [p.code for p in inventory.problems] == ["INVALID_FORMAT"]
        assert inventory.folders[("Inbox", "Sub")].messages == 1

    def test_names_ending_in_the_letters_of_meta_keep_their_folder(self):
        """``rstrip('.meta')`` would turn ``Team meta`` into ``T``; names are never parsed."""

        def build(w):
            w.folder("Team meta")
            w.message("Team meta", eml("Agenda meta", 1), subject="Agenda meta")

        messages, inventory = read_messages(io.BytesIO(archive(build)))
        assert [m.source_folder for m in messages] == [("Team meta",)]
        assert set(inventory.folders) == {("Team meta",)}

    def test_a_newer_version_is_refused_but_counted_in_the_folder_its_path_names(self):
        def build(w):
            w.message("A: b", eml("future", 1), subject="future", Ver=11)

        messages, inventory = read_messages(io.BytesIO(archive(build)))
        assert messages == []
        assert [p.code for p in inventory.problems] == ["UNSUPPORTED_VERSION"]
        assert (inventory.folders[("A: b",)].messages, inventory.folders[("A: b",)].refused) == (
            1,
            1,
        )

    def test_macosx_entries_are_ignored(self):
        def build(w):
            w.raw_entry("__MACOSX/._x.eml", b"junk")
            w.message("Inbox", eml("x", 1), subject="x")

        messages, inventory = read_messages(io.BytesIO(archive(build)))
        assert len(messages) == 1
        assert inventory.problems == []

    def test_a_message_over_the_size_limit_is_refused_unread(self):
        data = archive(lambda w: w.message("Inbox", eml("big", 1, body="x" * 5000), subject="b"))
        reader = ArchiveReader(io.BytesIO(data), max_message_bytes=1000)
        assert list(reader.messages()) == []
        assert [p.code for p in reader.inventory.problems] == ["TOO_LARGE"]


def meta_for(writer, folder, item_id):
    meta = writer._meta(item_id, MESSAGE, f"/{folder}/", date=BASE_DATE, subject="x")
    meta.update(size=10, blob_digest="d")
    return meta


class TestWithoutMeta:
    def test_bare_files_give_messages_and_counts_by_extension(self):
        def build(w):
            w.raw_entry("Inbox/Sub!1/0000000400-read.eml", eml("read", 1), mode=0o644, mtime=5000)
            w.raw_entry("Inbox/Sub/0000000401-unread.eml", eml("unread", 2), mode=0o444)
            w.raw_entry("0000000402-top.eml", eml("top", 3))
            w.raw_entry("Calendar/0000000403-standup.ics", b"BEGIN:VCALENDAR")
            w.raw_entry("Tasks/0000000404-pay.ics", b"BEGIN:VCALENDAR")
            w.raw_entry("Contacts/Christine.vcf", b"BEGIN:VCARD")
            w.raw_entry("Briefcase/report.pdf", b"%PDF")

        messages, inventory = read_messages(io.BytesIO(archive(build, with_meta=False)))
        found = {m.ref.rsplit("-", 1)[1]: m for m in messages}
        assert found["read.eml"].source_folder == ("Inbox", "Sub")
        assert found["read.eml"].flags == (SEEN,)
        assert found["read.eml"].internal_date == datetime.fromtimestamp(5000, UTC)
        assert found["unread.eml"].flags == ()
        assert found["top.eml"].folder == "INBOX"
        assert not inventory.with_meta
        assert inventory.not_mail() == {
            "appointments": 1,
            "tasks": 1,
            "contacts": 1,
            "documents": 1,
        }
        assert inventory.folders[("Inbox", "Sub")].messages == 2


class TestDamagedArchives:
    def test_zimbras_truncated_export_is_read_up_to_the_cut(self):
        with TRUNCATED.open("rb") as stream:
            messages, inventory = read_messages(stream)
        assert messages == []
        assert inventory.entries == 217
        assert inventory.stopped is not None
        assert "EOFError" in inventory.stopped
        assert "after 217 entries" in inventory.stopped
        emailed = inventory.folders[("Emailed Contacts",)]
        assert (emailed.zimbra_id, emailed.kind) == (13, FolderKind.CONTACTS)
        # 216 contact .metas started; the last one is cut inside its JSON.
        assert emailed.items[ItemType.CONTACT] == 215

    def test_no_cut_of_a_gzip_stream_reads_as_complete(self):
        """tarfile's own ``r|gz`` takes a cut at a header boundary for a clean end."""
        data = archive(
            lambda w: [w.message("Inbox", eml(f"m{n}", n) * 3, subject=f"m{n}") for n in range(4)]
        )
        originals = {m.ref: m.raw for m in read_messages(io.BytesIO(data))[0]}
        for cut in range(len(data)):
            messages, inventory = read_messages(io.BytesIO(data[:cut]))
            assert not inventory.complete, cut
            assert all(originals[m.ref] == m.raw for m in messages), cut

    def test_zero_padding_and_a_second_gzip_member_after_the_end_are_fine(self):
        data = archive(lambda w: w.message("Inbox", eml("m", 1), subject="m"))
        for padded in (data + b"\0" * 512, data + data):
            messages, inventory = read_messages(io.BytesIO(padded))
            assert (len(messages), inventory.complete) == (1, True)

    def test_corrupt_compressed_data_stops_the_read(self):
        data = bytearray(
            archive(
                lambda w: [w.message("Inbox", eml(f"m{n}", n), subject=f"m{n}") for n in range(9)]
            )
        )
        data[len(data) // 2] ^= 0xFF
        _, inventory = read_messages(io.BytesIO(bytes(data)))
        assert not inventory.complete

    @pytest.mark.parametrize(
        "data", [b"", b"\x1f\x8b", b"PK\x03\x04 a zip"], ids=["empty", "magic", "zip"]
    )
    def test_something_else_is_unreadable(self, data):
        messages, inventory = read_messages(io.BytesIO(data))
        assert messages == []
        assert inventory.unreadable is not None
        assert inventory.unreadable.startswith("not a readable TGZ archive")


def test_appointment_blobs_are_not_messages():
    data = archive(lambda w: w.calendar_item("Calendar", "Standup", APPOINTMENT, b"MIME blob"))
    messages, inventory = read_messages(io.BytesIO(data))
    assert messages == []
    assert inventory.not_mail() == {"appointments": 1}


class TestRefusalsForTheQuarantine:
    def refusals(self, data: bytes, **kwargs):
        seen: list[Refusal] = []
        reader = ArchiveReader(io.BytesIO(data), on_refused=seen.append, **kwargs)
        list(reader.messages())
        return {r.problem.code: r for r in seen}, reader.inventory

    def test_each_refused_message_of_the_sample_comes_with_its_bytes(self, sample):
        written, _, _, data = sample
        refused, inventory = self.refusals(data)
        assert set(refused) == {"MISMATCHED_SIZE", "UNSUPPORTED_VERSION"}
        entries = sorted(r.problem.entry for r in self.refusals_list(data))
        assert entries == sorted(written.refused)
        future = refused["UNSUPPORTED_VERSION"]
        assert (future.folder, future.subject, future.date) == (
            ("Inbox", "Projects"), "From the future", BASE_DATE,
        )  # fmt: skip
        assert future.data is not None
        assert b"Subject: From the future" in future.data
        assert len(inventory.problems) == 3

    def refusals_list(self, data: bytes):
        seen: list[Refusal] = []
        list(ArchiveReader(io.BytesIO(data), on_refused=seen.append).messages())
        return seen

    def test_a_padded_blob_comes_with_the_padded_bytes(self):
        data = archive(lambda w: w.message("Sent", eml("pad", 1), subject="pad", err=True))
        [padded] = self.refusals_list(data)
        assert (padded.problem.code, padded.folder, padded.subject) == (
            "MISMATCHED_SIZE", ("Sent",), "pad",
        )  # fmt: skip
        assert padded.data is not None
        assert padded.data.endswith(b" " * 16)

    def test_a_meta_without_content_comes_without_bytes(self):
        def build(w):
            w.folder("Inbox")
            w._entry("Inbox/0000000400-x.eml.meta", meta_for(w, "Inbox", 400), MESSAGE, 1)

        [missing] = self.refusals_list(archive(build))
        assert (missing.problem.code, missing.data, missing.subject) == ("MISSING_BLOB", None, "x")

    def test_a_message_over_the_limit_is_reported_without_its_bytes(self):
        data = archive(lambda w: w.message("Inbox", eml("big", 1, body="x" * 5000), subject="b"))
        seen: list[Refusal] = []
        list(
            ArchiveReader(
                io.BytesIO(data), max_message_bytes=1000, on_refused=seen.append
            ).messages()
        )
        assert [(r.problem.code, r.data) for r in seen] == [("TOO_LARGE", None)]

    def test_refused_non_messages_are_only_listed(self):
        def build(w):
            w.folder("Inbox")
            w.raw_entry("Inbox/stray.vcf", b"BEGIN:VCARD", CONTACT)
            w.raw_entry("Contacts/x.meta", b"{not json", CONTACT)

        seen: list[Refusal] = []
        reader = ArchiveReader(io.BytesIO(archive(build)), on_refused=seen.append)
        list(reader.messages())
        assert seen == []
        assert len(reader.inventory.problems) == 2

    def test_a_ver_11_meta_cut_off_before_its_content_is_still_reported(self):
        data = archive(lambda w: w.message("Inbox", eml("future", 1), subject="f", Ver=11))
        cut = _cut_after_first_entry(data)
        seen = self.refusals_list(cut)
        assert [(r.problem.code, r.data) for r in seen] == [("UNSUPPORTED_VERSION", None)]


def _cut_after_first_entry(data: bytes) -> bytes:
    """The archive recompressed with only its first tar entry (header + one data block)."""
    tar = gzip.decompress(data)
    return gzip.compress(tar[:1024])[:-8]  # the gzip trailer gone too: a cut download
