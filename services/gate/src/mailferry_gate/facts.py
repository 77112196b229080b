"""The facts the gate keeps about a job, each with its place in the log (sequence, event id)."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from mailferry_contracts import ActorKind
from mailferry_contracts.common import GateState, Phase, RunStatus, RunType, SourceType, SyncMode
from mailferry_contracts.gate import CheckResult, MailboxRatio
from mailferry_contracts.mailboxes import FolderVerification


@dataclass(frozen=True)
class Fact:
    """Where a fact sits in the log: its stream sequence and envelope id."""

    seq: int
    event_id: uuid.UUID


@dataclass
class MailboxFacts:
    """A mailbox of the job, as imported."""

    mailbox_id: uuid.UUID
    email: str
    source_type: SourceType
    imported: Fact


@dataclass
class RunFacts:
    """What is known of one run; any of its events may arrive first."""

    run_id: uuid.UUID
    mailbox_id: uuid.UUID
    run_type: RunType | None = None
    request_id: uuid.UUID | None = None
    queued: Fact | None = None
    started: Fact | None = None
    finished: Fact | None = None
    dead_lettered: Fact | None = None
    status: RunStatus | None = None
    error_class: str | None = None

    @property
    def done(self) -> bool:
        """Finished, or given up (dead-lettered)."""
        return self.finished is not None or self.dead_lettered is not None

    @property
    def outcome(self) -> RunStatus | None:
        """success, partial or failed once done; None while queued or running."""
        if self.status is not None:
            return self.status
        return RunStatus.FAILED if self.dead_lettered is not None else None

    @property
    def first_seq(self) -> int:
        """Sequence of the earliest event known of the run."""
        return min(f.seq for f in self._facts())

    @property
    def last(self) -> Fact:
        """The latest event known of the run."""
        return max(self._facts(), key=lambda f: f.seq)

    @property
    def end(self) -> Fact | None:
        """The event that ended the run."""
        return self.finished or self.dead_lettered

    def _facts(self) -> list[Fact]:
        facts = (self.queued, self.started, self.finished, self.dead_lettered)
        return [f for f in facts if f is not None]


@dataclass(frozen=True)
class Request:
    """A job-level request (preflight, sync, verify, retry)."""

    kind: Literal["preflight", "sync", "verify", "retry"]
    mode: SyncMode | None
    fact: Fact


@dataclass(frozen=True)
class Verification:
    """The counts of one MailboxVerified."""

    fact: Fact
    run_id: uuid.UUID
    folders: tuple[FolderVerification, ...]
    source_messages: int
    destination_messages: int


@dataclass(frozen=True)
class Preflight:
    """The outcome of one MailboxPreflighted."""

    fact: Fact
    ok: bool
    error_class: str | None


@dataclass(frozen=True)
class Quarantine:
    """Messages a run left in quarantine."""

    fact: Fact
    run_id: uuid.UUID
    mailbox_id: uuid.UUID
    count: int
    folders: tuple[str, ...]


@dataclass(frozen=True)
class Review:
    """An operator's decision on a run's quarantine."""

    fact: Fact
    decision: Literal["accept", "retry"]


@dataclass(frozen=True)
class Decision:
    """A GateApproved or GateOverridden, with who made it."""

    fact: Fact
    kind: Literal["approval", "override"]
    evaluation_id: uuid.UUID | None
    user: str
    role: str | None
    actor_kind: ActorKind
    at: datetime
    reason: str


@dataclass(frozen=True)
class EvaluationRecord:
    """A GateEvaluated as stored in the log."""

    fact: Fact
    evaluation_id: uuid.UUID
    gate: GateState
    checks: tuple[CheckResult, ...]
    ratios: tuple[MailboxRatio, ...]
    approval_invalidated: bool


@dataclass(frozen=True)
class Announcement:
    """A GateReadyAnnounced: gate_ready was published for an evaluation."""

    fact: Fact
    evaluation_id: uuid.UUID
    notification_id: uuid.UUID
    at: datetime


@dataclass(frozen=True)
class WebhookAttempt:
    """One recorded delivery attempt."""

    fact: Fact
    attempt: int
    delivered: bool
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class PhaseRecord:
    """A PhaseChanged."""

    fact: Fact
    from_phase: Phase
    to_phase: Phase
