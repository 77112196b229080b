"""A realistic job as a sequence of envelopes, in log order, built from the contract examples.

Three mailboxes: alice (IMAP, migrates cleanly and is verified), bob (IMAP, his password is
wrong: preflight and initial sync fail, one transient attempt on the way) and carol (a PST
upload with two quarantined messages, reviewed and accepted by the ops lead).
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from mailferry_contracts import (
    REGISTRY,
    Actor,
    ActorKind,
    Contract,
    Envelope,
    new_envelope,
    system_actor,
)
from mailferry_contracts.common import CheckName, CheckStatus, RunStatus, RunType, SourceType
from mailferry_contracts.gate import CheckResult
from mailferry_contracts.jobs import MailboxSpec
from mailferry_contracts.mailboxes import FolderVerification, QuarantineItem
from mailferry_contracts.routing import run_id_for
from mailferry_contracts.runs import RunStats
from tests.fixtures.factories import CRED_DST, EXAMPLES, USER, WHEN

LEAD = Actor(kind=ActorKind.USER, user="lead@example.com", role="ops_lead", ip="10.0.0.2")
WIZARD = Actor(kind=ActorKind.SERVICE, user="provisioning-wizard", role=None)
DISPATCHER = system_actor("dispatch-imap")
RUNNER = system_actor("runner-imap-1")
GATE = system_actor("gate")


def typed(type_name: str, **changes: Any) -> Contract:
    return REGISTRY[type_name].model_validate({**EXAMPLES[type_name], **changes})


@dataclass
class Journey:
    """Ids of the job and its mailboxes, and the envelopes appended so far."""

    job: uuid.UUID = field(default_factory=uuid.uuid4)
    alice: uuid.UUID = field(default_factory=uuid.uuid4)
    bob: uuid.UUID = field(default_factory=uuid.uuid4)
    carol: uuid.UUID = field(default_factory=uuid.uuid4)
    upload: uuid.UUID = field(default_factory=uuid.uuid4)
    evaluations: list[uuid.UUID] = field(default_factory=lambda: [uuid.uuid4(), uuid.uuid4()])
    requests: dict[str, uuid.UUID] = field(default_factory=dict)
    envelopes: list[Envelope[Any]] = field(default_factory=list)
    minute: int = 0

    def emit(self, payload: Contract, actor: Actor, aggregate_id: uuid.UUID | None = None) -> None:
        self.minute += 1
        self.envelopes.append(
            new_envelope(
                payload,
                aggregate_id=str(aggregate_id or self.job),
                actor=actor,
                now=WHEN + timedelta(minutes=self.minute),
            )
        )

    def run_id(self, request: str, mailbox: uuid.UUID, run_type: RunType) -> uuid.UUID:
        return run_id_for(self.requests[request], mailbox, run_type)

    @property
    def mailbox_ids(self) -> list[uuid.UUID]:
        return [self.alice, self.bob, self.carol]


def spec(mailbox: uuid.UUID, name: str, row: int, **changes: Any) -> MailboxSpec:
    return MailboxSpec.model_validate(
        {
            **EXAMPLES["MailboxesImported"]["mailboxes"][0].model_dump(),
            "mailbox_id": mailbox,
            "row": row,
            "source_email": f"{name}@example.com",
            "source_user": name,
            "target_email": f"{name}@example.com",
            "target_user": f"{name}@example.com",
            **changes,
        }
    )


def build() -> Journey:
    """The whole journey, from creation to the DNS cutover."""
    j = Journey()
    _define(j)
    _preflight(j)
    _initial_sync(j)
    _verify_and_gate(j)
    _finish(j)
    return j


def _define(j: Journey) -> None:
    j.emit(typed("JobCreated", job_id=j.job, notes="kick-off"), USER)
    specs = [
        spec(j.alice, "alice", 1),
        spec(j.bob, "bob", 2),
        spec(j.carol, "carol", 3, source_type=SourceType.PST, target_credential_ref=None),
    ]
    j.emit(typed("MailboxesImported", import_id=uuid.uuid4(), mailboxes=specs), USER)
    j.emit(
        typed(
            "MailboxCredentialsUpdated",
            mailbox_id=j.carol,
            source_credential_ref=None,
            target_credential_ref=CRED_DST,
        ),
        USER,
    )


def _request(j: Journey, name: str, type_name: str, **fields: Any) -> None:
    j.requests[name] = uuid.uuid4()
    j.emit(typed(type_name, request_id=j.requests[name], **fields), USER)


def _run(
    j: Journey,
    request: str,
    mailbox: uuid.UUID,
    run_type: RunType,
    status: RunStatus,
    **finished: Any,
) -> uuid.UUID:
    run = j.run_id(request, mailbox, run_type)
    base = {"run_id": run, "job_id": j.job, "mailbox_id": mailbox, "run_type": run_type}
    queued = {"request_id": j.requests[request], "runner_kind": "imap"}
    j.emit(typed("RunQueued", **base, **queued), DISPATCHER, run)
    j.emit(typed("RunStarted", **base), RUNNER, run)
    j.emit(typed("RunFinished", **base, status=status, **finished), RUNNER, run)
    return run


def _preflight(j: Journey) -> None:
    _request(j, "preflight", "PreflightRequested")
    j.emit(typed("PhaseChanged", from_phase="discovered", to_phase="preflight"), GATE)
    for mailbox in (j.alice, j.carol):
        run = _run(j, "preflight", mailbox, RunType.PREFLIGHT, RunStatus.SUCCESS)
        j.emit(typed("MailboxPreflighted", job_id=j.job, run_id=run), RUNNER, mailbox)
    failure = {"error_class": "auth_failed_source", "error_message": "LOGIN failed"}
    run = _run(j, "preflight", j.bob, RunType.PREFLIGHT, RunStatus.FAILED, **failure)
    j.emit(
        typed("MailboxPreflighted", job_id=j.job, run_id=run, ok=False, **failure),
        RUNNER,
        j.bob,
    )


def _initial_sync(j: Journey) -> None:
    _request(j, "initial", "SyncRequested", mailbox_ids=None)
    j.emit(typed("PhaseChanged", from_phase="preflight", to_phase="initial_sync"), GATE)
    stats = RunStats(transferred=992, skipped=0, folders=12, bytes=5_000_000)
    alice = _run(j, "initial", j.alice, RunType.INITIAL, RunStatus.SUCCESS, stats=stats)
    # A runner redelivered alice's command after she finished: must not undo the outcome.
    base = {"run_id": alice, "job_id": j.job, "mailbox_id": j.alice, "run_type": "initial"}
    j.emit(typed("RunStarted", **base, attempt=2), RUNNER, alice)
    _bob_fails(j)
    _carol_uploads(j)


def _bob_fails(j: Journey) -> None:
    run = j.run_id("initial", j.bob, RunType.INITIAL)
    base = {"run_id": run, "job_id": j.job, "mailbox_id": j.bob, "run_type": "initial"}
    queued = {"request_id": j.requests["initial"], "runner_kind": "imap"}
    j.emit(typed("RunQueued", **base, **queued), DISPATCHER, run)
    j.emit(typed("RunStarted", **base), RUNNER, run)
    j.emit(typed("RunAttemptFailed", **base), RUNNER, run)
    j.emit(typed("RunStarted", **base, attempt=2), RUNNER, run)
    j.emit(
        typed(
            "RunFinished",
            **base,
            status="failed",
            attempt=2,
            exit_code=16,
            stats=RunStats(),
            error_class="auth_failed_source",
            error_message="LOGIN failed",
        ),
        RUNNER,
        run,
    )


def _carol_uploads(j: Journey) -> None:
    j.emit(typed("UploadStored", mailbox_id=j.carol, upload_id=j.upload), USER)
    run = j.run_id("initial", j.carol, RunType.PST_UPLOAD)
    base = {"run_id": run, "job_id": j.job, "mailbox_id": j.carol, "run_type": "pst_upload"}
    queued = {"request_id": j.requests["initial"], "runner_kind": "pst"}
    j.emit(typed("RunQueued", **base, **queued), DISPATCHER, run)
    j.emit(typed("RunStarted", **base, tool="uploader"), RUNNER, run)
    items = [
        QuarantineItem(index=i, folder="Inbox", size_bytes=20 * 2**20, reason="over_quota")
        for i in range(2)
    ]
    j.emit(
        typed("QuarantineRecorded", job_id=j.job, run_id=run, count=2, items=items),
        RUNNER,
        j.carol,
    )
    j.emit(
        typed("RunFinished", **base, tool="uploader", status="partial", error_class="partial"),
        RUNNER,
        run,
    )


def _verify_and_gate(j: Journey) -> None:
    _request(j, "verify", "VerifyRequested", mailbox_ids=[j.alice])
    run = _run(j, "verify", j.alice, RunType.VERIFY, RunStatus.SUCCESS)
    folders = [
        FolderVerification(
            source_folders=["INBOX"],
            destination_folder="INBOX",
            source_messages=1000,
            destination_messages=992,
            role="inbox",
        )
    ]
    verified = {"source_messages": 1000, "destination_messages": 992, "folders": folders}
    j.emit(
        typed("MailboxVerified", job_id=j.job, run_id=run, source_bytes=9, **verified),
        RUNNER,
        j.alice,
    )
    _evaluate(j, j.evaluations[0], "warning", CheckStatus.WARN)
    j.emit(typed("GateApproved", evaluation_id=j.evaluations[0], comment="ok"), LEAD)
    _evaluate(j, j.evaluations[1], "ready_for_dns", CheckStatus.PASS)
    notification = uuid.uuid4()
    j.emit(typed("GateReadyAnnounced", evaluation_id=j.evaluations[1]), GATE)
    for attempt, delivered in ((1, False), (2, True)):
        j.emit(
            typed(
                "WebhookDeliveryAttempted",
                notification_id=notification,
                attempt=attempt,
                delivered=delivered,
                status_code=204 if delivered else 502,
                error="" if delivered else "bad gateway",
            ),
            GATE,
        )


def _evaluate(j: Journey, evaluation: uuid.UUID, gate: str, ratio: CheckStatus) -> None:
    checks = [
        CheckResult(name=CheckName.COUNT_RATIO, status=ratio, message="99.2%"),
        CheckResult(name=CheckName.MANUAL_APPROVAL, status=CheckStatus.PASS, message="approved"),
    ]
    j.emit(typed("GateEvaluated", evaluation_id=evaluation, gate=gate, checks=checks), GATE)


def _finish(j: Journey) -> None:
    run = j.run_id("initial", j.carol, RunType.PST_UPLOAD)
    j.emit(
        typed("QuarantineReviewed", job_id=j.job, run_id=run, decision="accept", note="spam"),
        LEAD,
        j.carol,
    )
    j.emit(typed("JobNotesUpdated", notes="cutover on saturday"), USER)
    j.emit(typed("DnsCutoverApplied", applied_at=WHEN + timedelta(days=1)), WIZARD)


AUDITED_TYPES = [
    "JobCreated",
    "MailboxesImported",
    "MailboxCredentialsUpdated",
    "PreflightRequested",
    "SyncRequested",
    "UploadStored",
    "VerifyRequested",
    "GateApproved",
    "QuarantineReviewed",
    "JobNotesUpdated",
    "DnsCutoverApplied",
]
"""Types of the journey caused by a person or a service, in log order."""
