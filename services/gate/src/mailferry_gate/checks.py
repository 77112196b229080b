"""The five data checks of the gate (DESIGN §2), one pure function each: ``job -> CheckResult``.

The sixth, manual_approval, depends on earlier evaluations and lives in ``evaluation.py``.

Warn or fail, decided once for all checks: a fact that means mail may be missing at the
destination fails; a fact that a human should look at, but that proves nothing is missing,
warns. In detail:

- count_ratio fails with no mailboxes; a mailbox never verified, or verified before its latest
  sync; the job's ratio or any mailbox's ratio below the minimum. It warns when some mailbox
  holds fewer messages than its source, every ratio still reaching the minimum.
- inbox_complete / sent_complete fail for a mailbox never verified, or a folder holding fewer
  messages than its source (one is enough). They warn when a verification lists no such folder.
- pst_quarantine fails for a quarantine not reviewed, or a retry asked for with no sync
  completed since. It warns for messages accepted as lost.
- delta_pending fails with no mailboxes, a sync queued or running, no completed initial, no
  delta after the initial, or that delta failed. It warns when an import (PST/mbox/eml) or the
  last delta was partial.

Ratios are compared exactly (``Decimal``), so 99 of 100 is exactly at a 0.99 minimum and passes.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from mailferry_contracts.common import CheckName, CheckStatus, RunStatus, SyncMode
from mailferry_contracts.gate import CheckResult, MailboxRatio
from mailferry_contracts.mailboxes import FolderVerification
from mailferry_gate.facts import MailboxFacts, Quarantine, Review, RunFacts
from mailferry_gate.history import (
    COMPLETED,
    Proof,
    active_syncs,
    email_of,
    latest_completed_initial,
    latest_done,
    needs_delta,
    of_mode,
    proof,
    sync_mode,
    syncs_of,
)
from mailferry_gate.state import JobState

NO_MAILBOXES = "the job has no mailboxes"


@dataclass(frozen=True)
class GatePolicy:
    """Thresholds and size limits of an evaluation."""

    min_ratio: Decimal = Decimal("0.99")
    max_named: int = 10
    """Faults spelled out in one message; the rest are counted."""
    max_listed: int = 200
    """Mailboxes listed in a check's ``mailboxes`` and in ``mailbox_ratios`` (event size)."""


def count_ratio(job: JobState, policy: GatePolicy) -> CheckResult:
    """Σ destination / Σ source over the job, and each mailbox, against the minimum."""
    boxes = mailboxes(job)
    if not boxes:
        return _result(CheckName.COUNT_RATIO, CheckStatus.FAIL, NO_MAILBOXES, [], policy)
    unproven, below, short = _count_faults(job, boxes, policy)
    source, destination = _totals(job, boxes)
    total_ok = meets(destination, source, policy.min_ratio)
    parts = [_headline(job, source, destination, policy)]
    parts += _section("not proven", [text for _, text in unproven], policy)
    parts += _section("below the minimum", [text for _, text in below], policy)
    parts += _section("short", [text for _, text in short], policy)
    message = ". ".join(parts)
    if unproven or below or not total_ok:
        names = [email for email, _ in unproven + below]
        return _result(CheckName.COUNT_RATIO, CheckStatus.FAIL, message, names, policy)
    if short:
        names = [email for email, _ in short]
        return _result(CheckName.COUNT_RATIO, CheckStatus.WARN, message, names, policy)
    return _result(CheckName.COUNT_RATIO, CheckStatus.PASS, message, [], policy)


def mailbox_ratios(job: JobState, policy: GatePolicy) -> tuple[MailboxRatio, ...]:
    """Per-mailbox counts at the latest verification, worst first, at most ``max_listed``."""
    ratios = []
    for box in mailboxes(job):
        verification = job.verifications.get(box.mailbox_id)
        source = verification.source_messages if verification else 0
        destination = verification.destination_messages if verification else 0
        ratio = None if verification is None else (destination / source if source else 1.0)
        ratios.append(
            MailboxRatio(
                mailbox_id=box.mailbox_id,
                email=box.email,
                source_messages=source,
                destination_messages=destination,
                ratio=ratio,
            )
        )
    ratios.sort(key=lambda r: (r.ratio is not None, r.ratio or 0.0, r.email))
    return tuple(ratios[: policy.max_listed])


def inbox_complete(job: JobState, policy: GatePolicy) -> CheckResult:
    """Every mailbox's INBOX at the destination holds at least what the source holds."""
    return _folder_role(job, policy, CheckName.INBOX_COMPLETE, "inbox", "INBOX")


def sent_complete(job: JobState, policy: GatePolicy) -> CheckResult:
    """The same for the Sent folder, found through the verification's folder role."""
    return _folder_role(job, policy, CheckName.SENT_COMPLETE, "sent", "Sent folder")


def pst_quarantine(job: JobState, policy: GatePolicy) -> CheckResult:
    """No quarantined message is left unreviewed; accepted losses warn."""
    failing: list[tuple[str, str]] = []
    accepted: list[tuple[str, str]] = []
    for quarantine in sorted(job.quarantines.values(), key=lambda q: q.fact.seq):
        email = email_of(job, quarantine.mailbox_id)
        review = job.reviews.get(quarantine.run_id)
        what = f"{_messages(quarantine.count)} in quarantine ({', '.join(quarantine.folders)})"
        if review is None:
            failing.append((email, f"{email}: {what} not reviewed"))
        elif review.decision == "accept":
            accepted.append((email, f"{email}: {what} accepted as lost"))
        elif not _retried(job, quarantine, review):
            failing.append((email, f"{email}: {what} to retry, no sync completed since"))
    if failing:
        message = ". ".join(_section("quarantine", [t for _, t in failing + accepted], policy))
        names = [e for e, _ in failing]
        return _result(CheckName.PST_QUARANTINE, CheckStatus.FAIL, message, names, policy)
    if accepted:
        message = ". ".join(_section("accepted losses", [t for _, t in accepted], policy))
        names = [e for e, _ in accepted]
        return _result(CheckName.PST_QUARANTINE, CheckStatus.WARN, message, names, policy)
    message = "no quarantined messages left to review" if job.quarantines else "no quarantine"
    return _result(CheckName.PST_QUARANTINE, CheckStatus.PASS, message, [], policy)


def delta_pending(job: JobState, policy: GatePolicy) -> CheckResult:
    """Every mailbox had a delta after its initial sync, and no sync is queued or running."""
    boxes = mailboxes(job)
    if not boxes:
        return _result(CheckName.DELTA_PENDING, CheckStatus.FAIL, NO_MAILBOXES, [], policy)
    active = active_syncs(job)
    failing = [(email_of(job, run.mailbox_id), _activity(job, run)) for run in active]
    busy = {run.mailbox_id for run in active}
    warning: list[tuple[str, str]] = []
    for box in boxes:
        found = None if box.mailbox_id in busy else _delta_state(job, box)
        if found is not None:
            level, text = found
            target = failing if level is CheckStatus.FAIL else warning
            target.append((box.email, f"{box.email}: {text}"))
    if failing:
        message = ". ".join(_section("pending", [t for _, t in failing + warning], policy))
        names = list(dict.fromkeys(e for e, _ in failing))
        return _result(CheckName.DELTA_PENDING, CheckStatus.FAIL, message, names, policy)
    if warning:
        message = ". ".join(_section("partial", [t for _, t in warning], policy))
        names = [e for e, _ in warning]
        return _result(CheckName.DELTA_PENDING, CheckStatus.WARN, message, names, policy)
    message = "every mailbox had a delta sync after its initial sync; no sync running"
    return _result(CheckName.DELTA_PENDING, CheckStatus.PASS, message, [], policy)


def data_checks(job: JobState, policy: GatePolicy) -> tuple[CheckResult, ...]:
    """The five checks that look at the mail itself, in CheckName order."""
    return tuple(
        check(job, policy)
        for check in (count_ratio, inbox_complete, sent_complete, pst_quarantine, delta_pending)
    )


def mailboxes(job: JobState) -> list[MailboxFacts]:
    """The job's mailboxes by address."""
    return sorted(job.mailboxes.values(), key=lambda m: m.email)


def meets(destination: int, source: int, minimum: Decimal) -> bool:
    """Whether destination / source >= minimum, exactly; an empty source is met."""
    return source == 0 or Decimal(destination) >= minimum * source


def _count_faults(
    job: JobState, boxes: list[MailboxFacts], policy: GatePolicy
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    unproven, below, short = [], [], []
    for box in boxes:
        state = proof(job, box.mailbox_id)
        if state is not Proof.PROVEN:
            unproven.append((box.email, f"{box.email} ({state.value})"))
        verification = job.verifications.get(box.mailbox_id)
        if verification is None:
            continue
        src, dst = verification.source_messages, verification.destination_messages
        if not meets(dst, src, policy.min_ratio):
            below.append((box.email, f"{box.email} {_counts(dst, src)}"))
        elif dst < src:
            short.append((box.email, f"{box.email} {_counts(dst, src)}"))
    return unproven, below, short


def _headline(job: JobState, source: int, destination: int, policy: GatePolicy) -> str:
    if not job.verifications:
        return "no mailbox verified yet"
    return f"{_counts(destination, source)} at the destination (minimum {_pct(policy)})"


def _totals(job: JobState, boxes: list[MailboxFacts]) -> tuple[int, int]:
    found = [job.verifications.get(b.mailbox_id) for b in boxes]
    verified = [v for v in found if v is not None]
    return sum(v.source_messages for v in verified), sum(v.destination_messages for v in verified)


def _folder_role(
    job: JobState, policy: GatePolicy, name: CheckName, role: str, label: str
) -> CheckResult:
    boxes = mailboxes(job)
    if not boxes:
        return _result(name, CheckStatus.FAIL, NO_MAILBOXES, [], policy)
    failing: list[tuple[str, str]] = []
    missing: list[str] = []
    for box in boxes:
        verification = job.verifications.get(box.mailbox_id)
        if verification is None:
            failing.append((box.email, f"{box.email}: never verified"))
            continue
        folders = [f for f in verification.folders if f.role == role]
        if not folders:
            missing.append(box.email)
        failing += [(box.email, _shortfall(box.email, f)) for f in folders if _is_short(f)]
    return _folder_result(name, label, failing, missing, len(boxes), policy)


def _folder_result(
    name: CheckName,
    label: str,
    failing: list[tuple[str, str]],
    missing: list[str],
    count: int,
    policy: GatePolicy,
) -> CheckResult:
    absent = _section(f"no {label} in the verification of", missing, policy)
    if failing:
        message = ". ".join([_listing([t for _, t in failing], policy), *absent])
        names = list(dict.fromkeys(e for e, _ in failing))
        return _result(name, CheckStatus.FAIL, message, names, policy)
    if missing:
        return _result(name, CheckStatus.WARN, ". ".join(absent), missing, policy)
    message = f"every {label} holds at least what the source holds ({_plural(count, 'mailbox')})"
    return _result(name, CheckStatus.PASS, message, [], policy)


def _is_short(folder: FolderVerification) -> bool:
    return folder.destination_messages < folder.source_messages


def _shortfall(email: str, folder: FolderVerification) -> str:
    sources = folder.source_folders
    origin = ""
    if len(sources) > 1:
        origin = f" (merged from {' + '.join(sources)})"
    elif sources and sources[0] != folder.destination_folder:
        origin = f" (from {sources[0]})"
    return (
        f"{email}: {folder.destination_folder}{origin} has {folder.destination_messages} of "
        f"{folder.source_messages} messages at the destination"
    )


def _retried(job: JobState, quarantine: Quarantine, review: Review) -> bool:
    runs = syncs_of(job, quarantine.mailbox_id)
    return any(
        r.outcome in COMPLETED and r.end is not None and r.end.seq > review.fact.seq for r in runs
    )


def _delta_state(job: JobState, box: MailboxFacts) -> tuple[CheckStatus, str] | None:
    initial = latest_completed_initial(job, box.mailbox_id)
    if initial is None or initial.end is None:
        tried = latest_done(of_mode(job, syncs_of(job, box.mailbox_id), SyncMode.INITIAL))
        if tried is None:
            return CheckStatus.FAIL, "no initial sync"
        return CheckStatus.FAIL, f"initial sync failed ({tried.error_class or 'failed'})"
    if needs_delta(box.source_type):
        return _delta_after(job, box, initial.end.seq)
    if initial.outcome == RunStatus.PARTIAL:
        return CheckStatus.WARN, "import was partial"
    return None


def _delta_after(
    job: JobState, box: MailboxFacts, initial_end: int
) -> tuple[CheckStatus, str] | None:
    deltas = of_mode(job, syncs_of(job, box.mailbox_id), SyncMode.DELTA, SyncMode.FINAL)
    delta = latest_done(r for r in deltas if r.first_seq > initial_end)
    if delta is None:
        return CheckStatus.FAIL, "no delta sync after the initial sync"
    if delta.outcome == RunStatus.FAILED:
        return CheckStatus.FAIL, f"delta sync failed ({delta.error_class or 'failed'})"
    if delta.outcome == RunStatus.PARTIAL:
        return CheckStatus.WARN, "last delta sync was partial"
    return None


def _activity(job: JobState, run: RunFacts) -> str:
    mode = sync_mode(job, run)
    what = "running" if run.started is not None else "queued"
    return f"{email_of(job, run.mailbox_id)}: {mode.value if mode else 'sync'} sync {what}"


def _result(
    name: CheckName,
    status: CheckStatus,
    message: str,
    names: Iterable[str],
    policy: GatePolicy,
) -> CheckResult:
    listed = list(dict.fromkeys(names))[: policy.max_listed]
    return CheckResult(name=name, status=status, message=message, mailboxes=listed)


def _section(title: str, items: list[str], policy: GatePolicy) -> list[str]:
    return [f"{title}: {_listing(items, policy)}"] if items else []


def _listing(items: list[str], policy: GatePolicy) -> str:
    shown = ", ".join(items[: policy.max_named])
    rest = len(items) - policy.max_named
    return f"{shown} and {rest} more" if rest > 0 else shown


def _counts(destination: int, source: int) -> str:
    return f"{_percent(destination, source)} ({destination} of {source} messages)"


def _percent(part: int, whole: int) -> str:
    if whole == 0:
        return "100%"
    # Truncated, not rounded: 98.999 % must never read as 99 %.
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_DOWN)
    return f"{value.normalize():f}%"


def _pct(policy: GatePolicy) -> str:
    return f"{(policy.min_ratio * 100).normalize():f}%"


def _messages(count: int) -> str:
    return _plural(count, "message")


def _plural(count: int, noun: str) -> str:
    suffix = "" if count == 1 else ("es" if noun.endswith("x") else "s")
    return f"{count} {noun}{suffix}"
