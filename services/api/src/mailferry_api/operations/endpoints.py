"""Run requests (preflight, sync, verify, retry) and the verification result of a job."""

import uuid
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.deps import CurrentUser, Db, Events, RequestActor
from mailferry_api.errors import InvalidInputError, NotFoundError
from mailferry_api.jobstate import fold_job
from mailferry_api.mailboxes.queries import job_exists
from mailferry_api.operations import commands, queries
from mailferry_api.operations.commands import Context
from mailferry_api.operations.schemas import (
    RetryIn,
    SelectionIn,
    SyncIn,
    VerificationItem,
    VerificationOut,
    VerificationTotals,
)
from mailferry_api.schemas import Accepted
from mailferry_bus import EventStore, utc_now
from mailferry_contracts import Actor, Envelope
from mailferry_contracts.job_view import JobView
from mailferry_contracts.jobs import RetryItem
from mailferry_contracts.subjects import AGGREGATE_JOB

router = APIRouter(tags=["runs"])
Decide = Callable[[JobView, Context], Sequence[Envelope[Any]]]


async def _request(events: EventStore, job_id: uuid.UUID, actor: Actor, decide: Decide) -> Accepted:
    ctx = Context(job_id=job_id, request_id=uuid.uuid4(), actor=actor, now=utc_now())
    _, sequences = await events.update(
        AGGREGATE_JOB, str(job_id), fold_job, lambda view: decide(view, ctx)
    )
    return Accepted(request_id=ctx.request_id, job_id=job_id, sequence=sequences[-1])


@router.post(
    "/jobs/{job_id}/preflight", status_code=202, response_model=Accepted,
    **requires(Permission.WRITE),
)  # fmt: skip
async def request_preflight(
    job_id: uuid.UUID, events: Events, actor: RequestActor, body: SelectionIn | None = None
) -> Accepted:
    """Ask for a preflight of the selection (PreflightRequested)."""
    ids = body.mailbox_ids if body else None
    return await _request(
        events, job_id, actor, lambda v, c: commands.preflight_requested(v, c, ids)
    )


@router.post(
    "/jobs/{job_id}/sync", status_code=202, response_model=Accepted, **requires(Permission.WRITE)
)
async def request_sync(
    job_id: uuid.UUID, body: SyncIn, events: Events, actor: RequestActor, user: CurrentUser
) -> Accepted:
    """Ask for an initial, delta or final sync (SyncRequested)."""
    return await _request(
        events, job_id, actor, lambda v, c: commands.sync_requested(v, c, body, user.role)
    )


@router.post(
    "/jobs/{job_id}/verify", status_code=202, response_model=Accepted,
    **requires(Permission.WRITE),
)  # fmt: skip
async def request_verify(
    job_id: uuid.UUID, events: Events, actor: RequestActor, body: SelectionIn | None = None
) -> Accepted:
    """Ask for a verification of the selection (VerifyRequested)."""
    ids = body.mailbox_ids if body else None
    return await _request(events, job_id, actor, lambda v, c: commands.verify_requested(v, c, ids))


@router.post(
    "/mailboxes/{mailbox_id}/retry", status_code=202, response_model=Accepted,
    **requires(Permission.WRITE),
)  # fmt: skip
async def retry_mailbox(
    mailbox_id: uuid.UUID, db: Db, events: Events, actor: RequestActor, body: RetryIn | None = None
) -> Accepted:
    """Run a mailbox's failed run again (RetryRequested, scope one)."""
    row = await queries.mailbox_for_retry(db, mailbox_id)
    if row is None:
        raise NotFoundError(f"mailbox {mailbox_id} does not exist", code="mailbox_not_found")
    run_type = (body.run_type if body else None) or row["failed_run_type"]
    if run_type is None:
        raise InvalidInputError(
            "the mailbox has no failed run: give run_type", code="run_type_required"
        )
    items = [RetryItem(mailbox_id=mailbox_id, run_type=run_type)]
    return await _request(
        events, row["job_id"], actor,
        lambda v, c: commands.retry_requested(v, c, items, scope="one"),
    )  # fmt: skip


@router.post(
    "/jobs/{job_id}/retry-failed", status_code=202, response_model=Accepted,
    **requires(Permission.WRITE),
)  # fmt: skip
async def retry_failed_mailboxes(
    job_id: uuid.UUID, db: Db, events: Events, actor: RequestActor
) -> Accepted:
    """Run every mailbox in status error again (RetryRequested, scope all_failed)."""
    rows = await queries.failed_mailboxes(db, job_id)
    items = [RetryItem(**r) for r in rows if r["run_type"] is not None]
    return await _request(
        events, job_id, actor,
        lambda v, c: commands.retry_requested(v, c, items, scope="all_failed"),
    )  # fmt: skip


@router.get("/jobs/{job_id}/verify", response_model=VerificationOut, **requires(Permission.READ))
async def get_verification(
    job_id: uuid.UUID,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> VerificationOut:
    """Latest verification per mailbox, worst first, with totals."""
    if not await job_exists(db, job_id):
        raise NotFoundError(f"job {job_id} does not exist", code="job_not_found")
    rows = await queries.verification_page(db, job_id, limit=limit, offset=offset)
    totals = await queries.verification_totals(db, job_id)
    source, dest = int(totals["messages_source"]), int(totals["messages_dest"])
    return VerificationOut(
        job_id=job_id,
        totals=VerificationTotals(
            mailboxes=totals["mailboxes"], verified=totals["verified"],
            messages_source=source, messages_dest=dest,
            ratio=dest / source if source else None,
        ),
        items=[VerificationItem.model_validate(r) for r in rows],
        total=totals["mailboxes"], limit=limit, offset=offset,
    )  # fmt: skip
