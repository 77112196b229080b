"""What a command handler returns, and the progress it reports while it runs."""

import uuid
from dataclasses import dataclass, field

from mailferry_contracts.common import RunStatus, Tool
from mailferry_contracts.mailboxes import MailboxEvent
from mailferry_contracts.runs import RunStats


@dataclass(frozen=True)
class RunOutcome:
    """The end of one attempt; the runner machinery turns it into events and an ack or retry.

    ``facts`` are mailbox events the run established (MailboxPreflighted, MailboxVerified);
    they are appended before RunFinished, so a finished run always has its facts.
    """

    tool: Tool
    status: RunStatus
    error_class: str | None = None
    error_message: str = ""
    exit_code: int | None = None
    stats: RunStats = field(default_factory=RunStats)
    facts: tuple[MailboxEvent, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status == RunStatus.FAILED


@dataclass(frozen=True)
class Progress:
    """One progress measurement as an engine sees it; the context adds run/job/mailbox ids."""

    messages_done: int
    messages_total: int | None = None
    folder: str = ""
    bytes_done: int = 0
    rate_messages: float = 0.0
    rate_bytes: float = 0.0
    eta_seconds: float | None = None

    @property
    def percent(self) -> float:
        if not self.messages_total:
            return 0.0
        return max(0.0, min(100.0, 100.0 * self.messages_done / self.messages_total))


def event_id(run_id: uuid.UUID, label: str) -> uuid.UUID:
    """Deterministic id of an event a run emits once (per attempt where ``label`` says so).

    A redelivered command that re-emits it is dropped by the event log's dedup window.
    """
    return uuid.uuid5(run_id, label)
