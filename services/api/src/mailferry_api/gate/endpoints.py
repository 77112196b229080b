"""The gate of a job: see it, approve it (ops lead), override it (super admin)."""

import uuid
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.deps import Db, Events, RequestActor
from mailferry_api.errors import ErrorBody, NotFoundError
from mailferry_api.gate import commands, presenters, queries
from mailferry_api.gate.facts import JobFacts, fold_facts
from mailferry_api.gate.schemas import ApproveIn, DecisionOut, GateOut, OverrideIn
from mailferry_api.operations.commands import Context
from mailferry_bus import EventStore, utc_now
from mailferry_contracts import Actor, Envelope
from mailferry_contracts.subjects import AGGREGATE_JOB

router = APIRouter(tags=["gate"])
Decide = Callable[[JobFacts, Context], Sequence[Envelope[Any]]]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "Refused by the job's current state"}
}
DECISIONS_SHOWN = 200
DELIVERIES_SHOWN = 200


async def decide_and_append(
    events: EventStore, job_id: uuid.UUID, actor: Actor, decide: Decide
) -> tuple[JobFacts, list[int], Context]:
    """Fold the job's log, decide, append at the folded head (retried on a concurrent write)."""
    ctx = Context(job_id=job_id, request_id=uuid.uuid4(), actor=actor, now=utc_now())
    facts, sequences = await events.update(
        AGGREGATE_JOB, str(job_id), fold_facts, lambda f: decide(f, ctx)
    )
    return facts, sequences, ctx


@router.post(
    "/jobs/{job_id}/approve-gate", response_model=DecisionOut,
    **requires(Permission.APPROVE_GATE, responses=CONFLICT),
)  # fmt: skip
async def approve_gate(
    job_id: uuid.UUID, body: ApproveIn, events: Events, actor: RequestActor
) -> DecisionOut:
    """Approve the evaluation on the screen (GateApproved); 409 while checks fail or if stale."""
    _, sequences, _ = await decide_and_append(
        events, job_id, actor, lambda f, c: commands.approval(f, c, body)
    )
    return DecisionOut(job_id=job_id, evaluation_id=body.evaluation_id, sequence=sequences[-1])


@router.post(
    "/jobs/{job_id}/override-gate", response_model=DecisionOut,
    **requires(Permission.OVERRIDE_GATE, responses=CONFLICT),
)  # fmt: skip
async def override_gate(
    job_id: uuid.UUID, body: OverrideIn, events: Events, actor: RequestActor
) -> DecisionOut:
    """Force the gate to ready_for_dns with a reason (GateOverridden, audited)."""
    facts, sequences, _ = await decide_and_append(
        events, job_id, actor, lambda f, c: commands.override(f, c, body)
    )
    latest = facts.view.latest_evaluation
    evaluation_id = latest.evaluation_id if latest else None
    return DecisionOut(job_id=job_id, evaluation_id=evaluation_id, sequence=sequences[-1])


@router.get("/jobs/{job_id}/gate", response_model=GateOut, **requires(Permission.READ))
async def get_gate(
    job_id: uuid.UUID,
    db: Db,
    evaluations: Annotated[int, Query(ge=1, le=500, description="History shown")] = 50,
) -> GateOut:
    """Gate, every check, evaluation history, approvals/overrides and webhook deliveries."""
    job = await queries.gate_job(db, job_id)
    if job is None:
        raise NotFoundError(f"job {job_id} does not exist", code="job_not_found")
    history, total = await queries.evaluations(db, job_id, limit=evaluations)
    decisions = await queries.decisions(db, job_id, limit=DECISIONS_SHOWN)
    deliveries = await queries.deliveries(db, job_id, limit=DELIVERIES_SHOWN)
    return GateOut(
        job_id=job_id, domain=job["domain"], phase=job["phase"], gate=job["migration_gate"],
        evaluation_id=job["last_evaluation_id"], approved_by=job["approved_by"],
        approved_at=job["approved_at"], dns_cutover_at=job["dns_cutover_at"],
        closed_at=job["closed_at"],
        checks=presenters.ordered_checks(await queries.checks(db, job_id)),
        evaluations=[presenters.evaluation_out(r) for r in history], evaluations_total=total,
        decisions=[presenters.decision_out(r) for r in decisions],
        webhook_deliveries=[presenters.delivery_out(r) for r in deliveries],
    )  # fmt: skip
