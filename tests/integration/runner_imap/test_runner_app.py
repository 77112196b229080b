"""runner-imap end to end on real NATS: request, dispatcher, work queue, stand-in imapsync."""

import asyncio
import os
import uuid
from pathlib import Path

import httpx
import pytest

from mailferry_bus import BusSettings
from mailferry_contracts import decode
from mailferry_contracts import subjects as subj
from mailferry_contracts.common import Engine, SyncMode
from mailferry_contracts.jobs import PreflightRequested, SyncRequested
from mailferry_contracts.mailboxes import MailboxPreflighted
from mailferry_contracts.runs import RunAttemptFailed, RunFinished, RunProgress, RunStarted
from mailferry_runner_imap.main import create_app
from mailferry_runner_imap.settings import Settings
from mailferry_vault import CredentialVault, KeyRing, generate_key_spec
from tests.fixtures.plugin import imapsync_available
from tests.fixtures.runner_jobs import (
    create_job,
    mailbox_events,
    max_concurrent,
    of_type,
    passwords_of,
    request,
    run_events,
)
from tests.fixtures.waiting import wait_for

pytestmark = pytest.mark.integration
KEY = generate_key_spec("test")


def settings_for(nats_url: str, standin, work_dir: Path, **changes) -> Settings:
    values = {
        "nats_url": nats_url,
        "credentials_key": KEY,
        "imapsync_bin": standin.binary,
        "work_dir": work_dir,
        "runner_id": f"app-{uuid.uuid4().hex[:6]}",
        "ack_wait_s": 3.0,
        "heartbeat_s": 0.5,
        "lease_ttl_s": 3.0,
        "idle_poll_s": 0.1,
        "retry_base_s": 0.2,
        "retry_max_s": 0.5,
        "max_attempts": 3,
        "kill_grace_s": 3.0,
    }
    return Settings(**{**values, **changes})


@pytest.fixture
def bus_settings(private_nats) -> BusSettings:
    """A NATS server of the test's own.

    The dispatcher's durable reads the log's job requests from the first one, and the session
    server's log holds every other test's (the API's among them): their commands would compete
    with this test's for the runners' slots and time.
    """
    return BusSettings(nats_url=private_nats.url)


@pytest.fixture
async def vault(bus):
    return await CredentialVault.open(bus.js, KeyRing.parse(KEY, "test"))


@pytest.fixture
async def runner_app(bus_settings, imapsync_standin, tmp_path):
    app = create_app(settings_for(bus_settings.nats_url, imapsync_standin, tmp_path / "work"))
    await app.start()
    yield app
    await app.stop()


async def _finished(bus, job, count=1):
    async def probe():
        events = await run_events(bus, job.job_id)
        return events if len(of_type(events, RunFinished)) >= count else None

    return await wait_for(probe, timeout=30, what=f"{count} RunFinished")


def _sync(mailbox_ids=None) -> SyncRequested:
    return SyncRequested(request_id=uuid.uuid4(), mode=SyncMode.INITIAL, mailbox_ids=mailbox_ids)


class TestSync:
    async def test_a_sync_request_runs_imapsync_and_reports_the_statistics(
        self, bus, vault, runner_app
    ):
        job = await create_job(bus, ["alice"], vault=vault)
        await request(bus, job, _sync())

        events = await _finished(bus, job)

        [started] = of_type(events, RunStarted)
        [finished] = of_type(events, RunFinished)
        assert (started.tool, started.attempt) == ("imapsync", 1)
        assert (finished.status, finished.stats.transferred, finished.stats.no_message_id) == (
            "success",
            293,
            4,
        )
        assert finished.log_ref == subj.log_subject(str(job.mailbox_ids[0]), str(finished.run_id))
        progress = await bus.js.get_last_msg(
            subj.PROGRESS_STREAM, subj.progress_subject(str(job.job_id), str(job.mailbox_ids[0]))
        )
        assert isinstance(decode(progress.data or b"").payload, RunProgress)

    async def test_the_run_log_is_in_the_logs_stream_without_any_secret(
        self, bus, vault, runner_app
    ):
        job = await create_job(bus, ["alice"], vault=vault)
        await request(bus, job, _sync())
        [finished] = of_type(await _finished(bus, job), RunFinished)

        text = await _log_text(bus, finished.log_ref)

        assert "++++ Statistics" in text
        assert "Exiting with return value 0" in text
        for secret in passwords_of("alice", job.mailbox_ids[0]):
            assert secret not in text
        [started] = of_type(await run_events(bus, job.job_id), RunStarted)
        assert "--passfile1" in started.command_line

    async def test_no_password_in_any_process_command_line_during_a_run(
        self, bus, vault, imapsync_standin, runner_app
    ):
        imapsync_standin.configure(msg_delay_s=0.01)
        job = await create_job(bus, ["alice"], vault=vault)
        secrets = [s.encode() for s in passwords_of("alice", job.mailbox_ids[0])]
        await request(bus, job, _sync())
        await wait_for(imapsync_standin.records, timeout=20, what="imapsync running")

        samples = 0
        while not of_type(await run_events(bus, job.job_id), RunFinished):
            samples += 1
            for cmdline in _all_cmdlines():
                assert not any(secret in cmdline for secret in secrets)
            await asyncio.sleep(0.05)  # sampling interval while the run goes on
        assert samples > 3

    async def test_an_auth_failure_is_final_without_retry(
        self, bus, vault, imapsync_standin, runner_app
    ):
        imapsync_standin.configure(scenarios={"wrongpw": "e_authfail_host1"})
        job = await create_job(bus, ["wrongpw"], vault=vault)
        await request(bus, job, _sync())

        events = await _finished(bus, job)

        assert of_type(events, RunAttemptFailed) == []
        [finished] = of_type(events, RunFinished)
        assert (finished.error_class, finished.exit_code, finished.attempt) == (
            "auth_failed_source",
            161,
            1,
        )

    async def test_a_refused_connection_is_retried_then_succeeds(
        self, bus, vault, imapsync_standin, runner_app
    ):
        imapsync_standin.configure(scenarios={"flaky": ["g_connrefused_host2", "a_initial"]})
        job = await create_job(bus, ["flaky"], vault=vault)
        await request(bus, job, _sync())

        events = await _finished(bus, job)

        [failed] = of_type(events, RunAttemptFailed)
        [finished] = of_type(events, RunFinished)
        assert (failed.error_class, finished.status, finished.attempt) == (
            "connection_failed",
            "success",
            2,
        )


class TestPreflight:
    async def test_preflight_records_folders_and_quota_on_the_mailbox(
        self, bus, vault, imapsync_standin, runner_app
    ):
        imapsync_standin.configure(
            scenarios={"alice": ["d_justlogin", "a0_initial_with_foldersizes"]}
        )
        job = await create_job(bus, ["alice"], vault=vault)
        await request(bus, job, PreflightRequested(request_id=uuid.uuid4()))
        await _finished(bus, job)

        [fact] = await mailbox_events(bus, job.mailbox_ids[0])
        assert isinstance(fact, MailboxPreflighted)
        assert fact.ok
        assert sum(f.messages for f in fact.source_folders) == 300


class TestKilledRunner:
    async def test_a_runner_killed_mid_run_leaves_the_command_to_another_runner(
        self, bus, vault, bus_settings, imapsync_standin, tmp_path
    ):
        imapsync_standin.configure(msg_delay_s=0.01)
        job = await create_job(bus, ["alice"], vault=vault)
        first = await _spawn_runner(bus_settings.nats_url, imapsync_standin, tmp_path / "w1")
        try:
            await request(bus, job, _sync())
            await wait_for(imapsync_standin.records, timeout=30, what="first runner copying")
            first.kill()  # SIGKILL: no cleanup, no ack, no RunAttemptFailed
            await first.wait()
        finally:
            if first.returncode is None:
                first.kill()
        orphan = imapsync_standin.records()[0]["pid"]
        await wait_for(lambda: not _alive(orphan), timeout=20, what="imapsync died with its runner")

        imapsync_standin.configure(msg_delay_s=0.0)
        app = create_app(settings_for(bus_settings.nats_url, imapsync_standin, tmp_path / "w2"))
        await app.start()
        try:
            events = await _finished(bus, job)
        finally:
            await app.stop()
        starts = of_type(events, RunStarted)
        [finished] = of_type(events, RunFinished)
        assert [s.attempt for s in starts] == [1, 2]
        assert starts[0].runner_id != starts[1].runner_id
        assert (finished.status, finished.attempt) == ("success", 2)


async def _spawn_runner(nats_url: str, standin, work_dir: Path):
    env = {
        **os.environ,
        "MIGRATION_NATS_URL": nats_url,
        "MIGRATION_CREDENTIALS_KEY": KEY,
        "MIGRATION_IMAPSYNC_BIN": str(standin.binary),
        "MIGRATION_WORK_DIR": str(work_dir),
        "MIGRATION_ACK_WAIT_S": "3",
        "MIGRATION_HEARTBEAT_S": "0.5",
        "MIGRATION_LEASE_TTL_S": "3",
        "MIGRATION_IDLE_POLL_S": "0.1",
    }
    return await asyncio.create_subprocess_exec(
        os.sys.executable,  # type: ignore[attr-defined]
        "-m",
        "mailferry_runner_imap",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.split(") ", 1)[1][0] != "Z"


def _all_cmdlines() -> list[bytes]:
    lines = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                lines.append((proc / "cmdline").read_bytes())
            except OSError:
                continue
    return lines


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


class TestLimitsAcrossProcesses:
    async def test_limit_2_with_10_mailboxes_across_3_runner_apps(
        self, bus, vault, bus_settings, imapsync_standin, tmp_path
    ):
        imapsync_standin.configure(msg_delay_s=0.001)
        job = await create_job(bus, [f"u{i}" for i in range(10)], concurrency=2, vault=vault)
        apps = [
            create_app(settings_for(bus_settings.nats_url, imapsync_standin, tmp_path / f"w{i}"))
            for i in range(3)
        ]
        for app in apps:
            await app.start()
        try:
            await request(bus, job, _sync())
            events = await _finished(bus, job, count=10)
        finally:
            for app in apps:
                await app.stop()
        assert max_concurrent(events) <= 2
        assert {f.status for f in of_type(events, RunFinished)} == {"success"}


class TestShutdown:
    async def test_stopping_a_runner_cancels_imapsync_and_hands_the_command_back(
        self, bus, vault, bus_settings, imapsync_standin, tmp_path
    ):
        imapsync_standin.configure(default="n_sigterm_midsync", msg_delay_s=0.01)
        job = await create_job(bus, ["bob"], vault=vault)
        app = create_app(settings_for(bus_settings.nats_url, imapsync_standin, tmp_path / "w"))
        await app.start()
        try:
            await request(bus, job, _sync())
            await wait_for(imapsync_standin.records, timeout=20, what="imapsync running")
        finally:
            await app.stop()

        [failed] = of_type(await run_events(bus, job.job_id), RunAttemptFailed)
        assert (failed.error_class, failed.retry_in_seconds) == ("cancelled", 0)
        assert not _alive(imapsync_standin.records()[0]["pid"])
        assert list((tmp_path / "w").iterdir()) == []
        info = await bus.js.stream_info(
            subj.COMMANDS_STREAM, subjects_filter=subj.command_subject("imap", str(job.job_id))
        )
        assert sum((info.state.subjects or {}).values()) == 1  # still queued for another runner


@pytest.mark.skipif(imapsync_available(), reason="imapsync is installed here")
class TestWithoutImapsync:
    async def test_a_job_that_wants_imapsync_fails_with_tool_missing_where_it_is_absent(
        self, bus, vault, bus_settings, imapsync_standin, tmp_path
    ):
        settings = settings_for(
            bus_settings.nats_url, imapsync_standin, tmp_path / "w", imapsync_bin=None
        )
        app = create_app(settings)
        await app.start()
        try:
            job = await create_job(bus, ["alice"], vault=vault, engine=Engine.IMAPSYNC)
            await request(bus, job, _sync())
            [finished] = of_type(await _finished(bus, job), RunFinished)
        finally:
            await app.stop()
        assert (finished.status, finished.error_class) == ("failed", "tool_missing")
        assert imapsync_standin.records() == []


class TestHealth:
    async def test_a_running_runner_is_healthy_and_one_without_its_queue_is_not(
        self, bus_settings, imapsync_standin, tmp_path
    ):
        settings = settings_for(bus_settings.nats_url, imapsync_standin, tmp_path / "w")
        app = create_app(settings.model_copy(update={"health_port": 0}))
        await app.start()
        try:
            runner = app.context.get("runner")
            running = await _healthz(runner)
            await runner.queue.stop()
            await wait_for(runner._task.done, what="the work queue stopped")
            stopped = await _healthz(runner)
        finally:
            await app.stop()

        assert running.status_code == 200
        assert running.json()["checks"] == {"nats": True, "dispatcher": True, "work_queue": True}
        assert stopped.status_code == 503
        assert stopped.json()["checks"]["work_queue"] is False


async def _healthz(runner) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(f"http://127.0.0.1:{runner.health.port}/healthz")
