"""Quarantine endpoints: list, download the mbox, review (accept or retry); a run's files."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from nats.js import JetStreamContext

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.deps import BusDep, Db, Events, RequestActor
from mailferry_api.errors import NotFoundError
from mailferry_api.jobstate import fold_job
from mailferry_api.operations import commands as operations
from mailferry_api.quarantine import queries
from mailferry_api.quarantine.commands import (
    fold_quarantines,
    quarantine_reviewed,
    retry_run_type,
)
from mailferry_api.quarantine.schemas import (
    ArtifactList,
    ArtifactOut,
    QuarantineItemOut,
    QuarantineList,
    ReviewIn,
    ReviewOut,
)
from mailferry_api.quarantine.storage import artifact_chunks, artifact_info
from mailferry_bus import EventStore, utc_now
from mailferry_contracts import Actor
from mailferry_contracts import subjects as subj
from mailferry_contracts.jobs import RetryItem

router = APIRouter(tags=["quarantine"])
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Pending = Annotated[bool, Query(description="Only messages not reviewed yet")]
_MEDIA = {subj.QUARANTINE_ARTIFACT: "application/mbox", subj.ITEMS_ARTIFACT: "application/zip"}


@router.get(
    "/mailboxes/{mailbox_id}/quarantine", response_model=QuarantineList,
    **requires(Permission.READ),
)  # fmt: skip
async def list_mailbox_quarantine(
    mailbox_id: uuid.UUID, db: Db, pending: Pending = False, limit: Limit = 200,
    offset: Offset = 0,
) -> QuarantineList:  # fmt: skip
    """A mailbox's quarantined messages: folder, subject, date, size, reason, review."""
    rows = await queries.quarantine_of_mailbox(
        db, mailbox_id, pending=pending, limit=limit, offset=offset
    )
    items = [QuarantineItemOut.model_validate(r) for r in rows]
    return QuarantineList(items=items, limit=limit, offset=offset)


@router.get("/jobs/{job_id}/quarantine", response_model=QuarantineList, **requires(Permission.READ))
async def list_job_quarantine(
    job_id: uuid.UUID, db: Db, pending: Pending = False, limit: Limit = 200, offset: Offset = 0
) -> QuarantineList:
    """Every quarantined message of a job."""
    rows = await queries.quarantine_of_job(db, job_id, pending=pending, limit=limit, offset=offset)
    items = [QuarantineItemOut.model_validate(r) for r in rows]
    return QuarantineList(items=items, limit=limit, offset=offset)


@router.get(
    "/mailboxes/{mailbox_id}/quarantine/{run_id}/mbox",
    response_class=StreamingResponse,
    **requires(Permission.READ, responses={200: {"content": {"application/mbox": {}}}}),
)
async def download_quarantine(
    mailbox_id: uuid.UUID, run_id: uuid.UUID, db: Db, bus: BusDep
) -> StreamingResponse:
    """The run's quarantine mbox, each message below X-Mailferry-Quarantine-* headers."""
    name = await queries.quarantine_artifact(db, mailbox_id, run_id)
    if name is None:
        raise NotFoundError(f"run {run_id} left no quarantine", code="quarantine_not_found")
    return await _download(bus.js, name, f"quarantine-{run_id}.mbox")


@router.post(
    "/mailboxes/{mailbox_id}/quarantine/{run_id}/review", response_model=ReviewOut,
    **requires(Permission.WRITE),
)  # fmt: skip
async def review_quarantine(
    mailbox_id: uuid.UUID, run_id: uuid.UUID, body: ReviewIn, events: Events,
    actor: RequestActor,
) -> ReviewOut:  # fmt: skip
    """Accept the loss (the gate warns) or retry: the import runs again, copying what is missing."""
    found, [sequence] = await events.update(
        subj.AGGREGATE_MAILBOX, str(mailbox_id), fold_quarantines,
        lambda f: quarantine_reviewed(f, mailbox_id, run_id, body, actor, utc_now()),
    )  # fmt: skip
    retry = None
    if body.decision == "retry":
        job_id = found.recorded[run_id].job_id
        retry = await _request_retry(events, job_id, mailbox_id, run_id, actor)
    return ReviewOut(run_id=run_id, decision=body.decision, sequence=sequence,
                     retry_request_id=retry)  # fmt: skip


async def _request_retry(
    events: EventStore, job_id: uuid.UUID, mailbox_id: uuid.UUID, run_id: uuid.UUID, actor: Actor
) -> uuid.UUID:
    run, _ = await events.load(subj.AGGREGATE_RUN, str(run_id))
    item = RetryItem(mailbox_id=mailbox_id, run_type=retry_run_type(run))
    ctx = operations.Context(job_id=job_id, request_id=uuid.uuid4(), actor=actor, now=utc_now())
    await events.update(
        subj.AGGREGATE_JOB, str(job_id), fold_job,
        lambda view: operations.retry_requested(view, ctx, [item], scope="one"),
    )  # fmt: skip
    return ctx.request_id


@router.get(
    "/mailboxes/{mailbox_id}/artifacts", response_model=ArtifactList,
    **requires(Permission.READ),
)  # fmt: skip
async def list_artifacts(mailbox_id: uuid.UUID, db: Db, bus: BusDep) -> ArtifactList:
    """Files the mailbox's import runs left: quarantine mboxes, calendar/contact items."""
    items = []
    for run in await queries.import_runs(db, mailbox_id, limit=50):
        for file_name in _MEDIA:
            name = subj.artifact_object(str(mailbox_id), str(run["run_id"]), file_name)
            info = await artifact_info(bus.js, name)
            if info is not None:
                path = f"mailboxes/{mailbox_id}/artifacts/{run['run_id']}/{file_name}"
                items.append(ArtifactOut(
                    run_id=run["run_id"], file_name=file_name, size_bytes=info.size or 0,
                    download=f"/api/v1/migration/{path}",
                ))  # fmt: skip
    return ArtifactList(items=items)


@router.get(
    "/mailboxes/{mailbox_id}/artifacts/{run_id}/{file_name}",
    response_class=StreamingResponse,
    **requires(Permission.READ, responses={200: {"content": {m: {} for m in _MEDIA.values()}}}),
)
async def download_artifact(
    mailbox_id: uuid.UUID, run_id: uuid.UUID, file_name: str, bus: BusDep
) -> StreamingResponse:
    """One file a run left (``quarantine.mbox`` or ``items.zip``)."""
    if file_name not in _MEDIA:
        raise NotFoundError(f"no run file is called {file_name}", code="artifact_not_found")
    name = subj.artifact_object(str(mailbox_id), str(run_id), file_name)
    return await _download(bus.js, name, f"{run_id}-{file_name}")


async def _download(js: JetStreamContext, name: str, download_name: str) -> StreamingResponse:
    info = await artifact_info(js, name)
    if info is None:
        raise NotFoundError("the file is not (or no longer) stored", code="artifact_not_found")
    media = _MEDIA.get(name.rsplit("/", 1)[-1], "application/octet-stream")
    headers = {
        "Content-Disposition": f'attachment; filename="{download_name}"',
        "Content-Length": str(info.size or 0),
    }
    return StreamingResponse(artifact_chunks(js, info), media_type=media, headers=headers)
