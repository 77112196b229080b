"""The wizard's DNS cutover report -> DnsCutoverApplied, decided against the job's log (pure)."""

from typing import Any

from mailferry_api.errors import ConflictError, NotFoundError
from mailferry_api.gate.facts import JobFacts
from mailferry_api.jobstate import is_closed
from mailferry_api.operations.commands import Context
from mailferry_api.wizard.schemas import DnsAppliedIn
from mailferry_contracts import Envelope
from mailferry_contracts.common import CheckStatus, GateState
from mailferry_contracts.jobs import DnsCutoverApplied


def dns_applied(facts: JobFacts, ctx: Context, body: DnsAppliedIn) -> list[Envelope[Any]]:
    """DnsCutoverApplied, only at ready_for_dns; nothing when it was already reported."""
    view = facts.view
    if not view.exists:
        raise NotFoundError(f"job {ctx.job_id} does not exist", code="job_not_found")
    if facts.dns is not None:
        return []
    if is_closed(view):
        raise ConflictError(f"job {ctx.job_id} is closed", code="job_closed")
    if view.gate != GateState.READY_FOR_DNS:
        raise ConflictError(
            f"the gate of job {ctx.job_id} is {view.gate.value}, not ready_for_dns: DNS must not "
            f"be switched yet{_why(facts)}",
            code="gate_not_ready",
            details={"gate": view.gate.value},
        )
    event = DnsCutoverApplied(applied_at=body.applied_at, details=body.details)
    return ctx.wrap([event])


def _why(facts: JobFacts) -> str:
    latest = facts.view.latest_evaluation
    if latest is None:
        return " (not evaluated yet)"
    open_checks = [
        f"{c.name.value}: {c.message}" for c in latest.checks if c.status == CheckStatus.FAIL
    ]
    return f" ({'; '.join(open_checks)})" if open_checks else ""
