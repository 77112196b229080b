"""runner-imap with the native engine on real NATS and the real Dovecot pair."""

import uuid
from pathlib import Path

import pytest
from pydantic import SecretStr

from mailferry_contracts import subjects as subj
from mailferry_contracts.common import Engine, ServerSettings, SyncMode
from mailferry_contracts.jobs import PreflightRequested, SyncRequested, VerifyRequested
from mailferry_contracts.mailboxes import MailboxPreflighted, MailboxVerified
from mailferry_contracts.runs import RunAttemptFailed, RunFinished, RunStarted
from mailferry_devstack.corpus import CorpusSpec
from mailferry_runner_imap.main import create_app
from mailferry_runner_imap.settings import Settings
from mailferry_vault import CredentialVault, KeyRing, generate_key_spec
from tests.fixtures.dovecot_pair import EXCHANGE_NAMES, MailboxPair, by_folder
from tests.fixtures.runner_jobs import (
    create_job,
    mailbox_events,
    of_type,
    passwords_of,
    request,
    run_events,
)
from tests.fixtures.waiting import wait_for

pytestmark = pytest.mark.integration
KEY = generate_key_spec("native")
CORPUS = CorpusSpec(messages=120, total_bytes=3_000_000)


@pytest.fixture
async def vault(bus):
    return await CredentialVault.open(bus.js, KeyRing.parse(KEY, "native"))


@pytest.fixture
async def native_runner(bus_settings, tmp_path):
    settings = Settings(
        nats_url=bus_settings.nats_url,
        credentials_key=SecretStr(KEY),
        imapsync_bin=None,
        work_dir=tmp_path / "work",
        runner_id=f"native-{uuid.uuid4().hex[:6]}",
        ack_wait_s=5.0,
        heartbeat_s=0.5,
        lease_ttl_s=4.0,
        idle_poll_s=0.1,
        retry_base_s=0.2,
        retry_max_s=0.5,
        max_attempts=3,
    )
    app = create_app(settings)
    await app.start()
    yield app
    await app.stop()


async def native_job(bus, vault, dovecot_pair, users: list[str]):
    """A job on the Dovecot pair whose users get the passwords the vault holds."""
    source = dovecot_pair.source
    destination = dovecot_pair.destination
    job = await create_job(
        bus,
        users,
        vault=vault,
        engine=Engine.NATIVE,
        source=ServerSettings(host=source.host, port=source.port, security="none"),
        destination=ServerSettings(host=destination.host, port=destination.port, security="none"),
    )
    pairs = []
    for spec in job.mailboxes:
        source_pw, target_pw = passwords_of(spec.source_user, spec.mailbox_id)
        pairs.append(
            MailboxPair(
                dovecot_pair,
                source.add_user(spec.source_user, source_pw),
                destination.add_user(spec.target_user, target_pw),
            )
        )
    return job, pairs


async def finished(bus, job, count):
    async def probe():
        events = await run_events(bus, job.job_id)
        return events if len(of_type(events, RunFinished)) >= count else None

    return await wait_for(probe, timeout=120, what=f"{count} RunFinished")


def sync(mode: SyncMode) -> SyncRequested:
    return SyncRequested(request_id=uuid.uuid4(), mode=mode)


def user() -> str:
    return f"n{uuid.uuid4().hex[:10]}"


class TestNativeEngine:
    async def test_preflight_initial_delta_verify_and_final_through_the_runner(
        self, bus, vault, dovecot_pair, native_runner
    ):
        job, [pair] = await native_job(bus, vault, dovecot_pair, [user()])
        summary = pair.fill_source(CORPUS)

        await request(bus, job, PreflightRequested(request_id=uuid.uuid4()))
        await finished(bus, job, 1)
        await request(bus, job, sync(SyncMode.INITIAL))
        await finished(bus, job, 2)
        await request(bus, job, sync(SyncMode.DELTA))
        await finished(bus, job, 3)
        await request(bus, job, VerifyRequested(request_id=uuid.uuid4()))
        await finished(bus, job, 4)
        await request(bus, job, sync(SyncMode.FINAL))
        events = await finished(bus, job, 5)

        runs = of_type(events, RunFinished)
        assert [r.status for r in runs] == ["success"] * 5
        assert {s.tool for s in of_type(events, RunStarted)} == {"native"}
        assert [r.stats.transferred for r in runs[1:3]] == [summary.total_messages, 0]
        assert runs[4].stats.transferred == 0
        assert runs[4].stats.skipped == summary.total_messages  # final: compared in full
        preflighted, verified = await mailbox_events(bus, job.mailbox_ids[0])
        assert isinstance(preflighted, MailboxPreflighted)
        assert preflighted.ok
        assert sum(f.messages for f in preflighted.source_folders) == summary.total_messages
        assert isinstance(verified, MailboxVerified)
        assert verified.source_messages == verified.destination_messages == summary.total_messages
        assert all(f.source_messages == f.destination_messages for f in verified.folders)
        sent = next(f for f in verified.folders if f.destination_folder == "Sent Items")
        assert sent.role == "sent"
        assert set(sent.source_folders) == {"Sent", "Отправленные"}
        assert by_folder(pair.read_destination()) == by_folder(pair.read_source(), EXCHANGE_NAMES)

    async def test_the_sync_state_is_kept_in_nats_kv_per_mailbox(
        self, bus, vault, dovecot_pair, native_runner
    ):
        job, [pair] = await native_job(bus, vault, dovecot_pair, [user()])
        pair.fill_source(CorpusSpec(messages=20, total_bytes=200_000))

        await request(bus, job, sync(SyncMode.INITIAL))
        await finished(bus, job, 1)

        kv = await bus.js.key_value(subj.SYNC_STATE_BUCKET)
        entry = await kv.get(str(job.mailbox_ids[0]))
        assert b"fingerprint" in (entry.value or b"")

    async def test_a_wrong_source_password_is_auth_failed_source_without_retry(
        self, bus, vault, dovecot_pair, native_runner
    ):
        job, [pair] = await native_job(bus, vault, dovecot_pair, [user()])
        dovecot_pair.source.remove_user(pair.source_user.name)
        dovecot_pair.source.add_user(pair.source_user.name, "another-password")

        await request(bus, job, sync(SyncMode.INITIAL))
        events = await finished(bus, job, 1)

        assert of_type(events, RunAttemptFailed) == []
        [done] = of_type(events, RunFinished)
        assert (done.status, done.error_class, done.attempt) == ("failed", "auth_failed_source", 1)

    async def test_no_password_reaches_events_or_the_log(
        self, bus, vault, dovecot_pair, native_runner, tmp_path: Path
    ):
        job, [pair] = await native_job(bus, vault, dovecot_pair, [user()])
        pair.fill_source(CorpusSpec(messages=10, total_bytes=100_000))

        await request(bus, job, sync(SyncMode.INITIAL))
        events = await finished(bus, job, 1)

        [done] = of_type(events, RunFinished)
        log = await _log_text(bus, done.log_ref)
        assert "success: 10 copied" in log
        everything = log + "".join(e.envelope.model_dump_json() for e in events)
        for secret in passwords_of(pair.source_user.name, job.mailbox_ids[0]):
            assert secret not in everything


async def _log_text(bus, subject: str) -> str:
    sub = await bus.js.subscribe(subject, stream=subj.LOGS_STREAM, ordered_consumer=True)
    chunks = []
    try:
        while True:
            try:
                msg = await sub.next_msg(timeout=1.0)
            except TimeoutError:
                break
            chunks.append(msg.data.decode())
    finally:
        await sub.unsubscribe()
    return "".join(chunks)
