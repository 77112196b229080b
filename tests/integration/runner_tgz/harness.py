"""runner-tgz apps, Zimbra jobs and what they published, on the real bus."""

import io
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faststream import FastStream

from mailferry_bus import Bus
from mailferry_contracts import decode
from mailferry_contracts import subjects as subj
from mailferry_contracts.common import EngineOptions, ServerSettings, SourceType, SyncMode
from mailferry_contracts.jobs import (
    JobCreated,
    MailboxesImported,
    MailboxSpec,
    PreflightRequested,
    SyncRequested,
    VerifyRequested,
)
from mailferry_contracts.runs import RunFinished
from mailferry_runner_tgz.main import create_app
from mailferry_runner_tgz.settings import Settings
from mailferry_vault import CredentialVault, generate_key_spec
from tests.fixtures.runner_jobs import JobSetup, _job_env, of_type, request, run_events
from tests.fixtures.tgz_generator import TgzWriter, eml, sample_mailbox
from tests.fixtures.waiting import wait_for

from .conftest import ZimbraHosts

KEY = generate_key_spec("tgztest")
SOURCE_HOST = ServerSettings(host="127.0.0.1", port=993, label="old Zimbra")


def runner_settings(
    nats_url: str, hosts: ZimbraHosts, data: Path, *, carbonio: bool, **changes: Any
) -> Settings:
    """Fast timings; SSH to the source stand-in, and to the Carbonio one if ``carbonio``."""
    source = hosts.source.login
    values: dict[str, Any] = {
        "nats_url": nats_url,
        "credentials_key": KEY,
        "data_path": data,
        "zimbra_ssh_user": source.user,
        "zimbra_ssh_port": source.port,
        "zimbra_ssh_key_file": source.key_file,
        "zimbra_ssh_known_hosts_file": source.known_hosts_file,
        "zmmailbox_user": "root",
        "ssh_connect_timeout_s": 10.0,
        "zmmailbox_timeout_s": 60.0,
        "runner_id": f"tgz-{uuid.uuid4().hex[:6]}",
        "ack_wait_s": 5.0,
        "heartbeat_s": 0.5,
        "lease_ttl_s": 3.0,
        "idle_poll_s": 0.1,
        "retry_base_s": 0.2,
        "retry_max_s": 0.5,
        "max_attempts": 3,
        "shutdown_grace_s": 15.0,
    }
    if carbonio:
        target = hosts.carbonio.login
        values |= {
            "carbonio_ssh": target.target,
            "ssh_key_file": target.key_file,
            "ssh_known_hosts_file": target.known_hosts_file,
            "zmmailbox_remote_dir": str(hosts.carbonio.home),
        }
    return Settings(**(values | changes))


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[FastStream]:
    app = create_app(settings)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


@dataclass(frozen=True)
class ZimbraMailbox:
    """One row of a Zimbra job: the source account, the destination login and password."""

    source_user: str
    target_user: str
    password: str | None = None


async def create_zimbra_job(
    bus: Bus,
    mailboxes: Sequence[ZimbraMailbox],
    *,
    destination: ServerSettings,
    vault: CredentialVault | None = None,
    source: ServerSettings | None = SOURCE_HOST,
    options: EngineOptions | None = None,
) -> JobSetup:
    """A job with one ``zimbra`` mailbox per row; passwords go into the vault."""
    job_id = uuid.uuid4()
    specs = []
    for mailbox in mailboxes:
        mailbox_id = uuid.uuid4()
        ref = None
        if vault is not None and mailbox.password is not None:
            ref = await vault.put(mailbox.password, mailbox_id=mailbox_id)
        specs.append(
            MailboxSpec(
                mailbox_id=mailbox_id,
                source_type=SourceType.ZIMBRA,
                source_email=f"{mailbox_id.hex[:8]}@old.example",
                source_user=mailbox.source_user,
                target_email=f"{mailbox_id.hex[:8]}@new.example",
                target_user=mailbox.target_user,
                target_credential_ref=ref,
            )
        )
    created = JobCreated(
        job_id=job_id,
        domain="old.example",
        source=source,
        destination=destination,
        options=options or EngineOptions(),
        concurrency_limit=4,
        per_host_limit=4,
    )
    imported = MailboxesImported(
        import_id=uuid.uuid4(), origin="json", batch=1, batch_count=1, mailboxes=specs
    )
    await bus.events.append([_job_env(job_id, created), _job_env(job_id, imported)])
    return JobSetup(job_id, specs)


def sync(mode: SyncMode = SyncMode.INITIAL) -> SyncRequested:
    return SyncRequested(request_id=uuid.uuid4(), mode=mode, mailbox_ids=None)


def preflight() -> PreflightRequested:
    return PreflightRequested(request_id=uuid.uuid4())


def verify() -> VerifyRequested:
    return VerifyRequested(request_id=uuid.uuid4())


async def run_request(bus: Bus, job: JobSetup, event: Any, *, timeout: float = 60.0) -> list[Any]:
    """Append a request; return the RunFinished of the runs it caused, one per mailbox."""
    await request(bus, job, event)
    request_id = event.request_id

    async def finished() -> list[Any]:
        ids = {
            e.envelope.payload.run_id
            for e in await run_events(bus, job.job_id)
            if getattr(e.envelope.payload, "request_id", None) == request_id
        }
        done = [
            f for f in of_type(await run_events(bus, job.job_id), RunFinished) if f.run_id in ids
        ]
        return done if len(done) == len(job.mailboxes) else []

    return await wait_for(finished, timeout=timeout, what=f"{len(job.mailboxes)} RunFinished")


async def log_text(bus: Bus, log_ref: str) -> str:
    """Every chunk of one run's log (all attempts)."""
    info = await bus.js.stream_info(subj.LOGS_STREAM, subjects_filter=log_ref)
    count = (info.state.subjects or {}).get(log_ref, 0)
    sub = await bus.js.subscribe(log_ref, stream=subj.LOGS_STREAM, ordered_consumer=True)
    try:
        chunks = [(await sub.next_msg(timeout=5.0)).data.decode() for _ in range(count)]
    finally:
        await sub.unsubscribe()
    return "".join(chunks)


async def progress_of(bus: Bus, job: JobSetup, mailbox_id: uuid.UUID) -> Any:
    last = await bus.js.get_last_msg(
        subj.PROGRESS_STREAM, subj.progress_subject(str(job.job_id), str(mailbox_id))
    )
    return decode(last.data or b"").payload


def clean_archive() -> bytes:
    """Three mail folders, 7 messages (two unread), one contact."""
    buffer = io.BytesIO()
    writer = TgzWriter(buffer)
    for path in ("Inbox", "Inbox/Sub", "Sent"):
        writer.folder(path)
    for n in range(5):
        writer.message("Inbox", eml(f"in {n}", n), subject=f"in {n}", flag_str="u" * (n % 2))
    writer.message("Inbox/Sub", eml("sub", 10), subject="sub")
    writer.message("Sent", eml("sent", 11), subject="sent", flag_str="s")
    writer.contact("Contacts", "Christine", "c@example.com")
    writer.close()
    return buffer.getvalue()


def sample_archive() -> tuple[bytes, Any]:
    buffer = io.BytesIO()
    written = sample_mailbox(buffer)
    return buffer.getvalue(), written
