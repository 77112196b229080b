"""How run outcomes move a mailbox's status (pure: the views turn these into SQL parameters).

pending -> syncing when a copy run starts; -> ok / error / quarantine when it ends. Preflight and
verify runs never make a mailbox "syncing": they only record an error class when they fail.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from mailferry_contracts.common import MailboxStatus, RunStatus, RunType

COPY_RUNS = frozenset(
    {RunType.INITIAL, RunType.DELTA, RunType.FINAL, RunType.PST_UPLOAD, RunType.TGZ_IMPORT}
)
"""Runs that move mail: they decide the mailbox's status and sync percentage."""
PREPARATION_RUNS = frozenset({RunType.PST_EXTRACT, RunType.TGZ_EXPORT})
"""Steps before a copy: their failure blocks the mailbox, their success changes nothing."""
_INITIAL_RUNS = frozenset({RunType.INITIAL, RunType.PST_UPLOAD, RunType.TGZ_IMPORT})
FINISHED = frozenset({RunStatus.SUCCESS, RunStatus.PARTIAL, RunStatus.FAILED})

SyncedColumn = Literal["initial_synced_at", "delta_synced_at"]
_MAX_RATIO = Decimal("999.9999")
_PARTIAL = "partial"


@dataclass(frozen=True)
class RunOutcome:
    """What a finished run does to its mailbox."""

    status: MailboxStatus | None
    """New status; None when the run does not decide the status."""
    quarantine_wins: bool = False
    """Unreviewed quarantined messages turn ``status`` into ``quarantine``."""
    sync_percent: int | None = None
    error_class: str | None = None
    error_message: str | None = None
    clear_error: bool = False
    synced_column: SyncedColumn | None = None


def status_when_started(run_type: RunType) -> MailboxStatus | None:
    """A copy run that starts makes the mailbox ``syncing``; other runs leave it alone."""
    return MailboxStatus.SYNCING if run_type in COPY_RUNS else None


def outcome_of(
    run_type: RunType, status: RunStatus, error_class: str | None, error_message: str
) -> RunOutcome:
    """The effect on the mailbox of a run of ``run_type`` ending with ``status``."""
    if status == RunStatus.FAILED:
        return _failed(run_type, error_class, error_message)
    if run_type not in COPY_RUNS:
        return RunOutcome(status=None)
    synced: SyncedColumn = "initial_synced_at" if run_type in _INITIAL_RUNS else "delta_synced_at"
    if status == RunStatus.SUCCESS:
        return RunOutcome(
            MailboxStatus.OK,
            quarantine_wins=True,
            sync_percent=100,
            clear_error=True,
            synced_column=synced,
        )
    return RunOutcome(
        MailboxStatus.ERROR,
        quarantine_wins=True,
        sync_percent=100,
        error_class=error_class or _PARTIAL,
        error_message=error_message,
        synced_column=synced,
    )


def _failed(run_type: RunType, error_class: str | None, error_message: str) -> RunOutcome:
    blocks = run_type in COPY_RUNS or run_type in PREPARATION_RUNS
    return RunOutcome(
        MailboxStatus.ERROR if blocks else None,
        error_class=error_class or "internal",
        error_message=error_message,
    )


def status_after_review(decision: str) -> MailboxStatus:
    """Status once the last quarantined message is reviewed: accepted loss is ok."""
    return MailboxStatus.OK if decision == "accept" else MailboxStatus.ERROR


def verify_ratio(source_messages: int, destination_messages: int) -> Decimal:
    """Ratio destination / source, 4 decimals; an empty source counts as complete."""
    if source_messages == 0:
        return Decimal(1)
    ratio = Decimal(destination_messages) / Decimal(source_messages)
    return min(ratio, _MAX_RATIO).quantize(Decimal("0.0001"))
