"""Job phases (DESIGN §2) advanced from facts.

``discovered → preflight → initial_sync → delta_sync → cutover_ready → dns_cutover → final_sync
→ verified → closed``, each step caused by a fact named in the PhaseChanged:

- preflight: a preflight was requested, or a preflight run exists.
- initial_sync: an initial sync was requested, or an initial sync run exists.
- delta_sync: every mailbox completed (success or partial) an initial sync; or, from
  cutover_ready, the gate left ready_for_dns.
- cutover_ready: the gate is ready_for_dns (from any earlier phase: an override may come early).
- dns_cutover: DnsCutoverApplied (from any earlier phase: DNS was switched, that is a fact).
- final_sync: a final sync run started after the DNS cutover (also from verified: a re-run).
- verified: every mailbox completed a final sync after the cutover and was verified after it,
  no sync runs and no data check fails.
- closed: JobClosed, from any phase.
- failed, from preflight, initial_sync, delta_sync or final_sync: every mailbox's latest run of
  that phase since the last manual retry failed, and none is still queued or running.

From ``failed`` only a PhaseRetryRequested logged after the failure returns the job to the phase
it failed in; the failure rule then looks only at runs that ended after that retry.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from mailferry_contracts.common import (
    CheckStatus,
    GateState,
    Phase,
    RunStatus,
    RunType,
    SyncMode,
)
from mailferry_contracts.gate import CheckResult
from mailferry_contracts.sync_modes import BEFORE_DNS
from mailferry_gate.checks import mailboxes
from mailferry_gate.facts import Fact, RunFacts
from mailferry_gate.history import (
    COMPLETED,
    Proof,
    active_syncs,
    latest_completed_initial,
    latest_done,
    of_mode,
    proof,
    sync_mode,
    syncs_of,
)
from mailferry_gate.state import JobState

BEFORE_CUTOVER = BEFORE_DNS - {Phase.CUTOVER_READY}
_NAMED = 10
_MODE_OF_PHASE = {
    Phase.INITIAL_SYNC: SyncMode.INITIAL,
    Phase.DELTA_SYNC: SyncMode.DELTA,
    Phase.FINAL_SYNC: SyncMode.FINAL,
}


@dataclass(frozen=True)
class GateView:
    """What the phases need from the latest evaluation."""

    gate: GateState
    event_id: uuid.UUID | None
    data: tuple[CheckResult, ...]


@dataclass(frozen=True)
class Transition:
    """One phase change and the fact that caused it."""

    from_phase: Phase
    to_phase: Phase
    cause: str
    cause_event_id: uuid.UUID | None


def transitions(job: JobState, gate: GateView) -> list[Transition]:
    """The phase changes the facts call for now, in order (possibly several steps)."""
    phase = job.phase
    steps: list[Transition] = []
    for _ in range(len(Phase)):
        step = next_step(job, phase, gate)
        if step is None:
            break
        steps.append(step)
        phase = step.to_phase
    return steps


def next_step(job: JobState, phase: Phase, gate: GateView) -> Transition | None:
    """The first rule that applies to ``phase``."""
    if job.closed is not None and phase != Phase.CLOSED:
        return Transition(phase, Phase.CLOSED, "the job was closed", job.closed.event_id)
    if phase == Phase.CLOSED:
        return None
    if phase == Phase.FAILED:
        return _retried(job)
    for rule in _RULES:
        step = rule(job, phase, gate)
        if step is not None:
            return step
    return None


Rule = Callable[[JobState, Phase, GateView], Transition | None]


def _retried(job: JobState) -> Transition | None:
    back = job.phase_before_failure
    if back is None or job.phase != Phase.FAILED:
        return None  # failed within this chain of steps: no retry can follow it yet
    failed_at = job.phase_changes[-1].fact.seq
    retry = next((r for r in reversed(job.phase_retries) if r.seq > failed_at), None)
    if retry is None:
        return None
    return Transition(Phase.FAILED, back, "manual retry of the failed phase", retry.event_id)


def _failing(job: JobState, phase: Phase, gate: GateView) -> Transition | None:
    since = job.phase_retries[-1].seq if job.phase_retries else 0
    if phase == Phase.PREFLIGHT:
        found = _preflights_failed(job, since)
    elif phase in _MODE_OF_PHASE:
        found = _syncs_failed(job, _MODE_OF_PHASE[phase], since)
    else:
        return None
    if found is None:
        return None
    what, fact = found
    return Transition(phase, Phase.FAILED, f"every mailbox failed: {what}", fact.event_id)


def _preflights_failed(job: JobState, since: int) -> tuple[str, Fact] | None:
    boxes = mailboxes(job)
    if not boxes or _active(job, RunType.PREFLIGHT):
        return None
    facts, errors = [], []
    for box in boxes:
        result = job.preflights.get(box.mailbox_id)
        if result is None or result.fact.seq <= since or result.ok:
            return None
        facts.append(result.fact)
        errors.append(f"{box.email} ({result.error_class or 'failed'})")
    return _summary("preflight", errors), max(facts, key=lambda f: f.seq)


def _syncs_failed(job: JobState, mode: SyncMode, since: int) -> tuple[str, Fact] | None:
    boxes = mailboxes(job)
    if not boxes or any(sync_mode(job, r) == mode for r in active_syncs(job)):
        return None
    facts, errors = [], []
    for box in boxes:
        runs = of_mode(job, syncs_of(job, box.mailbox_id), mode)
        latest = latest_done(r for r in runs if r.end is not None and r.end.seq > since)
        if latest is None or latest.end is None or latest.outcome != RunStatus.FAILED:
            return None
        facts.append(latest.end)
        errors.append(f"{box.email} ({latest.error_class or 'failed'})")
    return _summary(f"{mode.value} sync", errors), max(facts, key=lambda f: f.seq)


def _summary(what: str, errors: list[str]) -> str:
    shown = ", ".join(errors[:_NAMED])
    more = f" and {len(errors) - _NAMED} more" if len(errors) > _NAMED else ""
    return f"{what} of {shown}{more}"


def _active(job: JobState, run_type: RunType) -> bool:
    return any(r.run_type == run_type and not r.done for r in job.runs.values())


def _dns(job: JobState, phase: Phase, gate: GateView) -> Transition | None:
    if job.dns_applied is None or phase not in BEFORE_DNS:
        return None
    cause = "the provisioning wizard applied the DNS cutover"
    return Transition(phase, Phase.DNS_CUTOVER, cause, job.dns_applied.event_id)


def _preflight(job: JobState, phase: Phase, gate: GateView) -> Transition | None:
    if phase != Phase.DISCOVERED:
        return None
    facts = [r.fact for r in job.requests.values() if r.kind == "preflight"]
    facts += [r.last for r in job.runs.values() if r.run_type == RunType.PREFLIGHT]
    first = min(facts, key=lambda f: f.seq, default=None)
    if first is None:
        return None
    return Transition(phase, Phase.PREFLIGHT, "a preflight was requested", first.event_id)


def _initial(job: JobState, phase: Phase, gate: GateView) -> Transition | None:
    if phase not in (Phase.DISCOVERED, Phase.PREFLIGHT):
        return None
    facts = [r.fact for r in job.requests.values() if r.mode == SyncMode.INITIAL]
    facts += [r.last for r in job.runs.values() if sync_mode(job, r) == SyncMode.INITIAL]
    first = min(facts, key=lambda f: f.seq, default=None)
    if first is None:
        return None
    return Transition(phase, Phase.INITIAL_SYNC, "an initial sync was requested", first.event_id)


def _delta(job: JobState, phase: Phase, gate: GateView) -> Transition | None:
    boxes = mailboxes(job)
    if phase != Phase.INITIAL_SYNC or not boxes:
        return None
    ends = []
    for box in boxes:
        initial = latest_completed_initial(job, box.mailbox_id)
        if initial is None or initial.end is None:
            return None
        ends.append(initial.end)
    last = max(ends, key=lambda f: f.seq)
    cause = f"every mailbox completed its initial sync ({len(boxes)})"
    return Transition(phase, Phase.DELTA_SYNC, cause, last.event_id)


def _ready(job: JobState, phase: Phase, gate: GateView) -> Transition | None:
    if phase in BEFORE_CUTOVER and gate.gate == GateState.READY_FOR_DNS:
        return Transition(phase, Phase.CUTOVER_READY, "the gate is ready_for_dns", gate.event_id)
    if phase == Phase.CUTOVER_READY and gate.gate != GateState.READY_FOR_DNS:
        cause = f"the gate dropped to {gate.gate.value}"
        return Transition(phase, Phase.DELTA_SYNC, cause, gate.event_id)
    return None


def _final_started(job: JobState, phase: Phase, gate: GateView) -> Transition | None:
    if phase == Phase.DNS_CUTOVER and job.dns_applied is not None:
        after = job.dns_applied.seq
    elif phase == Phase.VERIFIED and job.phase == Phase.VERIFIED:
        after = job.phase_changes[-1].fact.seq
    else:
        return None
    started = [r for r in _finals_since(job, after) if r.started is not None or r.done]
    first = min(started, key=lambda r: r.first_seq, default=None)
    if first is None:
        return None
    fact = first.started or first.last
    return Transition(phase, Phase.FINAL_SYNC, "the final sync started", fact.event_id)


def _verified(job: JobState, phase: Phase, gate: GateView) -> Transition | None:
    boxes = mailboxes(job)
    if phase != Phase.FINAL_SYNC or job.dns_applied is None or not boxes or active_syncs(job):
        return None
    if any(c.status == CheckStatus.FAIL for c in gate.data):
        return None
    dns = job.dns_applied.seq
    facts = []
    for box in boxes:
        runs = [r for r in _finals_since(job, dns) if r.mailbox_id == box.mailbox_id]
        final = latest_done(runs)
        verification = job.verifications.get(box.mailbox_id)
        if final is None or final.outcome not in COMPLETED or verification is None:
            return None
        if proof(job, box.mailbox_id) is not Proof.PROVEN:
            return None
        facts.append(verification.fact)
    last = max(facts, key=lambda f: f.seq)
    cause = "every mailbox completed its final sync and was verified after it"
    return Transition(phase, Phase.VERIFIED, cause, last.event_id)


def _finals_since(job: JobState, seq: int) -> list[RunFacts]:
    runs = [r for r in job.runs.values() if r.first_seq > seq]
    return [r for r in runs if sync_mode(job, r) == SyncMode.FINAL]


_RULES: tuple[Rule, ...] = (
    _failing,
    _dns,
    _preflight,
    _initial,
    _delta,
    _ready,
    _final_started,
    _verified,
)
