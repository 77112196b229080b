"""A received file -> UploadStored, decided against the job's current events (pure).

Re-uploading content already stored for the same mailbox is recognised by its SHA-256: the
new UploadStored points at the first upload's object (``duplicate_of``), so no second copy
is kept.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mailferry_api.errors import ConflictError, InvalidInputError, NotFoundError
from mailferry_api.jobstate import require_open_job
from mailferry_api.uploads.kinds import UploadKind
from mailferry_bus import StoredEvent
from mailferry_contracts import Actor, Envelope, new_envelope
from mailferry_contracts.common import SourceType
from mailferry_contracts.job_view import JobView
from mailferry_contracts.jobs import MailboxSpec, UploadStored

UPLOAD_SOURCES = frozenset({SourceType.PST, SourceType.MBOX, SourceType.EML})


@dataclass
class UploadsView:
    """The job, and its stored uploads by (mailbox, SHA-256), first upload first."""

    job: JobView = field(default_factory=JobView)
    originals: dict[tuple[uuid.UUID, str], UploadStored] = field(default_factory=dict)
    ids: set[uuid.UUID] = field(default_factory=set)


def fold_uploads(events: Sequence[StoredEvent]) -> UploadsView:
    """Fold a job's events into its view plus its uploads."""
    view = UploadsView()
    for event in events:
        view.job.apply(event.envelope, event.sequence, event.hash)
        payload = event.envelope.payload
        if isinstance(payload, UploadStored):
            view.ids.add(payload.upload_id)
            if payload.duplicate_of is None:
                view.originals.setdefault((payload.mailbox_id, payload.sha256), payload)
    return view


@dataclass(frozen=True)
class ReceivedFile:
    """A file fully received and stored under ``object_name`` (not yet announced)."""

    upload_id: uuid.UUID
    mailbox_id: uuid.UUID
    kind: UploadKind
    filename: str
    size_bytes: int
    sha256: str
    object_name: str


def upload_mailbox(view: JobView, job_id: uuid.UUID, mailbox_id: uuid.UUID) -> MailboxSpec:
    """The mailbox a file is uploaded for: of the job, and a PST, mbox or eml mailbox."""
    require_open_job(view, job_id)
    spec = view.mailboxes.get(mailbox_id)
    if spec is None:
        raise NotFoundError(
            f"mailbox {mailbox_id} is not a mailbox of job {job_id}", code="mailbox_not_found"
        )
    if spec.source_type not in UPLOAD_SOURCES:
        raise InvalidInputError(
            f"mailbox {spec.source_email} has source type {spec.source_type}: files are "
            "uploaded for pst, mbox or eml mailboxes",
            code="not_an_upload_mailbox",
        )
    return spec


def original_of(view: UploadsView, mailbox_id: uuid.UUID, sha256: str) -> UploadStored | None:
    """The earlier upload of the same content for the same mailbox, if any."""
    return view.originals.get((mailbox_id, sha256))


def upload_stored(
    view: UploadsView, job_id: uuid.UUID, received: ReceivedFile, actor: Actor, now: datetime
) -> list[Envelope[Any]]:
    """UploadStored for the received file (pointing at the original when it is a re-upload)."""
    upload_mailbox(view.job, job_id, received.mailbox_id)
    if received.upload_id in view.ids:
        raise ConflictError(
            f"upload id {received.upload_id} is already in use", code="upload_id_taken"
        )
    original = original_of(view, received.mailbox_id, received.sha256)
    event = UploadStored(
        mailbox_id=received.mailbox_id,
        upload_id=received.upload_id,
        kind=received.kind,
        filename=received.filename,
        size_bytes=received.size_bytes,
        sha256=received.sha256,
        object_name=original.object_name if original else received.object_name,
        duplicate_of=original.upload_id if original else None,
    )
    return [new_envelope(event, aggregate_id=str(job_id), actor=actor, now=now)]
