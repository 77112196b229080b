"""The ``migration.gate_ready`` notification: when it is due, and its payload.

The payload is rebuilt from the log whenever it is needed (first publication, each webhook
retry after a restart) and comes out the same every time: the checks of the evaluation that
reached ready_for_dns, the decision that made it ready, and the phase at the announcement.
"""

import uuid

from mailferry_contracts.common import GateState, Phase
from mailferry_contracts.gate import CheckSummary, GateReady
from mailferry_gate.evaluation import authorized_decision
from mailferry_gate.facts import Announcement, Decision, EvaluationRecord
from mailferry_gate.identity import derived_id
from mailferry_gate.state import JobState


def notification_id_for(evaluation_id: uuid.UUID) -> uuid.UUID:
    """The GateReady id of an evaluation (also its ``Nats-Msg-Id`` on the notify stream)."""
    return derived_id("gate-ready", evaluation_id)


def due_announcement(job: JobState) -> EvaluationRecord | None:
    """The latest evaluation, if it is ready_for_dns and was not announced yet."""
    latest = job.latest_evaluation
    if latest is None or job.closed is not None or latest.gate != GateState.READY_FOR_DNS:
        return None
    return None if latest.evaluation_id in job.announcements else latest


def latest_announcement(job: JobState) -> Announcement | None:
    """The most recent GateReadyAnnounced of the job."""
    return max(job.announcements.values(), key=lambda a: a.fact.seq, default=None)


def gate_ready(
    job: JobState, record: EvaluationRecord, notification_id: uuid.UUID, phase: Phase
) -> GateReady:
    """The notification for ``record`` (a ready_for_dns evaluation of a created job)."""
    if job.created is None:
        raise ValueError(f"job {job.job_id} has no JobCreated; nothing to announce")
    decision = deciding(job, record)
    return GateReady(
        notification_id=notification_id,
        job_id=job.job_id,
        domain=job.created.domain,
        tenant_id=job.created.tenant_id,
        ticket_id=job.created.ticket_id,
        gate=GateState.READY_FOR_DNS,
        phase=phase,
        checks=[
            CheckSummary(name=c.name, status=c.status, message=c.message) for c in record.checks
        ],
        approved_by=decision.user if decision else None,
        approved_at=decision.at if decision else None,
        overridden=decision is not None and decision.kind == "override",
    )


def deciding(job: JobState, record: EvaluationRecord) -> Decision | None:
    """The approval or override in force when ``record`` was evaluated."""
    before = [d for d in job.decisions if d.fact.seq < record.fact.seq and authorized_decision(d)]
    return before[-1] if before else None
