"""What the gate appends next for a job, decided from its state alone.

One step at a time, so that each decision is made on a state that already holds the previous
one: first a GateEvaluated when the evaluation differs from the last one in the log, then the
PhaseChanged steps the facts call for, then the gate_ready announcement. The service appends
the outcome, waits until it comes back through the log, and asks again until nothing is left.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mailferry_contracts import Envelope
from mailferry_contracts.common import GateState
from mailferry_contracts.gate import GateEvaluated, GateReady, GateReadyAnnounced
from mailferry_contracts.jobs import PhaseChanged
from mailferry_gate.announcements import due_announcement, gate_ready, notification_id_for
from mailferry_gate.checks import GatePolicy
from mailferry_gate.evaluation import Evaluation, check_changes, evaluate
from mailferry_gate.facts import EvaluationRecord
from mailferry_gate.identity import derived_id, gate_envelope
from mailferry_gate.phases import GateView, Transition, transitions
from mailferry_gate.state import JobState


@dataclass(frozen=True)
class Outcome:
    """Events to append to the job's stream; a notification to publish before them."""

    events: tuple[Envelope[Any], ...] = ()
    notification: GateReady | None = None


def decide(job: JobState, policy: GatePolicy, now: datetime) -> Outcome:
    """The next step for ``job``, or an empty outcome when the log already says it all."""
    if job.created is None or job.last_event is None:
        return Outcome()
    evaluation = evaluate(job, policy)
    if job.closed is None and changed(evaluation, job.latest_evaluation):
        return Outcome((_evaluated(job, evaluation, now),))
    steps = transitions(job, _view(job, evaluation))
    if steps:
        return Outcome(tuple(_phase_changed(job, i, s, now) for i, s in enumerate(steps)))
    return _announcement(job, now)


def changed(evaluation: Evaluation, last: EvaluationRecord | None) -> bool:
    """Whether ``evaluation`` says something the last GateEvaluated in the log does not."""
    if last is None or evaluation.approval_invalidated:
        return True
    return (
        evaluation.gate != last.gate
        or evaluation.checks != last.checks
        or evaluation.ratios != last.ratios
    )


def reason(job: JobState, evaluation: Evaluation, last: EvaluationRecord | None) -> str:
    """What changed since the previous evaluation, and after which event."""
    parts = []
    decision = evaluation.decision
    if evaluation.approval_invalidated and decision is not None:
        what = "override" if decision.kind == "override" else "approval"
        parts.append(f"{what} by {decision.user} no longer holds: {evaluation.verdict.why}")
    if last is None:
        parts.append("first evaluation")
    else:
        if last.gate != evaluation.gate:
            parts.append(f"gate {last.gate.value} → {evaluation.gate.value}")
        parts += check_changes(last.checks, evaluation.checks)
        if last.ratios != evaluation.ratios:
            parts.append("per-mailbox counts changed")
    return f"after {job.last_type}: " + "; ".join(parts or ["re-evaluated"])


def _evaluated(job: JobState, evaluation: Evaluation, now: datetime) -> Envelope[Any]:
    cause = job.last_event
    assert cause is not None  # noqa: S101 - decide() returns early without events
    last = job.latest_evaluation
    evaluation_id = derived_id("evaluated", job.job_id, len(job.evaluations), cause.event_id)
    payload = GateEvaluated(
        evaluation_id=evaluation_id,
        gate=evaluation.gate,
        previous_gate=last.gate if last else None,
        checks=list(evaluation.checks),
        mailbox_ratios=list(evaluation.ratios),
        reason=reason(job, evaluation, last),
        approval_invalidated=evaluation.approval_invalidated,
    )
    return gate_envelope(
        job, payload, message_id=evaluation_id, causation_id=cause.event_id, now=now
    )


def _view(job: JobState, evaluation: Evaluation) -> GateView:
    latest = job.latest_evaluation
    if latest is None:
        return GateView(GateState.BLOCKED, None, evaluation.data)
    return GateView(latest.gate, latest.fact.event_id, evaluation.data)


def _phase_changed(job: JobState, index: int, step: Transition, now: datetime) -> Envelope[Any]:
    number = len(job.phase_changes) + index
    payload = PhaseChanged(
        from_phase=step.from_phase,
        to_phase=step.to_phase,
        cause=step.cause,
        cause_event_id=step.cause_event_id,
    )
    message_id = derived_id("phase", job.job_id, number, step.to_phase, step.cause_event_id)
    return gate_envelope(
        job, payload, message_id=message_id, causation_id=step.cause_event_id, now=now
    )


def _announcement(job: JobState, now: datetime) -> Outcome:
    record = due_announcement(job)
    if record is None:
        return Outcome()
    notification_id = notification_id_for(record.evaluation_id)
    payload = GateReadyAnnounced(
        evaluation_id=record.evaluation_id, notification_id=notification_id
    )
    envelope = gate_envelope(
        job,
        payload,
        message_id=derived_id("announced", notification_id),
        causation_id=record.fact.event_id,
        now=now,
    )
    notification = gate_ready(job, record, notification_id, job.phase)
    return Outcome((envelope,), notification)
