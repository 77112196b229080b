"""Job endpoints: create, list, get, change notes/limits."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.deps import Db, Events, RequestActor
from mailferry_api.errors import NotFoundError
from mailferry_api.jobs import queries
from mailferry_api.jobs.commands import job_changes, job_created
from mailferry_api.jobs.presenters import job_out
from mailferry_api.jobs.schemas import (
    JobCreate,
    JobCreatedOut,
    JobList,
    JobOut,
    JobPatch,
    JobUpdatedOut,
)
from mailferry_api.jobstate import fold_job
from mailferry_bus import EMPTY, utc_now
from mailferry_contracts.common import GateState, Phase
from mailferry_contracts.job_view import JobView
from mailferry_contracts.subjects import AGGREGATE_JOB

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.post("", status_code=201, response_model=JobCreatedOut, **requires(Permission.WRITE))
async def create_job(body: JobCreate, events: Events, actor: RequestActor) -> JobCreatedOut:
    """Create a migration job (appends JobCreated)."""
    job_id = uuid.uuid4()
    envelope = job_created(body, job_id=job_id, actor=actor, now=utc_now())
    [sequence] = await events.append([envelope], expected=EMPTY)
    return JobCreatedOut(job_id=job_id, sequence=sequence)


@router.get("", response_model=JobList, **requires(Permission.READ))
async def list_jobs(
    db: Db,
    phase: Phase | None = None,
    gate: GateState | None = None,
    domain: Annotated[str | None, Query(max_length=253)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> JobList:
    """Jobs, newest first, filtered by phase, gate and domain."""
    filters = queries.JobFilter(
        phase=phase, gate=gate, domain=domain.strip().lower() if domain else None
    )
    rows, total = await queries.list_jobs(db, filters, limit=limit, offset=offset)
    return JobList(items=[job_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/{job_id}", response_model=JobOut, **requires(Permission.READ))
async def get_job(job_id: uuid.UUID, db: Db) -> JobOut:
    """One job from the read model."""
    row = await queries.get_job(db, job_id)
    if row is None:
        raise NotFoundError(f"job {job_id} does not exist", code="job_not_found")
    return job_out(row)


@router.patch("/{job_id}", response_model=JobUpdatedOut, **requires(Permission.WRITE))
async def update_job(
    job_id: uuid.UUID, body: JobPatch, events: Events, actor: RequestActor
) -> JobUpdatedOut:
    """Change notes (JobNotesUpdated) and/or limits (JobLimitsChanged)."""
    now = utc_now()

    def decide(view: JobView) -> list[Any]:
        return job_changes(view, body, job_id=job_id, actor=actor, now=now)

    _, sequences = await events.update(AGGREGATE_JOB, str(job_id), fold_job, decide)
    return JobUpdatedOut(job_id=job_id, sequences=sequences)
