"""The provisioning wizard's routes (its service token only): read the gate, report DNS applied.

A domain names the one job migrating it that is not closed. When several open jobs migrate the
same domain, a domain is ambiguous: both routes answer 409 ``several_open_jobs`` listing them
(id, gate, phase), and the wizard asks again with ``job_id``. Picking one would let the wizard
switch the MX while another job for the same domain still holds mail back.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from psycopg import AsyncConnection

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.deps import CurrentService, Db, Events, RequestActor
from mailferry_api.errors import ConflictError, ErrorBody, InvalidInputError, NotFoundError
from mailferry_api.gate import presenters, queries
from mailferry_api.gate.endpoints import decide_and_append
from mailferry_api.wizard import commands
from mailferry_api.wizard.schemas import CheckSummary, DnsAppliedIn, DnsAppliedOut, WizardGateOut
from mailferry_contracts.validators import normalise_domain

router = APIRouter(tags=["wizard"])
RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such job, or no open job for the domain"},
    409: {"model": ErrorBody, "description": "Several open jobs share the domain, or not ready"},
}
DomainQuery = Annotated[str | None, Query(max_length=253, description="The customer domain")]
JobQuery = Annotated[uuid.UUID | None, Query(description="The job (instead of domain)")]


@router.get(
    "/gate", response_model=WizardGateOut, **requires(Permission.WIZARD, responses=RESPONSES)
)
async def get_domain_gate(
    db: Db, service: CurrentService, domain: DomainQuery = None, job_id: JobQuery = None
) -> WizardGateOut:
    """The gate of the domain's open job (or of ``job_id``): may DNS be switched?"""
    job = await _target(db, _domain(domain), job_id)
    checks = presenters.ordered_checks(await queries.checks(db, job["id"]))
    return WizardGateOut(
        job_id=job["id"], domain=job["domain"], tenant_id=job["tenant_id"],
        ticket_id=job["ticket_id"], gate=job["migration_gate"], phase=job["phase"],
        evaluation_id=job["last_evaluation_id"],
        checks=[CheckSummary(name=c.name, status=c.status, message=c.message) for c in checks],
        approved_by=job["approved_by"], approved_at=job["approved_at"],
        dns_cutover_at=job["dns_cutover_at"],
    )  # fmt: skip


@router.post(
    "/dns-applied", response_model=DnsAppliedOut, **requires(Permission.WIZARD, responses=RESPONSES)
)
async def report_dns_applied(
    body: DnsAppliedIn, db: Db, events: Events, actor: RequestActor, service: CurrentService
) -> DnsAppliedOut:
    """Record that the MX/DNS now points at the destination (DnsCutoverApplied; idempotent)."""
    job_id = body.job_id or (await _target(db, body.domain, None))["id"]
    facts, sequences, _ = await decide_and_append(
        events, job_id, actor, lambda f, c: commands.dns_applied(f, c, body)
    )
    domain = facts.view.created.domain if facts.view.created else ""
    if facts.dns is not None:
        first = facts.dns
        return DnsAppliedOut(
            job_id=job_id, domain=domain, applied_at=first.event.applied_at,
            sequence=first.sequence, repeated=True,
        )  # fmt: skip
    return DnsAppliedOut(
        job_id=job_id, domain=domain, applied_at=body.applied_at, sequence=sequences[-1],
        repeated=False,
    )  # fmt: skip


def _domain(raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        return normalise_domain(raw)
    except ValueError as exc:
        raise InvalidInputError(str(exc), code="invalid_domain") from exc


async def _target(
    db: AsyncConnection[Any], domain: str | None, job_id: uuid.UUID | None
) -> dict[str, Any]:
    if (domain is None) == (job_id is None):
        raise InvalidInputError("give exactly one of domain and job_id", code="target_required")
    if job_id is not None:
        row = await queries.gate_job(db, job_id)
        if row is None:
            raise NotFoundError(f"job {job_id} does not exist", code="job_not_found")
        return row
    rows = await queries.open_jobs_of_domain(db, str(domain))
    if not rows:
        raise NotFoundError(f"no open migration job for domain {domain}", code="domain_not_found")
    if len(rows) > 1:
        raise ConflictError(
            f"{len(rows)} open jobs migrate {domain}: ask again with job_id",
            code="several_open_jobs",
            details=[
                {"job_id": str(r["id"]), "gate": r["migration_gate"], "phase": r["phase"]}
                for r in rows
            ],
        )
    return rows[0]
