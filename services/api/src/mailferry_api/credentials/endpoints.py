"""Explicit purge of a job's secrets (super admin)."""

import uuid

from fastapi import APIRouter
from pydantic import Field

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.credentials.purge import purge_job_secrets
from mailferry_api.deps import Events, RequestActor, Vault
from mailferry_api.schemas import ResponseModel
from mailferry_bus import utc_now

router = APIRouter(tags=["credentials"])


class PurgedOut(ResponseModel):
    """The job's secrets are gone; runs that need them will fail with a clear reason."""

    job_id: uuid.UUID
    references: int = Field(description="Credential references the job's events carry")
    destroyed: int = Field(description="Secrets that still existed and were destroyed")
    sequence: int = Field(description="Stream sequence of JobSecretsPurged")


@router.post("/jobs/{job_id}/purge-secrets", response_model=PurgedOut, **requires(Permission.ADMIN))
async def purge_secrets(
    job_id: uuid.UUID, events: Events, vault: Vault, actor: RequestActor
) -> PurgedOut:
    """Destroy every stored password and token of the job (JobSecretsPurged)."""
    outcome = await purge_job_secrets(events, vault, job_id, actor=actor, now=utc_now())
    return PurgedOut(
        job_id=outcome.job_id, references=outcome.references,
        destroyed=outcome.destroyed, sequence=outcome.sequence,
    )  # fmt: skip
