"""runner-pst on a real bus: PST/mbox/eml jobs, uploads in the object store, the app itself."""

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailferry_bus import Bus
from mailferry_contracts import new_envelope, system_actor
from mailferry_contracts import subjects as subj
from mailferry_contracts.common import EngineOptions, ServerSettings, SourceType, SyncMode
from mailferry_contracts.jobs import (
    JobCreated,
    MailboxesImported,
    MailboxSpec,
    SyncRequested,
    UploadStored,
)
from mailferry_contracts.runs import RunFinished
from mailferry_devstack.dovecot import DovecotServer, MailUser
from mailferry_runner_pst.settings import Settings
from mailferry_vault import CredentialVault, generate_key_spec
from tests.fixtures.dovecot_pair import new_user
from tests.fixtures.factories import WHEN
from tests.fixtures.runner_jobs import of_type, run_events
from tests.fixtures.waiting import wait_for

ACTOR = system_actor("tests")
KEY = generate_key_spec("psttests")
KINDS = {"pst": SourceType.PST, "mbox": SourceType.MBOX, "eml_zip": SourceType.EML}


def runner_settings(nats_url: str, data_path: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "nats_url": nats_url,
        "credentials_key": KEY,
        "data_path": data_path,
        "runner_id": f"pst-{uuid.uuid4().hex[:6]}",
        "runner_slots": 2,
        "ack_wait_s": 10.0,
        "heartbeat_s": 0.5,
        "lease_ttl_s": 5.0,
        "idle_poll_s": 0.1,
        "retry_base_s": 0.2,
        "retry_max_s": 0.5,
        "max_attempts": 3,
        "shutdown_grace_s": 5.0,
    }
    return Settings(**{**values, **changes})


@dataclass
class Box:
    """One mailbox of a test job and its destination user."""

    spec: MailboxSpec
    user: MailUser

    @property
    def mailbox_id(self) -> uuid.UUID:
        return self.spec.mailbox_id


@dataclass
class PstJob:
    job_id: uuid.UUID
    server: DovecotServer
    boxes: list[Box]


async def create_pst_job(
    bus: Bus,
    vault: CredentialVault,
    server: DovecotServer,
    kinds: list[str],
    *,
    quota_bytes: int | None = None,
    options: EngineOptions | None = None,
    folder_map: dict[str, str] | None = None,
    concurrency: int = 4,
) -> PstJob:
    """A job with one upload mailbox per kind, each with a fresh destination user."""
    job_id = uuid.uuid4()
    boxes = []
    for kind in kinds:
        user = new_user(server, quota_bytes=quota_bytes)
        mailbox_id = uuid.uuid4()
        spec = MailboxSpec(
            mailbox_id=mailbox_id,
            source_type=KINDS[kind],
            source_email=f"{user.name}@old.example",
            source_user=user.name,
            target_email=f"{user.name}@new.example",
            target_user=user.name,
            target_credential_ref=await vault.put(user.password, mailbox_id=mailbox_id),
            folder_map=folder_map or {},
        )
        boxes.append(Box(spec, user))
    created = JobCreated(
        job_id=job_id,
        domain="old.example",
        destination=ServerSettings(host=server.host, port=server.port, security="none"),
        options=options or EngineOptions(),
        concurrency_limit=concurrency,
        per_host_limit=concurrency,
    )
    imported = MailboxesImported(
        import_id=uuid.uuid4(), origin="json", batch=1, batch_count=1,
        mailboxes=[b.spec for b in boxes],
    )  # fmt: skip
    await bus.events.append([job_env(job_id, created), job_env(job_id, imported)])
    return PstJob(job_id, server, boxes)


def job_env(job_id: uuid.UUID, payload: Any) -> Any:
    return new_envelope(payload, aggregate_id=str(job_id), actor=ACTOR, now=WHEN)


async def store_upload(bus: Bus, job: PstJob, box: Box, path: Path, kind: str) -> UploadStored:
    """Put a file into the uploads store as the API does, and append UploadStored."""
    data = path.read_bytes()
    upload_id = uuid.uuid4()
    name = subj.upload_object(str(job.job_id), str(box.mailbox_id), str(upload_id))
    store = await bus.js.object_store(subj.UPLOADS_OBJECTS)
    await store.put(name, data)
    event = UploadStored(
        mailbox_id=box.mailbox_id, upload_id=upload_id, kind=kind,  # type: ignore[arg-type]
        filename=path.name, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
        object_name=name,
    )  # fmt: skip
    await bus.events.append([job_env(job.job_id, event)])
    return event


async def request(bus: Bus, job: PstJob, event: Any) -> None:
    await bus.events.append([job_env(job.job_id, event)])


def sync(mailbox_ids: list[uuid.UUID] | None = None) -> SyncRequested:
    return SyncRequested(request_id=uuid.uuid4(), mode=SyncMode.INITIAL, mailbox_ids=mailbox_ids)


async def finished_runs(bus: Bus, job: PstJob, count: int, timeout: float = 60) -> list[Any]:
    """The job's RunFinished events once there are ``count`` of them."""

    async def probe():
        found = of_type(await run_events(bus, job.job_id), RunFinished)
        return found if len(found) >= count else None

    return await wait_for(probe, timeout=timeout, what=f"{count} RunFinished")


async def artifact_bytes(bus: Bus, name: str) -> bytes:
    store = await bus.js.object_store(subj.ARTIFACTS_OBJECTS)
    return (await store.get(name)).data or b""
