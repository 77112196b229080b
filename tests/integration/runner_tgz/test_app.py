"""The runner-tgz service itself: it idles healthy without work, and leaks no secret."""

import asyncio
import os
import signal
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from mailferry_bus.health import probe
from mailferry_contracts import encode
from mailferry_contracts import subjects as subj
from mailferry_contracts.common import EngineOptions, ServerSettings
from mailferry_contracts.runs import RunAttemptFailed, RunFinished
from mailferry_devstack.ports import free_port
from mailferry_vault import CredentialVault, KeyRing
from tests.fixtures.dovecot_pair import new_user
from tests.fixtures.runner_jobs import of_type, request, run_events
from tests.fixtures.waiting import wait_for

from .conftest import ZimbraServer
from .harness import (
    KEY,
    ZimbraMailbox,
    clean_archive,
    create_zimbra_job,
    log_text,
    run_request,
    runner_settings,
    running,
    sync,
)

pytestmark = pytest.mark.integration

ANN, DORA = "ann@old.example", "dora@new.example"
LOCAL = ServerSettings(host="127.0.0.1", port=993)


class TestIdle:
    async def test_with_no_work_it_idles_and_answers_healthy(
        self, bus_settings, zimbra_hosts, tmp_path
    ):
        settings = runner_settings(
            bus_settings.nats_url, zimbra_hosts, tmp_path / "data", carbonio=False, health_port=0
        )
        async with running(settings) as app:
            health = app.context.get("runner").health
            async with httpx.AsyncClient() as client:
                answer = await client.get(f"http://127.0.0.1:{health.port}/healthz")

        assert answer.status_code == 200
        assert answer.json()["checks"] == {"nats": True, "dispatcher": True, "work_queue": True}
        assert (tmp_path / "data" / "work").stat().st_mode & 0o777 == 0o700

    async def test_python_dash_m_starts_without_any_ssh_setting_and_stops_on_sigterm(
        self, bus_settings, tmp_path
    ):
        port = free_port()
        env = {
            **os.environ,
            "MIGRATION_NATS_URL": bus_settings.nats_url,
            "MIGRATION_CREDENTIALS_KEY": KEY,
            "MIGRATION_DATA_PATH": str(tmp_path / "data"),
            "MIGRATION_HEALTH_PORT": str(port),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "mailferry_runner_tgz",
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            url = f"http://127.0.0.1:{port}/healthz"
            await wait_for(lambda: probe(url), timeout=30, what="runner-tgz healthy")
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), 30)

        assert process.returncode == 0
        assert b"no SSH key for Zimbra hosts" in stderr


class TestSecrets:
    async def test_no_password_in_command_lines_logs_or_events(
        self, bus, bus_settings, zimbra_hosts, dovecot_pair, tmp_path
    ):
        """The export is held open (a FIFO) while every process's argv is sampled."""
        vault = await CredentialVault.open(bus.js, KeyRing.parse(KEY, "test"))
        user = new_user(dovecot_pair.destination)
        account = f"ann-{uuid.uuid4().hex[:8]}@old.example"  # tells its export from any other
        fifo = _held_export(zimbra_hosts.source, account)
        destination = dovecot_pair.destination
        job = await create_zimbra_job(
            bus,
            [ZimbraMailbox(account, user.name, user.password)],
            destination=ServerSettings(
                host=destination.host, port=destination.port, security="none"
            ),
            vault=vault,
        )
        secret = user.password.encode()
        key_text = zimbra_hosts.source.login.key_file.read_bytes().splitlines()[1]
        settings = runner_settings(
            bus_settings.nats_url, zimbra_hosts, tmp_path / "data", carbonio=False
        )

        async with running(settings):
            await request(bus, job, sync())
            await wait_for(zimbra_hosts.source.calls, timeout=30, what="the export started")
            exporting = await wait_for(
                lambda: [c for c in _all_cmdlines() if account.encode() in c],
                timeout=30,
                what="zmmailbox running",
            )
            assert all(secret not in c for c in _all_cmdlines())
            writer = asyncio.create_task(asyncio.to_thread(_feed, fifo, clean_archive()))
            while not of_type(await run_events(bus, job.job_id), RunFinished):
                assert all(secret not in c for c in _all_cmdlines())
                await asyncio.sleep(0.05)  # sampling interval while the upload goes on
            await writer

        [finished] = of_type(await run_events(bus, job.job_id), RunFinished)
        assert finished.status == "success"
        assert b"getRestURL" in exporting[0]  # what was sampled was the real export
        text = (await log_text(bus, finished.log_ref)).encode()
        assert b"7/7 messages at the destination" in text
        for leak in (secret, key_text):
            assert leak not in text
            assert all(leak not in encode(e.envelope) for e in await _all_events(bus))
            assert leak not in await _progress(bus, job)


class TestShutdown:
    async def test_stopping_mid_export_hands_the_command_back_and_keeps_no_export(
        self, bus, bus_settings, zimbra_hosts, tmp_path
    ):
        fifo = _held_export(zimbra_hosts.source, ANN)
        zimbra_hosts.carbonio.add_account(DORA)
        job = await create_zimbra_job(bus, [ZimbraMailbox(ANN, DORA)], destination=LOCAL)
        data = tmp_path / "data"
        first = runner_settings(bus_settings.nats_url, zimbra_hosts, data, carbonio=True)

        async with running(first):
            await request(bus, job, sync())
            await wait_for(zimbra_hosts.source.calls, timeout=30, what="the export running")
        failed = await wait_for(
            lambda: _of(bus, job, RunAttemptFailed), timeout=30, what="attempt 1 handed back"
        )
        assert [(f.attempt, f.error_class) for f in failed] == [(1, "cancelled")]
        assert list((data / "work").iterdir()) == []
        await asyncio.to_thread(_feed, fifo, b"")  # lets the orphaned stand-in end
        fifo.unlink()
        fifo.write_bytes(clean_archive())

        second = runner_settings(bus_settings.nats_url, zimbra_hosts, data, carbonio=True)
        async with running(second):
            [finished] = await wait_for(
                lambda: _of(bus, job, RunFinished), timeout=60, what="attempt 2 finished"
            )

        assert (finished.status, finished.attempt) == ("success", 2)
        assert zimbra_hosts.carbonio.items(DORA)["/Inbox"] == 5


class TestDryRun:
    async def test_a_dry_run_exports_and_reads_but_imports_nothing(
        self, bus, bus_settings, zimbra_hosts, tmp_path
    ):
        zimbra_hosts.source.add_account(ANN, clean_archive())
        zimbra_hosts.carbonio.add_account(DORA)
        job = await create_zimbra_job(
            bus,
            [ZimbraMailbox(ANN, DORA)],
            destination=LOCAL,
            options=EngineOptions(dry_run=True),
        )
        settings = runner_settings(bus_settings.nats_url, zimbra_hosts, tmp_path, carbonio=True)

        async with running(settings):
            [finished] = await run_request(bus, job, sync())

        assert finished.status == "success"
        assert zimbra_hosts.carbonio.posts() == []
        assert "dry run: 7 messages in 3 folders" in await log_text(bus, finished.log_ref)


async def _of(bus, job, kind):
    return of_type(await run_events(bus, job.job_id), kind)


def _held_export(server: ZimbraServer, account: str) -> Path:
    """An account whose export blocks (a FIFO) until the test writes the archive into it."""
    server.add_account(account)
    fifo = server.home / account / "export.tgz"
    fifo.unlink()
    os.mkfifo(fifo)
    return fifo


def _feed(fifo: Path, data: bytes) -> None:
    with fifo.open("wb") as pipe:
        pipe.write(data)


def _all_cmdlines() -> list[bytes]:
    lines = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                lines.append((proc / "cmdline").read_bytes())
            except OSError:
                continue
    return lines


async def _all_events(bus):
    info = await bus.js.stream_info(subj.EVENTS_STREAM)
    return await bus.events.read(subj.all_events(), info.state.last_seq)


async def _progress(bus, job) -> bytes:
    mailbox = job.mailboxes[0].mailbox_id
    last = await bus.js.get_last_msg(
        subj.PROGRESS_STREAM, subj.progress_subject(str(job.job_id), str(mailbox))
    )
    return last.data or b""
