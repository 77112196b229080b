"""The gate's verdict: the five data checks, manual_approval, and the gate state.

An approval (or a super admin's override) is tied to the evaluation it refers to. It holds only
while the data checks and per-mailbox counts are exactly those of that evaluation, no mailbox
was added and no sync started after it. Once a GateEvaluated with ``approval_invalidated`` is
in the log after it, it never holds again, even if the counts come back: the ops lead must look
again.

Defensively, a decision from the wrong role (a technician "approving", an ops lead
"overriding"), from a program instead of a person, or an override with a blank reason is
ignored as if it had never been made; the API refuses those before they reach the log.
"""

from dataclasses import dataclass

from mailferry_contracts import ActorKind
from mailferry_contracts.common import CheckName, CheckStatus, GateState, Role
from mailferry_contracts.gate import CheckResult, MailboxRatio
from mailferry_gate.checks import GatePolicy, data_checks, mailbox_ratios
from mailferry_gate.facts import Decision, EvaluationRecord
from mailferry_gate.history import email_of, sync_mode
from mailferry_gate.state import JobState

APPROVER_ROLES = frozenset({Role.OPS_LEAD.value, Role.SUPER_ADMIN.value})
OVERRIDER_ROLES = frozenset({Role.SUPER_ADMIN.value})
NOT_APPROVED = "not approved: an ops lead must approve the current evaluation"
CANNOT_APPROVE = "not approved: checks must pass or warn before an ops lead can approve"


@dataclass(frozen=True)
class Verdict:
    """Whether a decision still holds, and why not."""

    holds: bool
    why: str = ""


@dataclass(frozen=True)
class Evaluation:
    """The gate as the facts stand now."""

    gate: GateState
    checks: tuple[CheckResult, ...]
    ratios: tuple[MailboxRatio, ...]
    decision: Decision | None
    verdict: Verdict

    @property
    def approval_invalidated(self) -> bool:
        """A live approval or override stopped holding with this evaluation."""
        return self.decision is not None and not self.verdict.holds

    @property
    def data(self) -> tuple[CheckResult, ...]:
        """The checks other than manual_approval."""
        return data_only(self.checks)


def evaluate(job: JobState, policy: GatePolicy) -> Evaluation:
    """Run every check and decide the gate state."""
    data = data_checks(job, policy)
    ratios = mailbox_ratios(job, policy)
    decision = live_decision(job)
    verdict = judge(job, decision, data, ratios) if decision else Verdict(False)
    approval = manual_approval(decision if verdict.holds else None, data)
    gate = gate_state(job, data, decision if verdict.holds else None)
    return Evaluation(gate, (*data, approval), ratios, decision, verdict)


def gate_state(job: JobState, data: tuple[CheckResult, ...], holding: Decision | None) -> GateState:
    """The gate (blocked, warning, ready_for_dns) from the data checks and a holding decision."""
    if not job.mailboxes:
        return GateState.BLOCKED
    if holding is not None and holding.kind == "override":
        return GateState.READY_FOR_DNS
    if any(c.status == CheckStatus.FAIL for c in data):
        return GateState.BLOCKED
    return GateState.READY_FOR_DNS if holding is not None else GateState.WARNING


def manual_approval(holding: Decision | None, data: tuple[CheckResult, ...]) -> CheckResult:
    """Pass when an approval or override holds; fail otherwise (alone, it only warns the gate)."""
    name = CheckName.MANUAL_APPROVAL
    if holding is None:
        failing = any(c.status == CheckStatus.FAIL for c in data)
        message = CANNOT_APPROVE if failing else NOT_APPROVED
        return CheckResult(name=name, status=CheckStatus.FAIL, message=message)
    when = holding.at.strftime("%Y-%m-%d %H:%M UTC")
    if holding.kind == "override":
        message = f"overridden by {holding.user} at {when}: {holding.reason.strip()}"
    else:
        message = f"approved by {holding.user} ({holding.role}) at {when}"
    return CheckResult(name=name, status=CheckStatus.PASS, message=message)


def live_decision(job: JobState) -> Decision | None:
    """The latest authorized approval or override, unless an invalidation was logged after it."""
    authorized = [d for d in job.decisions if authorized_decision(d)]
    if not authorized:
        return None
    latest = authorized[-1]
    if any(
        e.approval_invalidated and e.fact.seq > latest.fact.seq for e in job.evaluations.values()
    ):
        return None
    return latest


def authorized_decision(decision: Decision) -> bool:
    """A person with the right role made it (and an override says why)."""
    if decision.actor_kind != ActorKind.USER:
        return False
    if decision.kind == "override":
        return decision.role in OVERRIDER_ROLES and bool(decision.reason.strip())
    return decision.role in APPROVER_ROLES


def reference(job: JobState, decision: Decision) -> EvaluationRecord | None:
    """The evaluation a decision refers to (an override without one: the latest before it)."""
    if decision.evaluation_id is not None:
        return job.evaluations.get(decision.evaluation_id)
    earlier = [e for e in job.evaluations.values() if e.fact.seq < decision.fact.seq]
    return max(earlier, key=lambda e: e.fact.seq, default=None)


def judge(
    job: JobState,
    decision: Decision,
    data: tuple[CheckResult, ...],
    ratios: tuple[MailboxRatio, ...],
) -> Verdict:
    """Whether ``decision`` still holds against the current checks."""
    ref = reference(job, decision)
    if ref is None:
        return Verdict(False, f"it refers to evaluation {decision.evaluation_id}, unknown")
    if decision.kind == "approval" and _failing(data_only(ref.checks)):
        return Verdict(False, f"evaluation {ref.evaluation_id} had failing checks")
    added = sorted(m.email for m in job.mailboxes.values() if m.imported.seq > ref.fact.seq)
    if added:
        return Verdict(False, f"mailbox added: {', '.join(added)}")
    started = _syncs_since(job, ref.fact.seq)
    if started:
        return Verdict(False, f"a sync started: {', '.join(started)}")
    changes = check_changes(data_only(ref.checks), data)
    if changes or ref.ratios != ratios:
        return Verdict(False, "; ".join(changes) or "per-mailbox counts changed")
    return Verdict(True)


def check_changes(before: tuple[CheckResult, ...], after: tuple[CheckResult, ...]) -> list[str]:
    """Human lines for the checks whose result differs."""
    old = {c.name: c for c in before}
    lines = []
    for check in after:
        was = old.get(check.name)
        if was is None or was.status != check.status:
            status = was.status.value if was else "none"
            lines.append(f"{check.name.value} {status} → {check.status.value} ({check.message})")
        elif was != check:
            lines.append(f"{check.name.value}: {check.message}")
    return lines


def data_only(checks: tuple[CheckResult, ...]) -> tuple[CheckResult, ...]:
    """Drop manual_approval."""
    return tuple(c for c in checks if c.name != CheckName.MANUAL_APPROVAL)


def _failing(checks: tuple[CheckResult, ...]) -> bool:
    return any(c.status == CheckStatus.FAIL for c in checks)


def _syncs_since(job: JobState, seq: int) -> list[str]:
    found = []
    for run in sorted(job.runs.values(), key=lambda r: r.first_seq):
        mode = sync_mode(job, run)
        if mode is not None and run.first_seq > seq:
            found.append(f"{email_of(job, run.mailbox_id)} ({mode.value})")
    return list(dict.fromkeys(found))
