"""runner-tgz end to end, archive posted to Carbonio over SSH: dispatcher, work queue, real sshd
with the zmmailbox STAND-IN (not Zimbra) on both servers, real NATS."""

from pathlib import Path

import asyncssh
import pytest

from mailferry_contracts import subjects as subj
from mailferry_contracts.common import ServerSettings, SyncMode
from mailferry_contracts.mailboxes import MailboxVerified, QuarantineRecorded
from mailferry_contracts.runs import RunAttemptFailed, RunStarted
from tests.fixtures.runner_jobs import mailbox_events, of_type, run_events

from .conftest import seed_source
from .harness import (
    ZimbraMailbox,
    clean_archive,
    create_zimbra_job,
    log_text,
    progress_of,
    run_request,
    runner_settings,
    running,
    sample_archive,
    sync,
    verify,
)

pytestmark = pytest.mark.integration

ANN, CARL = "ann@old.example", "carl@old.example"
BOB, DORA = "bob@new.example", "dora@new.example"
CARBONIO = ServerSettings(host="127.0.0.1", port=993, label="carbonio")
TRUNCATED = Path(__file__).parents[2] / "data" / "tgz" / "zimbra-zm-mailbox-Truncated.tgz"


@pytest.fixture
async def carbonio_app(bus_settings, zimbra_hosts, tmp_path):
    settings = runner_settings(
        bus_settings.nats_url, zimbra_hosts, tmp_path / "data", carbonio=True
    )
    async with running(settings) as app:
        yield app


@pytest.fixture
def two_mailboxes(zimbra_hosts):
    """ann: the rich sample (3 damaged entries); carl: a clean archive. bob and dora exist."""
    sample, written = sample_archive()
    digests = {
        ANN: seed_source(zimbra_hosts.source, ANN, sample),
        CARL: seed_source(zimbra_hosts.source, CARL, clean_archive()),
    }
    zimbra_hosts.carbonio.add_account(BOB)
    zimbra_hosts.carbonio.add_account(DORA)
    return written, digests


def by_mailbox(job, finished):
    ids = {m.mailbox_id: m.source_user for m in job.mailboxes}
    return {ids[f.mailbox_id]: f for f in finished}


class TestTwoMailboxes:
    async def test_both_are_exported_imported_and_counted_per_folder(
        self, bus, zimbra_hosts, two_mailboxes, carbonio_app
    ):
        written, digests = two_mailboxes
        job = await create_zimbra_job(
            bus, [ZimbraMailbox(ANN, BOB), ZimbraMailbox(CARL, DORA)], destination=CARBONIO
        )

        finished = by_mailbox(job, await run_request(bus, job, sync()))

        assert (finished[CARL].status, finished[CARL].error_class) == ("success", None)
        assert (finished[ANN].status, finished[ANN].error_class) == ("partial", "partial")
        assert finished[CARL].stats.transferred == 8  # 7 messages and a contact
        bob = zimbra_hosts.carbonio.items(BOB)
        for folder, count in written.importable().items():
            assert bob[f"/{folder}"] >= count, folder
        assert bob["/Inbox/Projects"] == 1  # the wrong-size and Ver 11 messages stay out
        assert zimbra_hosts.carbonio.items(DORA) == {
            "/Inbox": 5, "/Inbox/Sub": 1, "/Sent": 1, "/Contacts": 1,
        }  # fmt: skip
        for account, run in finished.items():
            text = await log_text(bus, run.log_ref)
            assert f"SHA-256 {digests[account]}" in text  # the archive arrived unchanged
            assert "import path: carbonio" in text

    async def test_the_runs_report_verification_roles_and_progress(
        self, bus, zimbra_hosts, two_mailboxes, carbonio_app
    ):
        job = await create_zimbra_job(
            bus, [ZimbraMailbox(ANN, BOB), ZimbraMailbox(CARL, DORA)], destination=CARBONIO
        )
        await run_request(bus, job, sync())
        carl = job.mailboxes[1].mailbox_id

        [verified] = [e for e in await mailbox_events(bus, carl) if isinstance(e, MailboxVerified)]
        folders = {f.destination_folder: f for f in verified.folders}
        assert set(folders) == {"/Inbox", "/Inbox/Sub", "/Sent"}  # contacts are not mail
        assert (folders["/Inbox"].role, folders["/Sent"].role) == ("inbox", "sent")
        assert (verified.source_messages, verified.destination_messages) == (7, 7)
        progress = await progress_of(bus, job, carl)
        assert (progress.folder, progress.messages_done) == ("import", 8)

    async def test_damaged_entries_are_quarantined_one_by_one(
        self, bus, zimbra_hosts, two_mailboxes, carbonio_app
    ):
        written, _ = two_mailboxes
        job = await create_zimbra_job(bus, [ZimbraMailbox(ANN, BOB)], destination=CARBONIO)
        [finished] = await run_request(bus, job, sync())

        [quarantine] = [
            e
            for e in await mailbox_events(bus, job.mailboxes[0].mailbox_id)
            if isinstance(e, QuarantineRecorded)
        ]
        assert quarantine.count == 3
        by_entry = {item.detail.split(": ", 1)[0]: item for item in quarantine.items}
        assert set(by_entry) == set(written.refused)
        reasons = {
            item.detail.split(": ")[1].split(" ")[0]: item.reason for item in quarantine.items
        }
        assert reasons == {
            "MISMATCHED_SIZE": "file_unreadable",
            "UNSUPPORTED_VERSION": "file_not_supported",
        }
        store = await bus.js.object_store(subj.ARTIFACTS_OBJECTS)
        mbox = (await store.get(quarantine.artifact)).data
        assert mbox.count(b"\nFrom MAILER-DAEMON ") + mbox.startswith(b"From ") == 3
        assert b"Subject: Wrong size" in mbox
        assert finished.run_id == quarantine.run_id

    async def test_a_second_run_adds_nothing(self, bus, zimbra_hosts, two_mailboxes, carbonio_app):
        job = await create_zimbra_job(
            bus, [ZimbraMailbox(ANN, BOB), ZimbraMailbox(CARL, DORA)], destination=CARBONIO
        )
        await run_request(bus, job, sync())
        before = {a: zimbra_hosts.carbonio.items(a) for a in (BOB, DORA)}

        again = by_mailbox(job, await run_request(bus, job, sync(SyncMode.DELTA)))

        assert {a: zimbra_hosts.carbonio.items(a) for a in (BOB, DORA)} == before
        assert [p["added"] for p in zimbra_hosts.carbonio.posts()[2:]] == [{}, {}]
        assert {a: r.stats.transferred for a, r in again.items()} == {ANN: 0, CARL: 0}
        assert again[CARL].status == "success"


class TestVerify:
    async def test_verify_counts_both_servers(self, bus, zimbra_hosts, two_mailboxes, carbonio_app):
        job = await create_zimbra_job(bus, [ZimbraMailbox(CARL, DORA)], destination=CARBONIO)
        await run_request(bus, job, sync())

        [finished] = await run_request(bus, job, verify())

        assert (finished.status, finished.tool) == ("success", "verify")
        facts = [
            e
            for e in await mailbox_events(bus, job.mailboxes[0].mailbox_id)
            if isinstance(e, MailboxVerified) and e.run_id == finished.run_id
        ]
        [verified] = facts
        assert {f.destination_folder: f.destination_messages for f in verified.folders} == {
            "/Inbox": 5, "/Inbox/Sub": 1, "/Sent": 1,
        }  # fmt: skip
        assert verified.source_messages == verified.destination_messages == 7


class TestTruncated:
    async def test_the_real_truncated_export_ends_partial_with_what_was_whole(
        self, bus, zimbra_hosts, carbonio_app
    ):
        zimbra_hosts.source.add_account(ANN, TRUNCATED.read_bytes())
        zimbra_hosts.carbonio.add_account(BOB)
        job = await create_zimbra_job(bus, [ZimbraMailbox(ANN, BOB)], destination=CARBONIO)

        [finished] = await run_request(bus, job, sync())

        assert (finished.status, finished.error_class) == ("partial", "file_unreadable")
        assert "ends early" in finished.error_message
        assert zimbra_hosts.carbonio.items(BOB) == {"/Emailed Contacts": 215}
        text = await log_text(bus, finished.log_ref)
        assert "importing its 216 whole entries" in text
        assert "/Emailed Contacts -> /Emailed Contacts: 215/215" in text
        facts = await mailbox_events(bus, job.mailboxes[0].mailbox_id)
        assert not [e for e in facts if isinstance(e, MailboxVerified)]


class TestRefusals:
    async def test_a_hostile_account_is_refused_before_ssh(
        self, bus, zimbra_hosts, carbonio_app, sshd_server
    ):
        hostile = "ann'; touch /tmp/pwned-mailferry; '"
        job = await create_zimbra_job(bus, [ZimbraMailbox(hostile, BOB)], destination=CARBONIO)

        [finished] = await run_request(bus, job, sync())

        assert (finished.status, finished.error_class, finished.attempt) == (
            "failed",
            "invalid_input",
            1,
        )
        assert "contains" in finished.error_message
        assert zimbra_hosts.source.calls() == []
        assert zimbra_hosts.carbonio.calls() == []
        assert of_type(await run_events(bus, job.job_id), RunAttemptFailed) == []
        for login in (zimbra_hosts.source.login, zimbra_hosts.carbonio.login):
            assert _fingerprint(login.key_file) not in sshd_server.log_path.read_text()

    async def test_a_key_the_source_refuses_is_auth_failed_without_retry(
        self, bus, bus_settings, zimbra_hosts, sshd_server, two_mailboxes, tmp_path
    ):
        stranger = sshd_server.stranger()
        settings = runner_settings(
            bus_settings.nats_url,
            zimbra_hosts,
            tmp_path / "data",
            carbonio=True,
            zimbra_ssh_key_file=stranger.key_file,
        )
        job = await create_zimbra_job(bus, [ZimbraMailbox(CARL, DORA)], destination=CARBONIO)
        async with running(settings):
            [finished] = await run_request(bus, job, sync())

        assert (finished.status, finished.error_class, finished.attempt) == (
            "failed",
            "auth_failed_source",
            1,
        )
        events = await run_events(bus, job.job_id)
        assert of_type(events, RunAttemptFailed) == []
        assert [s.attempt for s in of_type(events, RunStarted)] == [1]


def _fingerprint(key_file) -> str:
    return asyncssh.read_private_key(key_file).get_fingerprint("sha256")
