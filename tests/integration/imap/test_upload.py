import pytest

from mailferry_devstack.corpus import SMALL, generate
from mailferry_imap import BytesMessage, FileMessage, SyncOptions, upload_messages, verify_upload
from mailferry_imap.uploader import aiter_messages
from tests.fixtures.dovecot_pair import EXCHANGE_NAMES, MailboxPair, by_folder, endpoint, new_user

pytestmark = pytest.mark.integration

LOCAL_NAMES = {"INBOX": "Posteingang", "Sent": "Gesendete Elemente"}


def local_corpus():
    return [
        BytesMessage(
            folder=LOCAL_NAMES.get(m.folder, m.folder),
            data=m.raw,
            flags=m.flags,
            internal_date=m.internal_date,
            ref=f"corpus#{index}",
        )
        for index, m in enumerate(generate(SMALL))
    ]


class TestUpload:
    async def test_an_import_lands_like_a_copy_and_a_second_import_uploads_nothing(
        self, dovecot_pair
    ):
        target = new_user(dovecot_pair.destination)
        destination = endpoint(dovecot_pair.destination, target)
        first = await upload_messages(destination, aiter_messages(local_corpus()), total=300)
        second = await upload_messages(destination, aiter_messages(local_corpus()))
        assert first.status == "success", first.error_message
        assert first.stats.transferred == 300
        assert (second.stats.transferred, second.stats.skipped) == (0, 300)
        assert first.stats.no_message_id == 4
        reference = MailboxPair(dovecot_pair, new_user(dovecot_pair.source), target)
        reference.fill_source(SMALL)
        expected = by_folder(reference.read_source(), EXCHANGE_NAMES)
        uploaded = by_folder(reference.read_destination())
        assert {k: v for k, v in uploaded.items() if v} == {k: v for k, v in expected.items() if v}

    async def test_file_spans_are_streamed_from_disk(self, dovecot_pair, tmp_path):
        target = new_user(dovecot_pair.destination)
        messages = list(generate(SMALL))[:20]
        path = tmp_path / "export.mbox"
        spans, offset = [], 0
        with path.open("wb") as out:
            for m in messages:
                out.write(b"From - x\n")
                offset += len(b"From - x\n")
                out.write(m.raw)
                spans.append(
                    FileMessage("Archive", path, offset, len(m.raw), m.flags, m.internal_date)
                )
                offset += len(m.raw)
        report = await upload_messages(
            endpoint(dovecot_pair.destination, target), aiter_messages(spans)
        )
        assert report.stats.transferred == 20
        pair = MailboxPair(dovecot_pair, target, target)
        assert pair.read_destination().counts()["Archive"] == 20

    async def test_refused_messages_come_back_for_quarantine(self, dovecot_pair):
        target = new_user(dovecot_pair.destination, quota_bytes=1_000_000)
        report = await upload_messages(
            endpoint(dovecot_pair.destination, target),
            aiter_messages(local_corpus()),
            SyncOptions(errors_max=15),
        )
        assert report.error_class == "over_quota"
        assert len(report.rejected) >= 15
        assert {r.error_class for r in report.rejected} == {"over_quota"}
        assert all(r.message.ref.startswith("corpus#") for r in report.rejected)

    async def test_dry_run_uploads_nothing(self, dovecot_pair):
        target = new_user(dovecot_pair.destination)
        report = await upload_messages(
            endpoint(dovecot_pair.destination, target),
            aiter_messages(local_corpus()),
            SyncOptions(dry_run=True),
        )
        assert report.stats.transferred == 0
        assert sum(f.planned for f in report.folders) == 300


class TestNestedAndVerified:
    async def test_subfolders_of_a_special_folder_follow_it(self, dovecot_pair):
        target = new_user(dovecot_pair.destination)
        messages = [
            BytesMessage(folder="Gesendete Elemente/2019", data=m.raw, ref=f"m{i}")
            for i, m in enumerate(list(generate(SMALL))[:3])
        ]
        destination = endpoint(dovecot_pair.destination, target)
        report = await upload_messages(destination, aiter_messages(messages))
        assert [f.destination for f in report.folders] == ["Sent Items/2019"]

        verified = await verify_upload(
            destination, {"Gesendete Elemente/2019": 3, "Posteingang": 2}
        )
        assert verified.ok
        assert [
            (f.source_folders, f.destination_folder, f.source_messages, f.destination_messages)
            for f in verified.folders
        ] == [
            (["Gesendete Elemente/2019"], "Sent Items/2019", 3, 3),
            (["Posteingang"], "INBOX", 2, 0),
        ]
        assert [f.role for f in verified.folders] == ["other", "inbox"]
