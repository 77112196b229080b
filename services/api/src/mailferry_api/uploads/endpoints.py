"""Upload endpoints: a PST, mbox or eml zip per mailbox, streamed into the uploads store."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.deps import BusDep, Db, Events, RequestActor, Settings
from mailferry_api.errors import ConflictError, ErrorBody, InvalidInputError, NotFoundError
from mailferry_api.jobstate import load_job, require_open_job
from mailferry_api.uploads import queries
from mailferry_api.uploads.commands import (
    ReceivedFile,
    UploadsView,
    fold_uploads,
    original_of,
    upload_mailbox,
    upload_stored,
)
from mailferry_api.uploads.kinds import UnknownKindError, UploadKind, decide_kind, display_name
from mailferry_api.uploads.receiving import Received, kind_error, receive
from mailferry_api.uploads.schemas import UploadList, UploadOut, UploadStatusOut
from mailferry_api.uploads.storage import bytes_received, delete_object
from mailferry_bus import Bus, EventStore, utc_now
from mailferry_contracts import Actor
from mailferry_contracts import subjects as subj
from mailferry_contracts.job_view import JobView
from mailferry_contracts.jobs import UploadStored

router = APIRouter(tags=["uploads"])

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "mailbox_id": {"type": "string", "format": "uuid"},
                        "kind": {"type": "string", "enum": ["pst", "mbox", "eml_zip"]},
                        "file": {"type": "string", "format": "binary"},
                    },
                    "required": ["mailbox_id", "file"],
                }
            }
        },
    }
}
_UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (404, "Unknown job or mailbox"),
        (409, "Closed job, or the upload id is taken"),
        (413, "Over MIGRATION_MAX_PST_GB (refused from Content-Length, or while streaming)"),
        (422, "Not a PST/OST, mbox or zip of .eml files; no file; not an upload mailbox"),
    )
}


@router.post(
    "/jobs/{job_id}/upload-pst",
    status_code=201,
    response_model=UploadOut,
    **requires(Permission.WRITE, openapi_extra=_UPLOAD_BODY, responses=_UPLOAD_ERRORS),
)
async def upload_file(
    job_id: uuid.UUID,
    request: Request,
    bus: BusDep,
    actor: RequestActor,
    settings: Settings,
    kind: Annotated[UploadKind | None, Query(description="Expected kind; else detected")] = None,
    upload_id: Annotated[
        uuid.UUID | None, Query(description="Choose the id to follow GET .../uploads/{id}")
    ] = None,
) -> UploadOut:
    """Store a PST/OST, mbox or zip of .eml files for one mailbox (``mailbox_id`` form field).

    The file streams into storage as it arrives (SHA-256 computed on the way); the same
    content uploaded again for the same mailbox is recognised (``duplicate_of``).
    """
    view, _ = await load_job(bus.events, job_id)
    require_open_job(view, job_id)
    upload_id = upload_id or uuid.uuid4()
    if await bytes_received(bus.js, upload_id) is not None:
        raise ConflictError(f"upload id {upload_id} is already in use", code="upload_id_taken")
    received = await receive(
        bus.js, upload_id, request.headers.get("content-type", ""), request.stream(),
        limit=settings.max_upload_bytes, on_field=_field_check(view, job_id),
    )  # fmt: skip
    try:
        file = _received_file(view, job_id, upload_id, received, kind)
    except BaseException:
        await received.writer.abort()
        raise
    return await _record(bus, job_id, file, received, actor)


def _field_check(view: JobView, job_id: uuid.UUID) -> Any:
    def check(name: str, value: str) -> None:
        if name == "mailbox_id":
            upload_mailbox(view, job_id, _mailbox_id(value))

    return check


def _mailbox_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInputError(
            "form field mailbox_id must be a mailbox id (UUID)", code="bad_field"
        ) from None


def _received_file(
    view: JobView,
    job_id: uuid.UUID,
    upload_id: uuid.UUID,
    received: Received,
    kind: UploadKind | None,
) -> ReceivedFile:
    if "mailbox_id" not in received.fields:
        raise InvalidInputError("form field mailbox_id is required", code="missing_field")
    mailbox_id = _mailbox_id(received.fields["mailbox_id"])
    upload_mailbox(view, job_id, mailbox_id)
    try:
        found = decide_kind(received.head, kind or _kind_field(received))
    except UnknownKindError as exc:
        raise kind_error(exc) from exc
    return ReceivedFile(
        upload_id=upload_id,
        mailbox_id=mailbox_id,
        kind=found,
        filename=display_name(received.filename),
        size_bytes=received.writer.size,
        sha256=received.writer.sha256,
        object_name=subj.upload_object(str(job_id), str(mailbox_id), str(upload_id)),
    )


def _kind_field(received: Received) -> UploadKind | None:
    value = received.fields.get("kind") or None
    if value not in (None, "pst", "mbox", "eml_zip"):
        raise InvalidInputError("kind must be pst, mbox or eml_zip", code="bad_field")
    return value  # type: ignore[return-value]


async def _record(
    bus: Bus,
    job_id: uuid.UUID,
    file: ReceivedFile,
    received: Received,
    actor: Actor,
) -> UploadOut:
    """Commit the object (unless it is a re-upload), then append UploadStored."""
    events = bus.events
    current, _ = await events.load(subj.AGGREGATE_JOB, str(job_id))
    duplicate = original_of(fold_uploads(current), file.mailbox_id, file.sha256) is not None
    if duplicate:
        await received.writer.abort()
    else:
        await received.writer.commit(file.object_name, f"upload {file.upload_id} ({file.kind})")
    try:
        view, sequences = await events.update(
            subj.AGGREGATE_JOB, str(job_id), fold_uploads,
            lambda v: upload_stored(v, job_id, file, actor, utc_now()),
        )  # fmt: skip
    except BaseException:
        if not duplicate:
            await delete_object(bus.js, file.object_name)
        raise
    stored = _stored_event(view, file)
    if stored.duplicate_of is not None and not duplicate:
        await delete_object(bus.js, file.object_name)  # a concurrent twin was first
    return _out(job_id, stored, sequences[-1])


def _stored_event(view: UploadsView, file: ReceivedFile) -> UploadStored:
    original = original_of(view, file.mailbox_id, file.sha256)
    return UploadStored(
        mailbox_id=file.mailbox_id,
        upload_id=file.upload_id,
        kind=file.kind,
        filename=file.filename,
        size_bytes=file.size_bytes,
        sha256=file.sha256,
        object_name=original.object_name if original else file.object_name,
        duplicate_of=original.upload_id if original else None,
    )


def _out(job_id: uuid.UUID, event: UploadStored, sequence: int) -> UploadOut:
    return UploadOut(
        upload_id=event.upload_id,
        job_id=job_id,
        mailbox_id=event.mailbox_id,
        kind=event.kind,
        filename=event.filename,
        size_bytes=event.size_bytes,
        sha256=event.sha256,
        duplicate_of=event.duplicate_of,
        sequence=sequence,
    )


@router.get("/jobs/{job_id}/uploads", response_model=UploadList, **requires(Permission.READ))
async def list_uploads(
    job_id: uuid.UUID,
    db: Db,
    mailbox_id: Annotated[uuid.UUID | None, Query(description="Only this mailbox")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> UploadList:
    """A job's stored uploads, newest first."""
    rows = await queries.uploads_of_job(db, job_id, mailbox_id, limit)
    return UploadList(items=[UploadOut.model_validate(r) for r in rows])


@router.get(
    "/jobs/{job_id}/uploads/{upload_id}",
    response_model=UploadStatusOut,
    **requires(Permission.READ),
)
async def get_upload(
    job_id: uuid.UUID, upload_id: uuid.UUID, db: Db, bus: BusDep, events: Events
) -> UploadStatusOut:
    """An upload: bytes received while it streams, the stored upload once it is done."""
    row = await queries.get_upload(db, job_id, upload_id)
    if row is not None:
        upload = UploadOut.model_validate(row)
        return UploadStatusOut(upload_id=upload_id, state="stored",
                               bytes_received=upload.size_bytes, upload=upload)  # fmt: skip
    stored = await _stored_in_log(events, job_id, upload_id)
    if stored is not None:
        return UploadStatusOut(upload_id=upload_id, state="stored",
                               bytes_received=stored.size_bytes, upload=stored)  # fmt: skip
    received = await bytes_received(bus.js, upload_id)
    if received is None:
        raise NotFoundError(f"upload {upload_id} does not exist", code="upload_not_found")
    return UploadStatusOut(upload_id=upload_id, state="receiving", bytes_received=received)


async def _stored_in_log(
    events: EventStore, job_id: uuid.UUID, upload_id: uuid.UUID
) -> UploadOut | None:
    # The read model trails the log: a just-finished upload is in the log first.
    found, _ = await events.load(subj.AGGREGATE_JOB, str(job_id))
    for event in found:
        payload = event.envelope.payload
        if isinstance(payload, UploadStored) and payload.upload_id == upload_id:
            return _out(job_id, payload, event.sequence)
    return None
