"""The job's end and its way out of ``failed``: close a verified job, retry a failed phase."""

import uuid

from fastapi import APIRouter

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.credentials.purge import purge_job_secrets
from mailferry_api.deps import Events, RequestActor, Vault
from mailferry_api.gate import commands
from mailferry_api.gate.endpoints import CONFLICT, decide_and_append
from mailferry_api.gate.schemas import ClosedOut, CloseIn, PhaseRetryOut, RetryPhaseIn

router = APIRouter(tags=["gate"])


# Closing is the ops lead's decision, like approving the gate: the same people hold both.
@router.post(
    "/jobs/{job_id}/close", response_model=ClosedOut,
    **requires(Permission.APPROVE_GATE, responses=CONFLICT),
)  # fmt: skip
async def close_job(
    job_id: uuid.UUID,
    events: Events,
    vault: Vault,
    actor: RequestActor,
    body: CloseIn | None = None,
) -> ClosedOut:
    """Close a verified job (JobClosed), then destroy its secrets (JobSecretsPurged)."""
    given = body or CloseIn()
    _, sequences, ctx = await decide_and_append(
        events, job_id, actor, lambda f, c: commands.closing(f, c, given)
    )
    purged = await purge_job_secrets(events, vault, job_id, actor=actor, now=ctx.now)
    return ClosedOut(
        job_id=job_id, sequence=sequences[-1], references=purged.references,
        secrets_destroyed=purged.destroyed, purge_sequence=purged.sequence,
    )  # fmt: skip


@router.post(
    "/jobs/{job_id}/retry-phase", response_model=PhaseRetryOut,
    **requires(Permission.WRITE, responses=CONFLICT),
)  # fmt: skip
async def retry_phase(
    job_id: uuid.UUID, events: Events, actor: RequestActor, body: RetryPhaseIn | None = None
) -> PhaseRetryOut:
    """Send a failed job back to the phase it failed in (PhaseRetryRequested)."""
    given = body or RetryPhaseIn()
    facts, sequences, _ = await decide_and_append(
        events, job_id, actor, lambda f, c: commands.phase_retry(f, c, given)
    )
    back = facts.view.phase_before_failure
    return PhaseRetryOut(job_id=job_id, back_to=back, sequence=sequences[-1])
