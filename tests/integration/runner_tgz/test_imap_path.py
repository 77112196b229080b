"""runner-tgz end to end, archive uploaded to the job's IMAP destination: dispatcher, work queue,
real sshd with the zmmailbox STAND-IN (not Zimbra) as the source, real Dovecot, real NATS."""

import asyncio
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mailferry_contracts import subjects as subj
from mailferry_contracts.common import EngineOptions, ServerSettings, SyncMode
from mailferry_contracts.mailboxes import MailboxPreflighted, MailboxVerified, QuarantineRecorded
from mailferry_contracts.runs import RunAttemptFailed
from mailferry_devstack.corpus_io import read_mailbox
from mailferry_devstack.ports import free_port
from mailferry_vault import CredentialVault, KeyRing
from tests.fixtures.dovecot_pair import new_user
from tests.fixtures.runner_jobs import mailbox_events, of_type, run_events
from tests.fixtures.tgz_generator import BASE_DATE

from .conftest import seed_source
from .harness import (
    KEY,
    ZimbraMailbox,
    clean_archive,
    create_zimbra_job,
    log_text,
    preflight,
    run_request,
    runner_settings,
    running,
    sample_archive,
    sync,
)

pytestmark = pytest.mark.integration

ANN, CARL = "ann@old.example", "carl@old.example"
TRUNCATED = Path(__file__).parents[2] / "data" / "tgz" / "zimbra-zm-mailbox-Truncated.tgz"
# The sample mailbox's folders on the Exchange-like Dovecot (automap by name).
SAMPLE_FOLDERS = {
    "INBOX": 6,
    "INBOX/Bulk": 520,
    "INBOX/Projects": 1,
    "INBOX/Projects/Q3: *plan*?": 1,
    "Sent Items": 1,
    "Drafts": 1,
    "Junk E-mail": 1,
    "Deleted Items": 1,
    "Ärger 日本": 1,
}


@pytest.fixture
async def vault(bus):
    return await CredentialVault.open(bus.js, KeyRing.parse(KEY, "test"))


@pytest.fixture
async def imap_app(bus_settings, zimbra_hosts, tmp_path):
    settings = runner_settings(
        bus_settings.nats_url, zimbra_hosts, tmp_path / "data", carbonio=False
    )
    async with running(settings) as app:
        yield app


@pytest.fixture
def users(dovecot_pair):
    return new_user(dovecot_pair.destination), new_user(dovecot_pair.destination)


def destination_of(dovecot_pair) -> ServerSettings:
    server = dovecot_pair.destination
    return ServerSettings(host=server.host, port=server.port, security="none")


async def two_mailbox_job(bus, vault, dovecot_pair, users):
    ann, carl = users
    return await create_zimbra_job(
        bus,
        [
            ZimbraMailbox(ANN, ann.name, ann.password),
            ZimbraMailbox(CARL, carl.name, carl.password),
        ],
        destination=destination_of(dovecot_pair),
        vault=vault,
    )


def read(dovecot_pair, user):
    server = dovecot_pair.destination
    return read_mailbox(server.host, server.port, user.name, user.password)


def message_id(subject: str, n: int) -> str:
    """The Message-ID ``tgz_generator.eml`` gives a message."""
    return f"<m{n}.{hashlib.sha1(subject.encode()).hexdigest()[:8]}@example.com>"  # noqa: S324


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    """Folders holding mail (the Exchange-like Dovecot creates its special folders itself)."""
    return {folder: n for folder, n in counts.items() if n}


def flags_by_id(content) -> dict[str, frozenset[str]]:
    return {m.message_id: m.flags for ms in content.folders.values() for m in ms}


@pytest.fixture
def two_sources(zimbra_hosts):
    sample, written = sample_archive()
    seed_source(zimbra_hosts.source, ANN, sample)
    seed_source(zimbra_hosts.source, CARL, clean_archive())
    return written


def by_source(job, finished):
    names = {m.mailbox_id: m.source_user for m in job.mailboxes}
    return {names[f.mailbox_id]: f for f in finished}


class TestTwoMailboxes:
    async def test_every_folder_arrives_with_its_count(
        self, bus, vault, dovecot_pair, users, two_sources, imap_app
    ):
        job = await two_mailbox_job(bus, vault, dovecot_pair, users)

        finished = by_source(job, await run_request(bus, job, sync(), timeout=120))

        ann, carl = [await asyncio.to_thread(read, dovecot_pair, u) for u in users]
        assert ann.counts() == SAMPLE_FOLDERS
        assert nonzero(carl.counts()) == {"INBOX": 5, "INBOX/Sub": 1, "Sent Items": 1}
        assert (finished[CARL].status, finished[CARL].stats.transferred) == ("success", 7)
        assert (finished[ANN].status, finished[ANN].error_class) == ("partial", "partial")
        assert finished[ANN].stats.transferred == sum(SAMPLE_FOLDERS.values())
        assert "3 refused while reading the archive" in finished[ANN].error_message

    async def test_flags_tags_and_internal_dates_are_read_back_from_dovecot(
        self, bus, vault, dovecot_pair, users, two_sources, imap_app
    ):
        job = await two_mailbox_job(bus, vault, dovecot_pair, users)
        await run_request(bus, job, sync(), timeout=120)

        ann = await asyncio.to_thread(read, dovecot_pair, users[0])

        flags = flags_by_id(ann)
        assert flags[message_id("Unread flagged", 2)] == {"\\Flagged"}
        assert flags[message_id("All flags", 3)] == {
            "\\Seen", "\\Flagged", "\\Answered", "\\Draft", "\\Deleted", "$Forwarded", "$MDNSent",
        }  # fmt: skip
        assert flags[message_id("Bitmask only", 4)] == {"\\Flagged", "\\Answered"}
        keywords = {"\\Seen", "Important_Work", "a:b_c"}
        assert flags[message_id("Tagged", 5)] == flags[message_id("Old tags", 6)] == keywords
        assert flags[message_id("A draft", 9)] == {"\\Seen", "\\Draft"}
        bulk = ann.folders["INBOX/Bulk"]
        assert sum("\\Seen" not in m.flags for m in bulk) == 104  # every fifth is unread
        dates = {m.internal_date for ms in ann.folders.values() for m in ms}
        assert dates == {datetime.fromtimestamp(BASE_DATE, UTC)}  # the .meta date, not Date:

    async def test_verification_roles_and_the_per_folder_report(
        self, bus, vault, dovecot_pair, users, two_sources, imap_app
    ):
        job = await two_mailbox_job(bus, vault, dovecot_pair, users)
        finished = by_source(job, await run_request(bus, job, sync(), timeout=120))

        carl = job.mailboxes[1].mailbox_id
        [verified] = [e for e in await mailbox_events(bus, carl) if isinstance(e, MailboxVerified)]
        folders = {f.destination_folder: (f.role, f.source_messages, f.destination_messages)
                   for f in verified.folders}  # fmt: skip
        assert folders == {
            "INBOX": ("inbox", 5, 5), "INBOX/Sub": ("other", 1, 1), "Sent Items": ("sent", 1, 1),
        }  # fmt: skip
        text = await log_text(bus, finished[ANN].log_ref)
        assert "/Sent -> Sent Items: 1/2 (1 missing, 1 refused by the reader)" in text
        assert "not mail, kept in the archive only: 1 appointments, 5 contacts" in text
        assert "import path: imap: MIGRATION_CARBONIO_SSH is not set" in text

    async def test_refused_entries_are_quarantined_with_their_bytes(
        self, bus, vault, dovecot_pair, users, two_sources, imap_app
    ):
        job = await two_mailbox_job(bus, vault, dovecot_pair, users)
        await run_request(bus, job, sync(), timeout=120)

        ann = job.mailboxes[0].mailbox_id
        [recorded] = [
            e for e in await mailbox_events(bus, ann) if isinstance(e, QuarantineRecorded)
        ]
        assert sorted(i.folder for i in recorded.items) == [
            "/Inbox/Projects", "/Inbox/Projects", "/Sent",
        ]  # fmt: skip
        assert {i.subject for i in recorded.items} == {
            "Wrong size",
            "From the future",
            "Padded blob",
        }
        store = await bus.js.object_store(subj.ARTIFACTS_OBJECTS)
        mbox = (await store.get(recorded.artifact)).data
        assert mbox.count(message_id("Padded blob", 8).encode()) == 1
        assert mbox.count(message_id("From the future", 14).encode()) == 1

    async def test_a_second_run_adds_nothing(
        self, bus, vault, dovecot_pair, users, two_sources, imap_app
    ):
        job = await two_mailbox_job(bus, vault, dovecot_pair, users)
        await run_request(bus, job, sync(), timeout=120)
        before = [await asyncio.to_thread(read, dovecot_pair, u) for u in users]

        again = by_source(job, await run_request(bus, job, sync(SyncMode.DELTA), timeout=120))

        after = [await asyncio.to_thread(read, dovecot_pair, u) for u in users]
        assert [c.counts() for c in after] == [c.counts() for c in before]
        assert {a: (r.stats.transferred, r.stats.skipped) for a, r in again.items()} == {
            ANN: (0, sum(SAMPLE_FOLDERS.values())), CARL: (0, 7),
        }  # fmt: skip


class TestFolderOptions:
    async def test_an_excluded_folder_is_left_out_and_not_judged(
        self, bus, vault, zimbra_hosts, dovecot_pair, users, imap_app
    ):
        seed_source(zimbra_hosts.source, CARL, clean_archive())
        job = await create_zimbra_job(
            bus,
            [ZimbraMailbox(CARL, users[1].name, users[1].password)],
            destination=destination_of(dovecot_pair),
            vault=vault,
            options=EngineOptions(exclude_folders=["Sent"]),
        )

        [finished] = await run_request(bus, job, sync())

        assert finished.status == "success"
        carl = await asyncio.to_thread(read, dovecot_pair, users[1])
        assert nonzero(carl.counts()) == {"INBOX": 5, "INBOX/Sub": 1}
        text = await log_text(bus, finished.log_ref)
        assert "left out by the job's folder options: Sent" in text


class TestPreflight:
    async def test_preflight_counts_the_source_and_lists_the_destination(
        self, bus, vault, dovecot_pair, users, two_sources, imap_app
    ):
        job = await two_mailbox_job(bus, vault, dovecot_pair, users)

        finished = by_source(job, await run_request(bus, job, preflight()))

        assert {r.status for r in finished.values()} == {"success"}
        carl = job.mailboxes[1].mailbox_id
        [fact] = [e for e in await mailbox_events(bus, carl) if isinstance(e, MailboxPreflighted)]
        assert fact.ok
        assert {f.name: f.messages for f in fact.source_folders} == {
            "/Inbox": 5, "/Inbox/Sub": 0 + 1, "/Sent": 1,
        }  # fmt: skip
        assert "INBOX" in {f.name for f in fact.destination_folders}

    async def test_an_unknown_account_fails_the_preflight_without_retry(
        self, bus, vault, dovecot_pair, users, imap_app
    ):
        job = await create_zimbra_job(
            bus,
            [ZimbraMailbox("nobody@old.example", users[0].name, users[0].password)],
            destination=destination_of(dovecot_pair),
            vault=vault,
        )

        [finished] = await run_request(bus, job, preflight())

        assert (finished.status, finished.error_class) == ("failed", "invalid_input")
        [fact] = await mailbox_events(bus, job.mailboxes[0].mailbox_id)
        assert (fact.ok, fact.error_class) == (False, "invalid_input")
        assert "NO_SUCH_ACCOUNT" in fact.error_message
        text = await log_text(bus, finished.log_ref)
        assert "[127.0.0.1] ERROR: account.NO_SUCH_ACCOUNT (no such account: nobody@" in text


class TestTruncated:
    async def test_the_real_truncated_export_ends_partial_with_a_clear_message(
        self, bus, vault, zimbra_hosts, dovecot_pair, users, imap_app
    ):
        zimbra_hosts.source.add_account(ANN, TRUNCATED.read_bytes())
        job = await create_zimbra_job(
            bus,
            [ZimbraMailbox(ANN, users[0].name, users[0].password)],
            destination=destination_of(dovecot_pair),
            vault=vault,
        )

        [finished] = await run_request(bus, job, sync())

        assert (finished.status, finished.error_class) == ("partial", "file_unreadable")
        assert "the archive ends early after 217 entries" in finished.error_message
        text = await log_text(bus, finished.log_ref)
        assert "not mail, kept in the archive only: 215 contacts" in text
        facts = await mailbox_events(bus, job.mailboxes[0].mailbox_id)
        assert not [e for e in facts if isinstance(e, MailboxVerified)]


class TestTransientFailures:
    async def test_a_source_that_refuses_connections_is_retried_then_given_up(
        self, bus, bus_settings, vault, zimbra_hosts, tmp_path
    ):
        settings = runner_settings(
            bus_settings.nats_url, zimbra_hosts, tmp_path / "data", carbonio=False,
            zimbra_ssh_port=free_port(),
        )  # fmt: skip
        job = await create_zimbra_job(
            bus,
            [ZimbraMailbox(CARL, "carl", "not-used")],
            destination=ServerSettings(host="127.0.0.1", port=free_port(), security="none"),
            vault=vault,
        )
        async with running(settings):
            [finished] = await run_request(bus, job, sync())

        failures = of_type(await run_events(bus, job.job_id), RunAttemptFailed)
        assert [f.error_class for f in failures] == ["connection_failed"] * 2
        assert (finished.status, finished.error_class, finished.attempt) == (
            "failed", "connection_failed", 3,
        )  # fmt: skip
