"""The Desk payload of a job (read permission: Desk calls with its gateway's JWT)."""

import uuid

from fastapi import APIRouter

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.deps import Db
from mailferry_api.desk.schemas import DeskOut
from mailferry_api.errors import NotFoundError
from mailferry_api.gate.queries import gate_job

router = APIRouter(tags=["desk"])


@router.get("/jobs/{job_id}/desk", response_model=DeskOut, **requires(Permission.READ))
async def get_desk_badge(job_id: uuid.UUID, db: Db) -> DeskOut:
    """Phase, gate and sync percentage of the job, for the ticket badge."""
    row = await gate_job(db, job_id)
    if row is None:
        raise NotFoundError(f"job {job_id} does not exist", code="job_not_found")
    return DeskOut(
        migration_job_id=row["id"],
        migration_phase=row["phase"],
        migration_gate=row["migration_gate"],
        migration_sync_percent=float(row["sync_percent"]),
        ticket_id=row["ticket_id"],
        tenant_id=row["tenant_id"],
    )
