"""Quarantine (tiny quota, raised, retried), and mbox / eml zip uploads through runner-pst."""

import asyncio
import io
import uuid
import zipfile
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from mailferry_contracts.common import RunType
from mailferry_contracts.jobs import RetryItem, RetryRequested
from mailferry_contracts.mailboxes import MailboxVerified, QuarantineRecorded
from mailferry_devstack.corpus_io import read_mailbox
from tests.fixtures.runner_jobs import mailbox_events

from .conftest import pst
from .runner import artifact_bytes, create_pst_job, finished_runs, request, store_upload, sync

pytestmark = pytest.mark.integration


def message(subject: str, when: datetime, *, body: str = "hello\n", status: str = "") -> bytes:
    head = [
        "From: Alice <alice@old.example>",
        "To: bob@new.example",
        f"Subject: {subject}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: <{uuid.uuid4().hex}@old.example>",
    ]
    if status:
        head.append(f"Status: {status}")
    return ("\n".join(head) + "\n\n" + body).encode()


class TestQuarantine:
    async def test_over_quota_goes_to_quarantine_and_a_retry_after_raising_it_empties_it(
        self, bus, vault, dovecot_pair, runner_app
    ):
        server = dovecot_pair.destination
        job = await create_pst_job(bus, vault, server, ["pst"], quota_bytes=300_000)
        [box] = job.boxes
        await store_upload(bus, job, box, pst("aspose-Outlook.pst"), "pst")
        await request(bus, job, sync())
        [first] = await finished_runs(bus, job, 1)

        assert (first.status, first.error_class) == ("partial", "over_quota")
        [quarantine] = [
            f for f in await mailbox_events(bus, box.mailbox_id)
            if isinstance(f, QuarantineRecorded)
        ]  # fmt: skip
        assert quarantine.count == len(quarantine.items) > 0
        assert {item.reason for item in quarantine.items} == {"over_quota"}
        assert first.stats.transferred + quarantine.count == 14
        assert all(item.size_bytes > 0 and item.folder for item in quarantine.items)
        mbox = await artifact_bytes(bus, quarantine.artifact)
        assert mbox.count(b"\nX-Mailferry-Quarantine-Reason: over_quota\n") == quarantine.count
        assert mbox.count(b"From mailferry-quarantine ") == quarantine.count

        await asyncio.to_thread(server.set_quota, box.user.name, None)
        item = RetryItem(mailbox_id=box.mailbox_id, run_type=RunType.PST_UPLOAD)
        await request(bus, job, RetryRequested(request_id=uuid.uuid4(), scope="one", items=[item]))
        [_, retry] = await finished_runs(bus, job, 2)

        assert (retry.status, retry.stats.transferred) == ("success", quarantine.count)
        facts = await mailbox_events(bus, box.mailbox_id)
        assert len([f for f in facts if isinstance(f, QuarantineRecorded)]) == 1
        last = [f for f in facts if isinstance(f, MailboxVerified)][-1]
        assert (last.run_id, last.destination_messages) == (retry.run_id, 14)


class TestMbox:
    async def test_an_mbox_lands_in_inbox_with_flags_and_dates_from_the_messages(
        self, bus, vault, dovecot_pair, runner_app, tmp_path
    ):
        when = datetime(2019, 5, 4, 10, 30, tzinfo=UTC)
        records = [
            message("read one", when, status="RO"),
            message("unread one", when, body="From the start\n>From quoted\n"),
        ]
        path = tmp_path / "export.mbox"
        path.write_bytes(
            b"".join(
                b"From alice@old.example Thu Jan  1 00:00:00 1970\n"
                + r.replace(b"\nFrom ", b"\n>From ").replace(b"\n>From quoted", b"\n>>From quoted")
                + b"\n"
                for r in records
            )
        )
        job = await create_pst_job(bus, vault, dovecot_pair.destination, ["mbox"])
        [box] = job.boxes
        await store_upload(bus, job, box, path, "mbox")
        await request(bus, job, sync())
        [finished] = await finished_runs(bus, job, 1)

        assert (finished.status, finished.tool) == ("success", "uploader")
        server, user = dovecot_pair.destination, box.user
        content = read_mailbox(server.host, server.port, user.name, user.password)
        inbox = content.folders["INBOX"]
        assert sorted(m.flags for m in inbox) == [frozenset(), frozenset({"\\Seen"})]
        assert {m.internal_date for m in inbox} == {when}

        await request(bus, job, sync())
        [_, again] = await finished_runs(bus, job, 2)
        assert (again.status, again.stats.transferred, again.stats.skipped) == ("success", 0, 2)


class TestEmlZip:
    async def test_nested_and_unicode_folders_arrive_intact(
        self, bus, vault, dovecot_pair, runner_app, tmp_path
    ):
        when = datetime(2021, 2, 3, 4, 5, tzinfo=UTC)
        entries = {
            "Inbox/a.eml": message("a", when),
            "Проекты/2024/Отчёт.eml": message("b", when),
            "Entwürfe/c.eml": message("c", when),
            "Sent Items/Old/d.eml": message("d", when),
            "readme.txt": b"not mail",
        }
        path = tmp_path / "mail.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in entries.items():
                archive.writestr(name, data)
        job = await create_pst_job(bus, vault, dovecot_pair.destination, ["eml_zip"])
        [box] = job.boxes
        await store_upload(bus, job, box, path, "eml_zip")
        await request(bus, job, sync())
        [finished] = await finished_runs(bus, job, 1)

        assert finished.status == "success", finished.error_message
        assert "zip entry readme.txt skipped: not an .eml file" in finished.error_message
        server, user = dovecot_pair.destination, box.user
        counts = read_mailbox(server.host, server.port, user.name, user.password).counts()
        assert {k: v for k, v in counts.items() if v} == {
            "INBOX": 1,
            "Проекты/2024": 1,
            "Drafts": 1,
            "Sent Items/Old": 1,
        }

    async def test_entries_that_cannot_be_read_are_quarantined_and_counted(
        self, bus, vault, dovecot_pair, runner_app, tmp_path
    ):
        when = datetime(2021, 2, 3, 4, 5, tzinfo=UTC)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("ok.eml", message("fine", when))
            archive.writestr("../escape.eml", message("hostile", when))
        path = tmp_path / "hostile.zip"
        path.write_bytes(buffer.getvalue())
        job = await create_pst_job(bus, vault, dovecot_pair.destination, ["eml_zip"])
        [box] = job.boxes
        await store_upload(bus, job, box, path, "eml_zip")
        await request(bus, job, sync())
        [finished] = await finished_runs(bus, job, 1)

        assert (finished.status, finished.error_class) == ("partial", "file_unreadable")
        facts = await mailbox_events(bus, box.mailbox_id)
        [quarantine] = [f for f in facts if isinstance(f, QuarantineRecorded)]
        assert [(i.reason, i.subject) for i in quarantine.items] == [
            ("file_unreadable", "(unreadable: ../escape.eml)")
        ]
        [verified] = [f for f in facts if isinstance(f, MailboxVerified)]
        assert (verified.source_messages, verified.destination_messages) == (2, 1)
