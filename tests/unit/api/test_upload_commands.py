import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from mailferry_api.errors import ConflictError, InvalidInputError, NotFoundError
from mailferry_api.uploads.commands import (
    ReceivedFile,
    UploadsView,
    fold_uploads,
    upload_stored,
)
from mailferry_bus import StoredEvent
from mailferry_contracts import encode, new_envelope, system_actor
from mailferry_contracts.common import ServerSettings, SourceType
from mailferry_contracts.jobs import (
    JobClosed,
    JobCreated,
    MailboxesImported,
    MailboxSpec,
    UploadStored,
)

JOB = uuid.uuid4()
PST_BOX, IMAP_BOX = uuid.uuid4(), uuid.uuid4()
ACTOR = system_actor("tests")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def stored(payloads: list[Any]) -> list[StoredEvent]:
    events = []
    for seq, payload in enumerate(payloads, start=1):
        env = new_envelope(payload, aggregate_id=str(JOB), actor=ACTOR, now=NOW)
        events.append(StoredEvent(seq, f"migration.events.job.{JOB}.x", encode(env), env))
    return events


def box(mailbox_id: uuid.UUID, source_type: SourceType) -> MailboxSpec:
    return MailboxSpec(
        mailbox_id=mailbox_id, source_type=source_type, source_email=f"{source_type}@x.example",
        source_user="u", target_email="t@y.example", target_user="t",
    )  # fmt: skip


def job(*more: Any) -> UploadsView:
    created = JobCreated(
        job_id=JOB, domain="x.example", destination=ServerSettings(host="mx", port=993),
        concurrency_limit=1, per_host_limit=1,
    )  # fmt: skip
    imported = MailboxesImported(
        import_id=uuid.uuid4(), origin="json", batch=1, batch_count=1,
        mailboxes=[box(PST_BOX, SourceType.PST), box(IMAP_BOX, SourceType.IMAP)],
    )  # fmt: skip
    return fold_uploads(stored([created, imported, *more]))


def received(mailbox_id: uuid.UUID = PST_BOX, sha: str = "a" * 64) -> ReceivedFile:
    upload_id = uuid.uuid4()
    return ReceivedFile(
        upload_id=upload_id, mailbox_id=mailbox_id, kind="pst", filename="a.pst",
        size_bytes=3, sha256=sha, object_name=f"uploads/{JOB}/{mailbox_id}/{upload_id}",
    )  # fmt: skip


def as_event(file: ReceivedFile, duplicate_of: uuid.UUID | None = None) -> UploadStored:
    return UploadStored(
        mailbox_id=file.mailbox_id, upload_id=file.upload_id, kind=file.kind,
        filename=file.filename, size_bytes=file.size_bytes, sha256=file.sha256,
        object_name=file.object_name, duplicate_of=duplicate_of,
    )  # fmt: skip


class TestUploadStored:
    def test_a_new_file_points_at_its_own_object(self):
        file = received()
        [env] = upload_stored(job(), JOB, file, ACTOR, NOW)
        assert env.payload == as_event(file)

    def test_the_same_content_again_points_at_the_first_upload(self):
        first = received()
        again = received()
        [env] = upload_stored(job(as_event(first)), JOB, again, ACTOR, NOW)
        assert (env.payload.duplicate_of, env.payload.object_name) == (
            first.upload_id, first.object_name,
        )  # fmt: skip

    def test_a_duplicate_of_a_duplicate_points_at_the_original(self):
        first, second = received(), received()
        view = job(as_event(first), as_event(second, duplicate_of=first.upload_id))
        [env] = upload_stored(view, JOB, received(), ACTOR, NOW)
        assert env.payload.duplicate_of == first.upload_id

    def test_other_content_or_another_mailbox_is_not_a_duplicate(self):
        view = job(as_event(received()))
        other = upload_stored(view, JOB, received(sha="b" * 64), ACTOR, NOW)[0].payload
        assert other.duplicate_of is None

    @pytest.mark.parametrize(
        ("mailbox_id", "error"),
        [(IMAP_BOX, InvalidInputError), (uuid.uuid4(), NotFoundError)],
        ids=["imap-mailbox", "unknown-mailbox"],
    )
    def test_only_upload_mailboxes_of_the_job(self, mailbox_id, error):
        with pytest.raises(error):
            upload_stored(job(), JOB, received(mailbox_id), ACTOR, NOW)

    def test_a_closed_job_takes_no_upload(self):
        with pytest.raises(ConflictError):
            upload_stored(job(JobClosed()), JOB, received(), ACTOR, NOW)

    def test_an_upload_id_is_used_once(self):
        file = received()
        with pytest.raises(ConflictError):
            upload_stored(job(as_event(file)), JOB, file, ACTOR, NOW)
