"""runner-pst end to end: request -> dispatcher -> work queue -> readpst -> Dovecot -> facts.

Real NATS, real readpst, a real Dovecot destination (Exchange-like folder names), the fixtures.
"""

import asyncio
import json
import uuid

import pytest
from nats.js.errors import NotFoundError

from mailferry_contracts.common import EngineOptions, RunType
from mailferry_contracts.jobs import VerifyRequested
from mailferry_contracts.mailboxes import MailboxVerified
from mailferry_contracts.runs import RunQueued, RunStarted
from mailferry_devstack.corpus_io import read_mailbox
from mailferry_runner_pst.main import create_app
from tests.fixtures.runner_jobs import mailbox_events, of_type, run_events

from .conftest import pst
from .runner import (
    artifact_bytes,
    create_pst_job,
    finished_runs,
    request,
    runner_settings,
    store_upload,
    sync,
)

pytestmark = pytest.mark.integration

# Every real fixture readpst can open, with the mail its independent count promises.
REAL = {
    "aspose-Outlook.pst": 14,
    "aspose-SampleContacts.pst": 0,
    "aspose-SampleOstFile.ost": 81,
    "aspose-Test_part1.pst": 31,
    "aspose-passwordprotectedPST.pst": 4,
    "gopst-32-bit-ansi.pst": 0,
    "gopst-support.pst": 17,
    "javalibpst-dist-list.pst": 0,
    "javalibpst-passworded.pst": 0,
    "pstsdk-sample1.pst": 1,
    "pstsdk-sample2-ansi.pst": 1,
    "pstsdk-submessage.pst": 1,
    "pstsdk-test_ansi.pst": 0,
    "pstsdk-test_unicode.pst": 0,
    "rubymsg-200-recipients.pst": 1,
    "rubymsg-attachAndInline.pst": 1,
    "rubymsg-msgInMsg.pst": 1,
}


def verified_of(facts) -> list[MailboxVerified]:
    return [f for f in facts if isinstance(f, MailboxVerified)]


async def import_fixtures(bus, vault, server, names, **job_options):
    job = await create_pst_job(bus, vault, server, ["pst"] * len(names), **job_options)
    for box, name in zip(job.boxes, names, strict=True):
        await store_upload(bus, job, box, pst(name), "pst")
    await request(bus, job, sync())
    finished = await finished_runs(bus, job, len(names))
    by_mailbox = {f.mailbox_id: f for f in finished}
    return job, [by_mailbox[box.mailbox_id] for box in job.boxes]


class TestRealFixtures:
    async def test_every_folder_arrives_complete_and_a_second_run_copies_nothing(
        self, bus, vault, dovecot_pair, runner_app
    ):
        names = list(REAL)
        job, first = await import_fixtures(bus, vault, dovecot_pair.destination, names)

        outcomes = {n: (f.status, f.error_class) for n, f in zip(names, first, strict=True)}
        assert outcomes == dict.fromkeys(names, ("success", None))
        for name, box in zip(names, job.boxes, strict=True):
            [verified] = verified_of(await mailbox_events(bus, box.mailbox_id))
            assert verified.expected_messages == REAL[name], name
            short = [f for f in verified.folders if f.destination_messages != f.source_messages]
            assert short == [], name
            assert verified.destination_messages == REAL[name], name

        await request(bus, job, sync())
        second = (await finished_runs(bus, job, 2 * len(names)))[len(names) :]
        assert {(f.status, f.stats.transferred) for f in second} == {("success", 0)}
        assert sum(f.stats.skipped for f in second) == sum(REAL.values())

    async def test_nested_folders_of_an_ost_keep_their_tree(
        self, bus, vault, dovecot_pair, runner_app
    ):
        job, [finished] = await import_fixtures(
            bus, vault, dovecot_pair.destination, ["aspose-SampleOstFile.ost"]
        )
        user = job.boxes[0].user
        server = dovecot_pair.destination
        counts = read_mailbox(server.host, server.port, user.name, user.password).counts()
        assert finished.status == "success"
        assert {k: v for k, v in counts.items() if v} == {
            "INBOX": 12,
            "INBOX/sub1": 25,
            "INBOX/sub2": 29,
            "Sent Items": 6,
            "Sync Issues": 9,
        }

    async def test_posts_distribution_lists_and_calendars_are_reported_not_lost(
        self, bus, vault, dovecot_pair, runner_app
    ):
        names = ["pstsdk-test_unicode.pst", "javalibpst-dist-list.pst", "aspose-Outlook.pst"]
        _, [posts, lists, outlook] = await import_fixtures(
            bus, vault, dovecot_pair.destination, names
        )
        assert "Folder: 1 post not importable by readpst" in posts.error_message
        assert "1 distribution list not importable by readpst" in lists.error_message
        assert "1 calendar item, 1 contact kept for download" in outlook.error_message
        items = outlook.error_message.split("download (", 1)[1].split(")", 1)[0]
        assert items.endswith("/items.zip")
        assert (await artifact_bytes(bus, items)).startswith(b"PK")

    async def test_deleted_items_come_along_when_asked_for(
        self, bus, vault, dovecot_pair, runner_app
    ):
        job, [finished] = await import_fixtures(
            bus, vault, dovecot_pair.destination, ["aspose-passwordprotectedPST.pst"],
            options=EngineOptions(include_deleted=True),
        )  # fmt: skip
        [verified] = verified_of(await mailbox_events(bus, job.boxes[0].mailbox_id))
        assert finished.status == "success"
        assert {f.destination_folder: f.destination_messages for f in verified.folders} == {
            "INBOX": 4,
            "Deleted Items": 14,
        }

    async def test_job_and_mailbox_folder_maps_are_applied_unicode_names_too(
        self, bus, vault, dovecot_pair, runner_app
    ):
        job, [finished] = await import_fixtures(
            bus, vault, dovecot_pair.destination, ["aspose-SampleOstFile.ost"],
            options=EngineOptions(folder_map={"Inbox": "Imported/Old inbox"}),
            folder_map={"Sync Issues": "Проекты/Synchronisierungsfehler ü"},
        )  # fmt: skip
        user = job.boxes[0].user
        server = dovecot_pair.destination
        counts = read_mailbox(server.host, server.port, user.name, user.password).counts()
        assert finished.status == "success", finished.error_message
        assert {k: v for k, v in counts.items() if v} == {
            "Imported/Old inbox": 12,
            "Imported/Old inbox/sub1": 25,
            "Imported/Old inbox/sub2": 29,
            "Sent Items": 6,
            "Проекты/Synchronisierungsfehler ü": 9,
        }


class TestDamagedFixtures:
    async def test_silent_loss_ends_partial_with_the_missing_counts_per_folder(
        self, bus, vault, dovecot_pair, runner_app
    ):
        names = ["aspose-SampleOstFile-truncated.pst", "aspose-Test_part1-corrupted.pst"]
        job, [ost, part1] = await import_fixtures(bus, vault, dovecot_pair.destination, names)

        assert (ost.status, ost.error_class) == ("partial", "partial")
        assert "Inbox: expected 12, extracted 5, missing 7" in ost.error_message
        assert "Sent Items: expected 6, extracted 0, missing 6" in ost.error_message
        assert "Sent Items -> Sent Items: expected 6, at the destination 0, missing 6" in (
            ost.error_message
        )
        assert (part1.status, part1.error_class) == ("partial", "partial")
        assert "Sent Items: expected 31, extracted 20, missing 11" in part1.error_message
        [verified] = verified_of(await mailbox_events(bus, job.boxes[1].mailbox_id))
        assert (verified.expected_messages, verified.destination_messages) == (31, 20)

    @pytest.mark.parametrize(
        ("name", "error_class", "message"),
        [
            ("not-a-pst.pst", "file_not_supported", "not a PST/OST file"),
            ("aspose-Test_part1-truncated.pst", "file_unreadable", "root record"),
            ("aspose-AddingBulkMessagesWithImprovedPerformance.pst", "file_unreadable",
             "root record"),
        ],
    )  # fmt: skip
    async def test_unreadable_files_fail_with_a_clear_error(
        self, bus, vault, dovecot_pair, runner_app, name, error_class, message
    ):
        _, [finished] = await import_fixtures(bus, vault, dovecot_pair.destination, [name])
        assert (finished.status, finished.error_class) == ("failed", error_class)
        assert message in finished.error_message


class TestRuns:
    async def test_a_mailbox_without_an_upload_fails_naming_it(
        self, bus, vault, dovecot_pair, runner_app
    ):
        job = await create_pst_job(bus, vault, dovecot_pair.destination, ["pst"])
        await request(bus, job, sync())
        [finished] = await finished_runs(bus, job, 1)
        assert (finished.status, finished.error_class) == ("failed", "invalid_input")
        assert str(job.boxes[0].mailbox_id) in finished.error_message
        assert "has no uploaded pst file" in finished.error_message

    async def test_progress_log_and_run_facts(self, bus, vault, dovecot_pair, runner_app):
        job, [finished] = await import_fixtures(
            bus, vault, dovecot_pair.destination, ["gopst-support.pst"]
        )
        events = await run_events(bus, job.job_id)
        [queued] = of_type(events, RunQueued)
        [started] = of_type(events, RunStarted)
        assert (queued.run_type, queued.runner_kind) == (RunType.PST_UPLOAD, "pst")
        assert started.tool == "readpst"
        assert started.command_line.split()[1:4] == ["-r", "-8", "-o"]
        assert finished.log_ref is not None
        text = await log_text(bus, finished.log_ref)
        assert 'readpst: Processing Folder "Sent Messages"' in text
        assert "Sent Messages -> Sent Items: 11 expected / 11 there" in text
        last = await bus.js.get_last_msg(
            "MIGRATION_PROGRESS", f"migration.progress.{job.job_id}.{job.boxes[0].mailbox_id}"
        )
        assert b"RunProgress" in (last.data or b"")

    async def test_the_run_directory_is_gone_afterwards(
        self, bus, vault, dovecot_pair, runner_app, tmp_path
    ):
        await import_fixtures(bus, vault, dovecot_pair.destination, ["gopst-support.pst"])
        assert list((tmp_path / "data" / "work").iterdir()) == []

    async def test_health_reports_nats_dispatcher_and_work_queue(
        self, bus_settings, tmp_path, readpst_bin
    ):
        app = create_app(runner_settings(bus_settings.nats_url, tmp_path, health_port=0))
        await app.start()
        try:
            runner = app.context.get("runner")
            port = runner.health.port
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /healthz HTTP/1.0\r\n\r\n")
            answer = await reader.read()
            writer.close()
        finally:
            await app.stop()
        assert answer.startswith(b"HTTP/1.0 200")
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["checks"] == {
            "nats": True,
            "dispatcher": True,
            "work_queue": True,
        }

    async def test_a_verify_request_counts_again_as_its_own_run(
        self, bus, vault, dovecot_pair, runner_app
    ):
        job, _ = await import_fixtures(
            bus, vault, dovecot_pair.destination, ["aspose-Test_part1.pst"]
        )
        await request(bus, job, VerifyRequested(request_id=uuid.uuid4()))
        [_, verify] = await finished_runs(bus, job, 2)
        assert (verify.run_type, verify.tool, verify.status) == ("verify", "verify", "success")
        facts = verified_of(await mailbox_events(bus, job.boxes[0].mailbox_id))
        assert [f.run_id for f in facts][-1] == verify.run_id
        assert (facts[-1].expected_messages, facts[-1].destination_messages) == (31, 31)


async def log_text(bus, subject: str) -> str:
    chunks: list[str] = []
    seq = 1
    while True:
        try:
            msg = await bus.js.get_msg("MIGRATION_LOGS", seq, subject=subject, next=True)
        except NotFoundError:
            return "".join(chunks)
        chunks.append((msg.data or b"").decode())
        seq = (msg.seq or seq) + 1
