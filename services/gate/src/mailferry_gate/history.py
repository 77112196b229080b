"""Questions about what happened to a mailbox, answered from the facts in ``JobState``.

"Before" and "after" always compare stream sequences: the log's order is the only clock every
writer shares (runners on several hosts do not share wall clocks).
"""

import uuid
from collections.abc import Iterable
from enum import StrEnum

from mailferry_contracts.common import RunStatus, RunType, SourceType, SyncMode
from mailferry_gate.facts import RunFacts, Verification
from mailferry_gate.state import JobState

UPLOAD_SOURCES = frozenset({SourceType.PST, SourceType.MBOX, SourceType.EML})
"""An uploaded file does not change after the upload: its import needs no delta sync."""

_MODE_OF_TYPE = {
    RunType.INITIAL: SyncMode.INITIAL,
    RunType.DELTA: SyncMode.DELTA,
    RunType.FINAL: SyncMode.FINAL,
}
_IMPORT_TYPES = frozenset(
    {RunType.PST_EXTRACT, RunType.PST_UPLOAD, RunType.TGZ_EXPORT, RunType.TGZ_IMPORT}
)
COMPLETED = frozenset({RunStatus.SUCCESS, RunStatus.PARTIAL})


class Proof(StrEnum):
    """Whether a mailbox's latest verification proves its current content."""

    PROVEN = "proven"
    NEVER_VERIFIED = "never verified"
    STALE = "verified before its latest sync"


def sync_mode(job: JobState, run: RunFacts) -> SyncMode | None:
    """initial, delta or final for runs that copy mail; None for preflight, verify, unknown.

    Imports (PST, TGZ) take the mode of the SyncRequested that caused them, else count as an
    initial sync: they copy everything that is missing.
    """
    if run.run_type in _MODE_OF_TYPE:
        return _MODE_OF_TYPE[run.run_type]
    if run.run_type not in _IMPORT_TYPES:
        return None
    request = job.requests.get(run.request_id) if run.request_id else None
    if request is not None and request.mode is not None:
        return request.mode
    return SyncMode.INITIAL


def syncs_of(job: JobState, mailbox_id: uuid.UUID) -> list[RunFacts]:
    """Runs of the mailbox that copy mail, earliest first."""
    # Memoised until the next event: every check asks this for every mailbox (10,000 of them).
    key = ("syncs", mailbox_id)
    found: list[RunFacts] | None = job.memo.get(key)
    if found is None:
        found = job.memo[key] = [r for r in job.runs_of(mailbox_id) if sync_mode(job, r)]
    return found


def active_syncs(job: JobState) -> list[RunFacts]:
    """Sync runs of the job that are queued or running, earliest first."""
    runs = [r for r in job.runs.values() if not r.done and sync_mode(job, r) is not None]
    return sorted(runs, key=lambda r: r.first_seq)


def last_sync_seq(job: JobState, mailbox_id: uuid.UUID) -> int:
    """Sequence of the latest event of any sync run of the mailbox (0 when none)."""
    return max((r.last.seq for r in syncs_of(job, mailbox_id)), default=0)


def verification_start(job: JobState, verification: Verification) -> int:
    """When the counting began: the verify run's start, else the MailboxVerified itself."""
    run = job.runs.get(verification.run_id)
    if run is not None and run.started is not None:
        return run.started.seq
    return verification.fact.seq


def proof(job: JobState, mailbox_id: uuid.UUID) -> Proof:
    """A verification proves the mailbox only if it began after every sync of the mailbox."""
    verification = job.verifications.get(mailbox_id)
    if verification is None:
        return Proof.NEVER_VERIFIED
    if verification_start(job, verification) <= last_sync_seq(job, mailbox_id):
        return Proof.STALE
    return Proof.PROVEN


def of_mode(job: JobState, runs: Iterable[RunFacts], *modes: SyncMode) -> list[RunFacts]:
    """The runs of the given modes."""
    return [r for r in runs if sync_mode(job, r) in modes]


def latest_done(runs: Iterable[RunFacts]) -> RunFacts | None:
    """The run that ended last."""
    done = [r for r in runs if r.end is not None]
    return max(done, key=lambda r: r.end.seq if r.end else 0, default=None)


def latest_completed_initial(job: JobState, mailbox_id: uuid.UUID) -> RunFacts | None:
    """The latest initial sync (or import) that ended with success or partial."""
    runs = of_mode(job, syncs_of(job, mailbox_id), SyncMode.INITIAL)
    return latest_done(r for r in runs if r.outcome in COMPLETED)


def needs_delta(source_type: SourceType) -> bool:
    """Whether a mailbox of this source needs a delta after its initial sync."""
    return source_type not in UPLOAD_SOURCES


def email_of(job: JobState, mailbox_id: uuid.UUID) -> str:
    """The mailbox's address, or its id while its import has not been read."""
    box = job.mailboxes.get(mailbox_id)
    return box.email if box is not None else f"mailbox {mailbox_id}"
