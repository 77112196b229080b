"""Job-level progress from the latest RunProgress of each mailbox (pure; ``now`` passed in).

A mailbox's last progress stays in the stream after its run ended, so only those reported
within ``active_window_s`` count towards the job's current rate; every mailbox counts towards
messages done and total. The ETA is what remains at the current rate.
"""

from dataclasses import dataclass
from datetime import datetime

from mailferry_contracts.runs import RunProgress

COMPLETE = 100.0


@dataclass(frozen=True)
class Reported:
    """One mailbox's latest progress and when it was reported."""

    progress: RunProgress
    at: datetime


@dataclass(frozen=True)
class JobTotals:
    """Sums over the mailboxes of a job."""

    mailboxes: int
    active: int
    messages_done: int
    messages_total: int
    bytes_done: int
    percent: float
    rate_messages: float
    rate_bytes: float
    eta_seconds: float | None


def is_active(item: Reported, now: datetime, active_window_s: float) -> bool:
    """Whether the progress is recent enough to describe a run still at work."""
    return (now - item.at).total_seconds() <= active_window_s and item.progress.percent < COMPLETE


def job_totals(items: list[Reported], now: datetime, active_window_s: float) -> JobTotals:
    """Totals, percent, current rate and ETA of a job."""
    active = [i.progress for i in items if is_active(i, now, active_window_s)]
    done = sum(i.progress.messages_done for i in items)
    total = sum(i.progress.messages_total or i.progress.messages_done for i in items)
    rate = sum(p.rate_messages for p in active)
    left = sum(max(0, (p.messages_total or 0) - p.messages_done) for p in active)
    return JobTotals(
        mailboxes=len(items),
        active=len(active),
        messages_done=done,
        messages_total=total,
        bytes_done=sum(i.progress.bytes_done for i in items),
        percent=min(100.0, 100.0 * done / total) if total else 0.0,
        rate_messages=rate,
        rate_bytes=sum(p.rate_bytes for p in active),
        eta_seconds=left / rate if rate > 0 else None,
    )
