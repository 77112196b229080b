"""Given-events builder for the gate's unit tests: an in-memory log the gate acts on.

``GateLog`` appends the facts a test gives, and after each one lets the gate decide and appends
what it decided, as the service does against JetStream (one step at a time until nothing is
left). Every id is derived from a counter, so two logs built by the same steps are identical.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from mailferry_contracts import Actor, ActorKind, Contract, Envelope, new_envelope
from mailferry_contracts.common import (
    CheckName,
    GateState,
    RunStatus,
    RunType,
    ServerSettings,
    SourceType,
    SyncMode,
    Tool,
)
from mailferry_contracts.gate import CheckResult, GateApproved, GateEvaluated, GateOverridden
from mailferry_contracts.jobs import (
    DnsCutoverApplied,
    JobClosed,
    JobCreated,
    MailboxesImported,
    MailboxSpec,
    PhaseRetryRequested,
    PreflightRequested,
    SyncRequested,
)
from mailferry_contracts.mailboxes import (
    FolderVerification,
    MailboxPreflighted,
    MailboxVerified,
    QuarantineItem,
    QuarantineRecorded,
    QuarantineReviewed,
)
from mailferry_contracts.runs import RunFinished, RunQueued, RunStarted
from mailferry_gate.checks import GatePolicy
from mailferry_gate.decisions import decide
from mailferry_gate.evaluation import Evaluation, evaluate
from mailferry_gate.state import JobState, State, evolve

NS = uuid.UUID("9a0f6a1c-0000-4000-8000-00000000e57e")
JOB = uuid.uuid5(NS, "job")
START = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TECH = Actor(kind=ActorKind.USER, user="tech@example.com", role="technician")
LEAD = Actor(kind=ActorKind.USER, user="lead@example.com", role="ops_lead")
ADMIN = Actor(kind=ActorKind.USER, user="admin@example.com", role="super_admin")
RUNNER = Actor(kind=ActorKind.SYSTEM, user="runner-imap")
DEST = ServerSettings(host="mail.new.example", port=993)

Folder = tuple[str, int, int, str]
"""(destination folder, source messages, destination messages, role)"""
HEALTHY: list[Folder] = [("INBOX", 120, 120, "inbox"), ("Sent", 42, 42, "sent")]


def mailbox_id(email: str) -> uuid.UUID:
    return uuid.uuid5(NS, email)


def folders_of(
    inbox: tuple[int, int] = (120, 120),
    sent: tuple[int, int] | None = (42, 42),
    archive: tuple[int, int] | None = None,
) -> list[Folder]:
    found: list[Folder] = [("INBOX", *inbox, "inbox")]
    if sent is not None:
        found.append(("Sent", *sent, "sent"))
    if archive is not None:
        found.append(("Archive", *archive, "other"))
    return found


class GateLog:
    """An event log with the gate acting on it."""

    def __init__(self, policy: GatePolicy | None = None, *, acting: bool = True) -> None:
        self.policy = policy or GatePolicy()
        self.acting = acting
        self.entries: list[tuple[int, Envelope[Any]]] = []
        self.state = State()
        self.notifications: list[Any] = []
        self._counter = 0

    # ------------------------------------------------------------------ plumbing
    def now(self) -> datetime:
        return START + timedelta(minutes=len(self.entries))

    def next_id(self, what: str) -> uuid.UUID:
        self._counter += 1
        return uuid.uuid5(NS, f"{what}:{self._counter}")

    def envelope(self, payload: Contract, aggregate_id: uuid.UUID, actor: Actor) -> Envelope[Any]:
        return new_envelope(
            payload,
            aggregate_id=str(aggregate_id),
            actor=actor,
            now=self.now(),
            message_id=self.next_id("event"),
        )

    def append(self, envelope: Envelope[Any]) -> int:
        sequence = len(self.entries) + 1
        self.entries.append((sequence, envelope))
        evolve(self.state, envelope, sequence)
        return sequence

    def give(self, payload: Contract, aggregate_id: uuid.UUID, actor: Actor = TECH) -> None:
        self.append(self.envelope(payload, aggregate_id, actor))
        if self.acting:
            self.settle()

    def settle(self) -> None:
        """Let the gate decide and append, one step at a time, until it has nothing to add."""
        for _ in range(100):
            acted = False
            for job in list(self.state.jobs.values()):
                outcome = decide(job, self.policy, self.now())
                if outcome.notification is not None:
                    self.notifications.append(outcome.notification)
                for envelope in outcome.events:
                    self.append(envelope)
                acted = acted or bool(outcome.events)
            if not acted:
                return
        raise AssertionError("the gate never settled")

    # ------------------------------------------------------------------ facts
    def job(self, domain: str = "example.com") -> "GateLog":
        created = JobCreated(
            job_id=JOB, domain=domain, destination=DEST, concurrency_limit=4, per_host_limit=2
        )
        self.give(created, JOB)
        return self

    def mailboxes(self, *emails: str, source_type: SourceType = SourceType.IMAP) -> "GateLog":
        specs = [
            MailboxSpec(
                mailbox_id=mailbox_id(email),
                source_type=source_type,
                source_email=email,
                source_user=email,
                target_email=email,
                target_user=email,
            )
            for email in emails
        ]
        imported = MailboxesImported(
            import_id=self.next_id("import"), origin="json", batch=1, batch_count=1, mailboxes=specs
        )
        self.give(imported, JOB)
        return self

    def request_sync(self, mode: SyncMode) -> uuid.UUID:
        request_id = self.next_id("request")
        self.give(SyncRequested(request_id=request_id, mode=mode), JOB)
        return request_id

    def request_preflight(self) -> uuid.UUID:
        request_id = self.next_id("request")
        self.give(PreflightRequested(request_id=request_id), JOB)
        return request_id

    def queue(
        self, email: str, run_type: RunType, request_id: uuid.UUID | None = None
    ) -> uuid.UUID:
        run_id = self.next_id("run")
        fields = self._run(email, run_id, run_type)
        queued = RunQueued(
            **fields, request_id=request_id or self.next_id("req"), runner_kind="imap"
        )
        self.give(queued, run_id, RUNNER)
        return run_id

    def start(self, email: str, run_id: uuid.UUID, run_type: RunType) -> None:
        started = RunStarted(
            **self._run(email, run_id, run_type), tool=Tool.NATIVE, runner_id="r1", attempt=1
        )
        self.give(started, run_id, RUNNER)

    def finish(
        self,
        email: str,
        run_id: uuid.UUID,
        run_type: RunType,
        status: RunStatus = RunStatus.SUCCESS,
        error_class: str | None = None,
    ) -> None:
        finished = RunFinished(
            **self._run(email, run_id, run_type),
            tool=Tool.NATIVE,
            status=status,  # type: ignore[arg-type]
            error_class=error_class,
        )
        self.give(finished, run_id, RUNNER)

    def run(
        self,
        email: str,
        run_type: RunType,
        status: RunStatus = RunStatus.SUCCESS,
        error_class: str | None = None,
    ) -> uuid.UUID:
        run_id = self.queue(email, run_type)
        self.start(email, run_id, run_type)
        self.finish(email, run_id, run_type, status, error_class)
        return run_id

    def initial(self, *emails: str, status: RunStatus = RunStatus.SUCCESS) -> "GateLog":
        for email in emails:
            self.run(email, RunType.INITIAL, status)
        return self

    def delta(self, *emails: str, status: RunStatus = RunStatus.SUCCESS) -> "GateLog":
        for email in emails:
            self.run(email, RunType.DELTA, status)
        return self

    def final(self, *emails: str, status: RunStatus = RunStatus.SUCCESS) -> "GateLog":
        for email in emails:
            self.run(email, RunType.FINAL, status)
        return self

    def verify(
        self,
        email: str,
        folders: list[Folder] | None = None,
        *,
        expected: int | None = None,
        merged: dict[str, list[str]] | None = None,
    ) -> "GateLog":
        run_id = self.queue(email, RunType.VERIFY)
        self.start(email, run_id, RunType.VERIFY)
        self.give(self.verification(email, run_id, folders, expected, merged), mailbox_id(email))
        self.finish(email, run_id, RunType.VERIFY)
        return self

    def verification(
        self,
        email: str,
        run_id: uuid.UUID,
        folders: list[Folder] | None = None,
        expected: int | None = None,
        merged: dict[str, list[str]] | None = None,
    ) -> MailboxVerified:
        merged = merged or {}
        rows = [
            FolderVerification(
                source_folders=merged.get(name, [name]),
                destination_folder=name,
                source_messages=src,
                destination_messages=dst,
                role=role,  # type: ignore[arg-type]
            )
            for name, src, dst, role in (HEALTHY if folders is None else folders)
        ]
        return MailboxVerified(
            job_id=JOB,
            run_id=run_id,
            folders=rows,
            source_messages=sum(r.source_messages for r in rows),
            destination_messages=sum(r.destination_messages for r in rows),
            expected_messages=expected,
        )

    def verify_all(self, *emails: str) -> "GateLog":
        for email in emails:
            self.verify(email)
        return self

    def preflighted(self, email: str, ok: bool, error_class: str | None = None) -> "GateLog":
        run_id = self.run(email, RunType.PREFLIGHT)
        result = MailboxPreflighted(job_id=JOB, run_id=run_id, ok=ok, error_class=error_class)
        self.give(result, mailbox_id(email), RUNNER)
        return self

    def quarantine(self, email: str, count: int = 3, folder: str = "INBOX") -> uuid.UUID:
        run_id = self.run(email, RunType.PST_UPLOAD, RunStatus.PARTIAL)
        items = [
            QuarantineItem(index=i, folder=folder, size_bytes=10, reason="over_quota")
            for i in range(count)
        ]
        recorded = QuarantineRecorded(
            job_id=JOB, run_id=run_id, artifact=f"q/{run_id}", count=count, items=items
        )
        self.give(recorded, mailbox_id(email), RUNNER)
        return run_id

    def review(self, email: str, run_id: uuid.UUID, decision: str) -> "GateLog":
        reviewed = QuarantineReviewed(job_id=JOB, run_id=run_id, decision=decision)  # type: ignore[arg-type]
        self.give(reviewed, mailbox_id(email), LEAD)
        return self

    def approve(self, actor: Actor = LEAD, evaluation_id: uuid.UUID | None = None) -> "GateLog":
        target = evaluation_id or self.latest_evaluation().evaluation_id
        self.give(GateApproved(evaluation_id=target), JOB, actor)
        return self

    def override(self, reason: str, actor: Actor = ADMIN) -> "GateLog":
        target = self.latest_evaluation().evaluation_id
        self.give(GateOverridden(evaluation_id=target, reason=reason), JOB, actor)
        return self

    def dns(self) -> "GateLog":
        service = Actor(kind=ActorKind.SERVICE, user="wizard")
        self.give(DnsCutoverApplied(applied_at=self.now()), JOB, service)
        return self

    def close(self) -> "GateLog":
        self.give(JobClosed(reason="done"), JOB, LEAD)
        return self

    def retry_phase(self) -> "GateLog":
        self.give(PhaseRetryRequested(reason="fixed"), JOB, LEAD)
        return self

    # ------------------------------------------------------------------ the usual journey
    def healthy(self, *emails: str) -> "GateLog":
        """Job, mailboxes, initial, delta and a verification at 100 %: the gate warns."""
        emails = emails or ("alice@example.com", "bob@example.com")
        return self.job().mailboxes(*emails).initial(*emails).delta(*emails).verify_all(*emails)

    # ------------------------------------------------------------------ reading
    @property
    def job_state(self) -> JobState:
        return self.state.jobs[JOB]

    def evaluations(self) -> list[GateEvaluated]:
        return [e.payload for _, e in self.entries if isinstance(e.payload, GateEvaluated)]

    def latest_evaluation(self) -> GateEvaluated:
        return self.evaluations()[-1]

    def of_type(self, type_name: str) -> list[Envelope[Any]]:
        return [e for _, e in self.entries if e.type == type_name]

    @property
    def gate(self) -> GateState:
        return self.latest_evaluation().gate

    def check(self, name: CheckName) -> CheckResult:
        return next(c for c in self.latest_evaluation().checks if c.name == name)

    def evaluate(self) -> Evaluation:
        return evaluate(self.job_state, self.policy)

    def _run(self, email: str, run_id: uuid.UUID, run_type: RunType) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "job_id": JOB,
            "mailbox_id": mailbox_id(email),
            "run_type": run_type,
        }
