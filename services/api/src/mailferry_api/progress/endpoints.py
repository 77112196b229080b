"""A job's live progress, from the PROGRESS stream (the read models do not hold it)."""

import uuid

from fastapi import APIRouter

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.deps import BusDep, Db
from mailferry_api.errors import NotFoundError
from mailferry_api.mailboxes.queries import job_exists
from mailferry_api.progress.schemas import JobProgressOut, MailboxProgressOut
from mailferry_api.progress.stream import latest_progress
from mailferry_api.progress.totals import Reported, is_active, job_totals
from mailferry_bus import utc_now

router = APIRouter(tags=["runs"])
ACTIVE_WINDOW_S = 30.0
"""A mailbox whose last report is older than this is not counted in the current rate."""


@router.get("/jobs/{job_id}/progress", response_model=JobProgressOut, **requires(Permission.READ))
async def get_job_progress(job_id: uuid.UUID, db: Db, bus: BusDep) -> JobProgressOut:
    """The latest RunProgress per mailbox, with job totals (percent, rate, ETA)."""
    if not await job_exists(db, job_id):
        raise NotFoundError(f"job {job_id} does not exist", code="job_not_found")
    now = utc_now()
    items = [Reported(e.payload, e.occurred_at) for e in await latest_progress(bus.js, str(job_id))]
    totals = job_totals(items, now, ACTIVE_WINDOW_S)
    return JobProgressOut(
        job_id=job_id,
        **totals.__dict__,
        items=[_item(i, is_active(i, now, ACTIVE_WINDOW_S)) for i in items],
    )


def _item(item: Reported, active: bool) -> MailboxProgressOut:
    p = item.progress
    return MailboxProgressOut(
        mailbox_id=p.mailbox_id,
        run_id=p.run_id,
        run_type=p.run_type.value,
        folder=p.folder,
        messages_done=p.messages_done,
        messages_total=p.messages_total,
        bytes_done=p.bytes_done,
        rate_messages=p.rate_messages,
        rate_bytes=p.rate_bytes,
        eta_seconds=p.eta_seconds,
        percent=p.percent,
        reported_at=item.at,
        active=active,
    )
