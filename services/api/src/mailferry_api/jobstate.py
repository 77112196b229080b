"""The job as the event log says it is: the authority for every write decision."""

import uuid
from collections.abc import Sequence

from mailferry_api.errors import ConflictError, NotFoundError
from mailferry_bus import EventStore, Head, StoredEvent
from mailferry_contracts.common import Phase
from mailferry_contracts.job_view import JobView
from mailferry_contracts.subjects import AGGREGATE_JOB


def fold_job(events: Sequence[StoredEvent]) -> JobView:
    """Fold a job's stored events into its ``JobView``."""
    view = JobView()
    for event in events:
        view.apply(event.envelope, event.sequence, event.hash)
    return view


async def load_job(store: EventStore, job_id: uuid.UUID) -> tuple[JobView, Head]:
    """The job's view and the head it was folded at."""
    events, head = await store.load(AGGREGATE_JOB, str(job_id))
    return fold_job(events), head


def is_closed(view: JobView) -> bool:
    """Whether the job was closed (no more writes)."""
    return view.closed or view.phase == Phase.CLOSED


def require_open_job(view: JobView, job_id: uuid.UUID) -> None:
    """404 for an unknown job, 409 for a closed one."""
    if not view.exists:
        raise NotFoundError(f"job {job_id} does not exist", code="job_not_found")
    if is_closed(view):
        raise ConflictError(f"job {job_id} is closed", code="job_closed")


def unknown_mailboxes(view: JobView, mailbox_ids: Sequence[uuid.UUID]) -> list[str]:
    """The ids in ``mailbox_ids`` that are not mailboxes of the job."""
    return [str(m) for m in mailbox_ids if m not in view.mailboxes]
