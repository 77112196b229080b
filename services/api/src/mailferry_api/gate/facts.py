"""The job as its log says, plus the few facts gate decisions need that ``JobView`` does not keep.

Pure: a fold over stored events. The API decides approvals, overrides, DNS cutovers, closing
and phase retries on this, then appends at the head it was folded at (optimistic concurrency).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from mailferry_api.jobstate import fold_job
from mailferry_bus import StoredEvent
from mailferry_contracts.common import Phase
from mailferry_contracts.job_view import JobView
from mailferry_contracts.jobs import DnsCutoverApplied, PhaseChanged, PhaseRetryRequested


@dataclass(frozen=True)
class DnsRecord:
    """The first DnsCutoverApplied of a job: what a repeated report answers with."""

    sequence: int
    event: DnsCutoverApplied


@dataclass(frozen=True)
class JobFacts:
    """``JobView`` and the extras."""

    view: JobView
    dns: DnsRecord | None
    retry_pending: bool
    """A PhaseRetryRequested was logged after the job last failed (the gate has yet to act)."""


def fold_facts(events: Sequence[StoredEvent]) -> JobFacts:
    """Fold a job's stored events."""
    dns: DnsRecord | None = None
    failed_at = retried_at = 0
    for stored in events:
        payload = stored.envelope.payload
        if isinstance(payload, DnsCutoverApplied) and dns is None:
            dns = DnsRecord(stored.sequence, payload)
        elif isinstance(payload, PhaseChanged) and payload.to_phase == Phase.FAILED:
            failed_at = stored.sequence
        elif isinstance(payload, PhaseRetryRequested):
            retried_at = stored.sequence
    return JobFacts(fold_job(events), dns, retry_pending=retried_at > failed_at > 0)
