"""Given events → When the gate evaluates (as the service does, after each event) → Then the gate,
its checks and their messages."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from mailferry_contracts import Actor, ActorKind
from mailferry_contracts.common import CheckName, CheckStatus, GateState, RunStatus, RunType
from mailferry_contracts.common import SourceType as St
from mailferry_contracts.mailboxes import MailboxDeadLettered, QuarantineItem, QuarantineRecorded
from mailferry_gate.checks import GatePolicy
from tests.unit.gate.scenario import JOB, LEAD, RUNNER, TECH, GateLog, folders_of, mailbox_id

A, B, C = "alice@example.com", "bob@example.com", "carol@example.com"
RATIO, INBOX, SENT = CheckName.COUNT_RATIO, CheckName.INBOX_COMPLETE, CheckName.SENT_COMPLETE
QUARANTINE, DELTA = CheckName.PST_QUARANTINE, CheckName.DELTA_PENDING
APPROVAL = CheckName.MANUAL_APPROVAL
PASS, WARN, FAIL = CheckStatus.PASS, CheckStatus.WARN, CheckStatus.FAIL
BLOCKED, WARNING, READY = GateState.BLOCKED, GateState.WARNING, GateState.READY_FOR_DNS
DATA = (RATIO, INBOX, SENT, QUARANTINE, DELTA)


@dataclass
class Case:
    id: str
    given: Callable[[GateLog], object]
    gate: GateState
    statuses: dict[CheckName, CheckStatus] = field(default_factory=dict)
    messages: dict[CheckName, str] = field(default_factory=dict)
    mailboxes: dict[CheckName, list[str]] = field(default_factory=dict)
    invalidated_because: str | None = None
    policy: GatePolicy | None = None


def all_pass(**others: CheckStatus) -> dict[CheckName, CheckStatus]:
    statuses = dict.fromkeys(DATA, PASS)
    statuses.update({CheckName(k): v for k, v in others.items()})
    return statuses


def synced(*emails: str) -> Callable[[GateLog], GateLog]:
    return lambda log: log.job().mailboxes(*emails).initial(*emails).delta(*emails)


def one_mailbox_with(destination_of_1000: int) -> Callable[[GateLog], object]:
    archive = (400, destination_of_1000 - 600)
    return lambda log: synced(A)(log).verify(A, folders_of((500, 500), (100, 100), archive))


def healthy_then(*steps: Callable[[GateLog], object]) -> Callable[[GateLog], object]:
    def given(log: GateLog) -> None:
        log.healthy()
        for step in steps:
            step(log)

    return given


def approved_then(*steps: Callable[[GateLog], object]) -> Callable[[GateLog], object]:
    return healthy_then(lambda log: log.approve(), *steps)


def pst_job(*steps: Callable[[GateLog], object]) -> Callable[[GateLog], object]:
    def given(log: GateLog) -> None:
        log.job().mailboxes(A, source_type=St.PST)
        for step in steps:
            step(log)

    return given


def quarantined(log: GateLog, decision: str | None = None) -> None:
    run_id = log.quarantine(A, count=3)
    log.verify(A)
    if decision is not None:
        log.review(A, run_id, decision)


def dead_lettered_delta(log: GateLog) -> None:
    synced(A)(log)
    run_id = log.queue(A, RunType.DELTA)
    failure = MailboxDeadLettered(
        job_id=JOB, run_id=run_id, command_type="StartSync", reason="max deliveries", deliveries=5
    )
    log.give(failure, mailbox_id(A), RUNNER)
    log.verify(A)


def late_quarantine(log: GateLog) -> QuarantineRecorded:
    """A quarantine reported for the run already verified, as a redelivered report would be."""
    (finished,) = [
        e for e in log.of_type("RunFinished") if e.payload.run_type == RunType.PST_UPLOAD
    ]
    run_id = finished.payload.run_id
    item = QuarantineItem(index=0, folder="INBOX", size_bytes=10, reason="over_quota")
    return QuarantineRecorded(
        job_id=JOB, run_id=run_id, artifact=f"q/{run_id}", count=1, items=[item]
    )


WIZARD = Actor(kind=ActorKind.SERVICE, user="wizard", role="ops_lead")
TWELVE = [f"user{i:02d}@example.com" for i in range(12)]

CASES = [
    Case(
        "healthy_job_waits_for_an_approval",
        lambda log: log.healthy(),
        WARNING,
        all_pass(manual_approval=FAIL),
        {APPROVAL: "not approved: an ops lead must approve", RATIO: "100% (324 of 324"},
    ),
    Case(
        "approved_healthy_job_is_ready_for_dns",
        approved_then(),
        READY,
        all_pass(manual_approval=PASS),
        {APPROVAL: "approved by lead@example.com (ops_lead)"},
    ),
    Case(
        "ratio_just_under_the_minimum_fails",
        one_mailbox_with(989),
        BLOCKED,
        {RATIO: FAIL, INBOX: PASS, SENT: PASS},
        {RATIO: "below the minimum: alice@example.com 98.9% (989 of 1000 messages)"},
        {RATIO: [A]},
    ),
    Case(
        "ratio_exactly_at_the_minimum_warns",
        one_mailbox_with(990),
        WARNING,
        {RATIO: WARN},
        {RATIO: "99% (990 of 1000 messages) at the destination (minimum 99%)"},
        {RATIO: [A]},
    ),
    Case(
        "ratio_just_over_the_minimum_warns",
        one_mailbox_with(991),
        WARNING,
        {RATIO: WARN},
        {RATIO: "short: alice@example.com 99.1% (991 of 1000 messages)"},
    ),
    Case(
        "a_stricter_minimum_from_settings_applies",
        one_mailbox_with(994),
        BLOCKED,
        {RATIO: FAIL},
        {RATIO: "(minimum 99.5%)"},
        policy=GatePolicy(min_ratio=Decimal("0.995")),
    ),
    Case(
        "one_empty_inbox_at_the_destination_blocks_naming_it",
        lambda log: synced(A, B)(log).verify(A).verify(B, folders_of(inbox=(120, 0))),
        BLOCKED,
        {INBOX: FAIL, SENT: PASS, RATIO: FAIL},
        {INBOX: "bob@example.com: INBOX has 0 of 120 messages at the destination"},
        {INBOX: [B], RATIO: [B]},
    ),
    Case(
        "a_sent_folder_short_by_one_message_blocks",
        lambda log: (
            synced(A, B)(log)
            .verify(A)
            .verify(B, folders_of(sent=(42, 41)), merged={"Sent": ["Sent Items"]})
        ),
        BLOCKED,
        {SENT: FAIL, INBOX: PASS, RATIO: WARN},
        {SENT: "bob@example.com: Sent (from Sent Items) has 41 of 42 messages at the destination"},
        {SENT: [B]},
    ),
    Case(
        "merged_folders_complete_pass",
        lambda log: synced(A)(log).verify(
            A, folders_of(inbox=(150, 150)), merged={"INBOX": ["INBOX", "Posteingang"]}
        ),
        WARNING,
        all_pass(),
    ),
    Case(
        "merged_folders_short_name_both_sources",
        lambda log: synced(A)(log).verify(
            A, folders_of(inbox=(150, 149)), merged={"INBOX": ["INBOX", "Posteingang"]}
        ),
        BLOCKED,
        {INBOX: FAIL},
        {INBOX: "alice@example.com: INBOX (merged from INBOX + Posteingang) has 149 of 150"},
    ),
    Case(
        "a_sync_still_running_blocks",
        healthy_then(lambda log: log.start(A, log.queue(A, RunType.DELTA), RunType.DELTA)),
        BLOCKED,
        {DELTA: FAIL, RATIO: FAIL},
        {
            DELTA: "alice@example.com: delta sync running",
            RATIO: "alice@example.com (verified before",
        },
        {DELTA: [A]},
    ),
    Case(
        "a_sync_still_queued_blocks",
        healthy_then(lambda log: log.queue(B, RunType.DELTA)),
        BLOCKED,
        {DELTA: FAIL},
        {DELTA: "bob@example.com: delta sync queued"},
    ),
    Case(
        "a_delta_never_run_after_the_initial_blocks",
        lambda log: log.job().mailboxes(A).initial(A).verify(A),
        BLOCKED,
        {DELTA: FAIL, RATIO: PASS},
        {DELTA: "alice@example.com: no delta sync after the initial sync"},
    ),
    Case(
        "a_failed_delta_blocks_with_its_error_class",
        lambda log: (
            log.job().mailboxes(A).initial(A),
            log.run(A, RunType.DELTA, RunStatus.FAILED, "connection_failed"),
            log.verify(A),
        ),
        BLOCKED,
        {DELTA: FAIL},
        {DELTA: "alice@example.com: delta sync failed (connection_failed)"},
    ),
    Case(
        "a_partial_delta_warns",
        lambda log: log.job().mailboxes(A).initial(A).delta(A, status=RunStatus.PARTIAL).verify(A),
        WARNING,
        {DELTA: WARN},
        {DELTA: "alice@example.com: last delta sync was partial"},
    ),
    Case(
        "a_failed_initial_blocks_with_its_error_class",
        lambda log: (
            log.job().mailboxes(A),
            log.run(A, RunType.INITIAL, RunStatus.FAILED, "auth_failed_source"),
        ),
        BLOCKED,
        {DELTA: FAIL, RATIO: FAIL},
        {DELTA: "alice@example.com: initial sync failed (auth_failed_source)"},
    ),
    Case(
        "a_dead_lettered_sync_is_no_longer_running_but_failed",
        dead_lettered_delta,
        BLOCKED,
        {DELTA: FAIL},
        {DELTA: "alice@example.com: delta sync failed (dead_lettered)"},
    ),
    Case(
        "a_mailbox_never_verified_is_not_proven",
        lambda log: synced(A, B)(log).verify(A),
        BLOCKED,
        {RATIO: FAIL, INBOX: FAIL, SENT: FAIL, DELTA: PASS},
        {RATIO: "not proven: bob@example.com (never verified)", INBOX: "bob@example.com: never"},
        {RATIO: [B]},
    ),
    Case(
        "a_verification_older_than_the_latest_sync_is_not_proven",
        lambda log: log.job().mailboxes(A).initial(A).verify(A).delta(A),
        BLOCKED,
        {RATIO: FAIL, DELTA: PASS},
        {RATIO: "alice@example.com (verified before its latest sync)"},
    ),
    Case(
        "no_sent_folder_in_the_verification_warns",
        lambda log: synced(A)(log).verify(A, folders_of(sent=None)),
        WARNING,
        {SENT: WARN, INBOX: PASS},
        {SENT: "no Sent folder in the verification of: alice@example.com"},
    ),
    Case(
        "a_job_with_zero_mailboxes_is_never_ready",
        lambda log: log.job(),
        BLOCKED,
        {RATIO: FAIL, DELTA: FAIL, APPROVAL: FAIL},
        {RATIO: "the job has no mailboxes"},
    ),
    Case(
        "a_job_with_zero_mailboxes_stays_blocked_even_overridden",
        lambda log: log.job().override("nothing to move"),
        BLOCKED,
        {RATIO: FAIL},
    ),
    Case(
        "approval_before_the_last_delta_no_longer_holds",
        approved_then(lambda log: log.delta(A), lambda log: log.verify(A)),
        WARNING,
        all_pass(manual_approval=FAIL),
        invalidated_because="approval by lead@example.com no longer holds: a sync started: "
        "alice@example.com (delta)",
    ),
    Case(
        "approval_then_a_new_mailbox_added_blocks",
        approved_then(lambda log: log.mailboxes(C)),
        BLOCKED,
        {RATIO: FAIL, APPROVAL: FAIL},
        {RATIO: "carol@example.com (never verified)"},
        invalidated_because="no longer holds: mailbox added: carol@example.com",
    ),
    Case(
        "approval_then_a_verification_below_the_ratio_blocks",
        approved_then(lambda log: log.verify(A, folders_of(inbox=(120, 100)))),
        BLOCKED,
        {RATIO: FAIL, INBOX: FAIL},
        invalidated_because="count_ratio pass → fail",
    ),
    Case(
        "approval_then_a_new_quarantined_message_blocks",
        pst_job(
            lambda log: log.run(A, RunType.PST_UPLOAD),
            lambda log: log.verify(A),
            lambda log: log.approve(),
            quarantined,
        ),
        BLOCKED,
        {QUARANTINE: FAIL, APPROVAL: FAIL},
        {QUARANTINE: "alice@example.com: 3 messages in quarantine (INBOX) not reviewed"},
        invalidated_because="approval by lead@example.com no longer holds",
    ),
    Case(
        "approval_then_a_quarantine_of_the_approved_run_blocks",
        pst_job(
            lambda log: log.run(A, RunType.PST_UPLOAD),
            lambda log: log.verify(A),
            lambda log: log.approve(),
            lambda log: log.give(late_quarantine(log), mailbox_id(A), RUNNER),
        ),
        BLOCKED,
        {QUARANTINE: FAIL, APPROVAL: FAIL},
        invalidated_because="pst_quarantine pass → fail",
    ),
    Case(
        "an_invalidated_approval_stays_invalid_when_the_counts_come_back",
        approved_then(
            lambda log: log.verify(A, folders_of(inbox=(120, 100))), lambda log: log.verify(A)
        ),
        WARNING,
        all_pass(manual_approval=FAIL),
    ),
    Case(
        "a_new_verification_with_the_same_counts_keeps_the_approval",
        approved_then(lambda log: log.verify(A)),
        READY,
        all_pass(manual_approval=PASS),
    ),
    Case(
        "an_approval_of_an_unknown_evaluation_does_not_count",
        healthy_then(lambda log: log.approve(evaluation_id=mailbox_id("nope"))),
        WARNING,
        {APPROVAL: FAIL},
        invalidated_because="unknown",
    ),
    Case(
        "a_technician_approval_is_ignored",
        healthy_then(lambda log: log.approve(TECH)),
        WARNING,
        {APPROVAL: FAIL},
    ),
    Case(
        "an_approval_by_a_program_is_ignored",
        healthy_then(lambda log: log.approve(WIZARD)),
        WARNING,
        {APPROVAL: FAIL},
    ),
    Case(
        "an_approval_of_failing_checks_does_not_count",
        lambda log: (one_mailbox_with(900)(log), log.approve()),
        BLOCKED,
        {APPROVAL: FAIL},
        {APPROVAL: "checks must pass or warn before an ops lead can approve"},
        invalidated_because="had failing checks",
    ),
    Case(
        "pst_quarantine_unreviewed_blocks",
        pst_job(quarantined),
        BLOCKED,
        {QUARANTINE: FAIL, DELTA: WARN},
        {QUARANTINE: "alice@example.com: 3 messages in quarantine (INBOX) not reviewed"},
        {QUARANTINE: [A]},
    ),
    Case(
        "pst_quarantine_accepted_warns",
        pst_job(lambda log: quarantined(log, "accept")),
        WARNING,
        {QUARANTINE: WARN},
        {QUARANTINE: "alice@example.com: 3 messages in quarantine (INBOX) accepted as lost"},
    ),
    Case(
        "pst_quarantine_to_retry_blocks_until_a_sync_completes",
        pst_job(lambda log: quarantined(log, "retry")),
        BLOCKED,
        {QUARANTINE: FAIL},
        {QUARANTINE: "to retry, no sync completed since"},
    ),
    Case(
        "pst_quarantine_retried_passes",
        pst_job(
            lambda log: quarantined(log, "retry"),
            lambda log: log.run(A, RunType.PST_UPLOAD),
            lambda log: log.verify(A),
        ),
        WARNING,
        all_pass(),
        {QUARANTINE: "no quarantined messages left to review"},
    ),
    Case(
        "a_pst_import_needs_no_delta",
        pst_job(lambda log: log.run(A, RunType.PST_UPLOAD), lambda log: log.verify(A)),
        WARNING,
        all_pass(),
    ),
    Case(
        "a_pst_count_taken_independently_is_the_source_count",
        pst_job(
            lambda log: log.run(A, RunType.PST_UPLOAD), lambda log: log.verify(A, expected=170)
        ),
        BLOCKED,
        {RATIO: FAIL},
        {RATIO: "95.29% (162 of 170 messages)"},
    ),
    Case(
        "override_with_a_reason_is_ready_for_dns",
        lambda log: (one_mailbox_with(900)(log), log.override("customer accepts the loss")),
        READY,
        {RATIO: FAIL, APPROVAL: PASS},
        {APPROVAL: "overridden by admin@example.com at 2026-11-21"},
    ),
    Case(
        "override_without_a_reason_is_ignored",
        lambda log: (one_mailbox_with(900)(log), log.override("   ")),
        BLOCKED,
        {APPROVAL: FAIL},
    ),
    Case(
        "override_by_an_ops_lead_is_ignored",
        lambda log: (one_mailbox_with(900)(log), log.override("because", LEAD)),
        BLOCKED,
        {APPROVAL: FAIL},
    ),
    Case(
        "many_faulty_mailboxes_are_named_up_to_a_limit",
        lambda log: log.job().mailboxes(*TWELVE).initial(*TWELVE).delta(*TWELVE),
        BLOCKED,
        {RATIO: FAIL},
        {RATIO: "user09@example.com (never verified) and 2 more"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_gate_scenario(case: Case) -> None:
    log = GateLog(case.policy)
    case.given(log)
    latest = log.latest_evaluation()
    assert latest.gate == case.gate, latest.model_dump_json(indent=1)
    for name, status in case.statuses.items():
        assert log.check(name).status == status, (name, log.check(name).message)
    for name, fragment in case.messages.items():
        assert fragment in log.check(name).message
    for name, emails in case.mailboxes.items():
        assert log.check(name).mailboxes == emails
    if case.invalidated_because is not None:
        reasons = [e.reason for e in log.evaluations() if e.approval_invalidated]
        assert any(case.invalidated_because in r for r in reasons), reasons


def test_there_are_at_least_25_scenarios() -> None:
    assert len(CASES) >= 25
