"""Decisions on the gate and the job's end, made against the job's log (pure).

The gate service trusts what the log says (``JobView`` records any GateApproved), so every rule
an approval or override must keep is enforced here, before anything is appended: an approval
names the latest evaluation (a stale screen is refused) and no check other than
manual_approval fails in it; an override says why.
"""

from typing import Any

from mailferry_api.errors import ConflictError
from mailferry_api.gate.facts import JobFacts
from mailferry_api.gate.schemas import ApproveIn, CloseIn, OverrideIn, RetryPhaseIn
from mailferry_api.jobstate import require_open_job
from mailferry_api.operations.commands import Context
from mailferry_contracts import Envelope
from mailferry_contracts.common import CheckName, CheckStatus, GateState, Phase
from mailferry_contracts.gate import CheckResult, GateApproved, GateEvaluated, GateOverridden
from mailferry_contracts.job_view import JobView
from mailferry_contracts.jobs import JobClosed, PhaseRetryRequested


def approval(facts: JobFacts, ctx: Context, body: ApproveIn) -> list[Envelope[Any]]:
    """GateApproved of the evaluation the ops lead saw (409 when stale, failing or done)."""
    view = facts.view
    latest = current_evaluation(view, ctx)
    refuse_after_cutover(facts)
    refuse_stale(latest, body.evaluation_id)
    failing = failing_checks(latest)
    if failing:
        raise ConflictError(
            "the gate cannot be approved while checks fail: "
            + "; ".join(f"{c.name.value}: {c.message}" for c in failing),
            code="checks_failing",
            details={"checks": [c.model_dump(mode="json") for c in failing]},
        )
    refuse_if_ready(view, latest)
    return ctx.wrap([GateApproved(evaluation_id=latest.evaluation_id, comment=body.comment)])


def override(facts: JobFacts, ctx: Context, body: OverrideIn) -> list[Envelope[Any]]:
    """GateOverridden of the latest evaluation, with the super admin's reason."""
    view = facts.view
    latest = current_evaluation(view, ctx)
    refuse_after_cutover(facts)
    if body.evaluation_id is not None:
        refuse_stale(latest, body.evaluation_id)
    refuse_if_ready(view, latest)
    event = GateOverridden(evaluation_id=latest.evaluation_id, reason=body.reason)
    return ctx.wrap([event])


def closing(facts: JobFacts, ctx: Context, body: CloseIn) -> list[Envelope[Any]]:
    """JobClosed of a verified job (409 in any other phase)."""
    view = facts.view
    require_open_job(view, ctx.job_id)
    if view.phase != Phase.VERIFIED:
        raise ConflictError(
            f"job {ctx.job_id} is in phase {view.phase.value}: only a verified job can be closed",
            code="not_verified",
            details={"phase": view.phase.value},
        )
    return ctx.wrap([JobClosed(reason=body.reason)])


def phase_retry(facts: JobFacts, ctx: Context, body: RetryPhaseIn) -> list[Envelope[Any]]:
    """PhaseRetryRequested of a failed job (409 otherwise, or when one is already pending)."""
    view = facts.view
    require_open_job(view, ctx.job_id)
    if view.phase != Phase.FAILED:
        raise ConflictError(
            f"job {ctx.job_id} is in phase {view.phase.value}: only a failed phase can be retried",
            code="not_failed",
            details={"phase": view.phase.value},
        )
    if facts.retry_pending:
        raise ConflictError(
            f"a retry of phase {_back_to(view)} is already requested; the gate moves the job back",
            code="retry_pending",
        )
    return ctx.wrap([PhaseRetryRequested(reason=body.reason)])


def current_evaluation(view: JobView, ctx: Context) -> GateEvaluated:
    """The latest GateEvaluated of an open job (409 when the gate has not evaluated it yet)."""
    require_open_job(view, ctx.job_id)
    if view.latest_evaluation is None:
        raise ConflictError(
            f"the gate has not evaluated job {ctx.job_id} yet", code="not_evaluated"
        )
    return view.latest_evaluation


def refuse_after_cutover(facts: JobFacts) -> None:
    """409 once the DNS points at the destination.

    A decision then would only announce gate_ready again to a wizard that already switched.
    """
    if facts.dns is not None:
        applied = facts.dns.event.applied_at.isoformat()
        raise ConflictError(
            f"the DNS cutover was applied at {applied}: the gate needs no decision any more; "
            "the final sync and verification lead to verified",
            code="dns_already_applied",
        )


def refuse_stale(latest: GateEvaluated, shown: Any) -> None:
    """409 unless ``shown`` is the latest evaluation: the screen the decision was made on."""
    if shown != latest.evaluation_id:
        raise ConflictError(
            f"evaluation {shown} is no longer the latest (now {latest.evaluation_id}, gate "
            f"{latest.gate.value}: {latest.reason}); look at the gate again",
            code="stale_evaluation",
            details={"latest_evaluation_id": str(latest.evaluation_id)},
        )


def refuse_if_ready(view: JobView, latest: GateEvaluated) -> None:
    """409 when the gate is already ready_for_dns or an approval of it already holds."""
    approval_check = next((c for c in latest.checks if c.name == CheckName.MANUAL_APPROVAL), None)
    holds = approval_check is not None and approval_check.status == CheckStatus.PASS
    if latest.gate == GateState.READY_FOR_DNS or holds:
        raise ConflictError(
            f"the gate is already {latest.gate.value}"
            + (f" ({approval_check.message})" if approval_check and holds else ""),
            code="already_decided",
        )
    if view.approved_evaluation_id == latest.evaluation_id:
        raise ConflictError(
            f"evaluation {latest.evaluation_id} is already approved by {view.approved_by}; "
            "the gate service is re-evaluating",
            code="already_decided",
        )


def failing_checks(evaluation: GateEvaluated) -> list[CheckResult]:
    """The failing checks other than manual_approval."""
    return [
        c
        for c in evaluation.checks
        if c.name != CheckName.MANUAL_APPROVAL and c.status == CheckStatus.FAIL
    ]


def _back_to(view: JobView) -> str:
    return view.phase_before_failure.value if view.phase_before_failure else "unknown"
