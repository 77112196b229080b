"""Phases advance from facts, each change naming its cause."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from mailferry_contracts.common import Phase, RunStatus, RunType, SyncMode
from mailferry_contracts.jobs import PhaseChanged
from tests.unit.gate.scenario import GateLog, folders_of

A, B = "alice@example.com", "bob@example.com"
P = Phase


def phases(log: GateLog) -> list[Phase]:
    return [e.payload.to_phase for e in log.of_type("PhaseChanged")]


def preflighted(log: GateLog) -> None:
    log.job().mailboxes(A, B)
    log.request_preflight()
    log.preflighted(A, ok=True).preflighted(B, ok=True)
    log.request_sync(SyncMode.INITIAL)
    log.initial(A, B)


def to_cutover(log: GateLog) -> GateLog:
    return log.healthy(A, B).approve()


def to_verified(log: GateLog) -> GateLog:
    return to_cutover(log).dns().final(A, B).verify_all(A, B)


def initial_failed_everywhere(log: GateLog) -> GateLog:
    log.job().mailboxes(A, B)
    log.run(A, RunType.INITIAL, RunStatus.FAILED, "auth_failed_source")
    log.run(B, RunType.INITIAL, RunStatus.FAILED, "connection_failed")
    return log


@dataclass
class Journey:
    id: str
    given: Callable[[GateLog], object]
    phases: list[Phase]


JOURNEYS = [
    Journey(
        "preflight_then_initial_then_delta",
        preflighted,
        [P.PREFLIGHT, P.INITIAL_SYNC, P.DELTA_SYNC],
    ),
    Journey(
        "delta_waits_for_every_mailbox",
        lambda log: log.job().mailboxes(A, B).initial(A),
        [P.INITIAL_SYNC],
    ),
    Journey(
        "a_partial_initial_counts_as_completed",
        lambda log: log.job().mailboxes(A).initial(A, status=RunStatus.PARTIAL),
        [P.INITIAL_SYNC, P.DELTA_SYNC],
    ),
    Journey(
        "approval_makes_cutover_ready", to_cutover, [P.INITIAL_SYNC, P.DELTA_SYNC, P.CUTOVER_READY]
    ),
    Journey(
        "the_whole_journey_to_closed",
        lambda log: (to_verified(log), log.close()),
        [
            P.INITIAL_SYNC,
            P.DELTA_SYNC,
            P.CUTOVER_READY,
            P.DNS_CUTOVER,
            P.FINAL_SYNC,
            P.VERIFIED,
            P.CLOSED,
        ],
    ),
    Journey(
        "a_gate_dropping_back_leaves_cutover_ready",
        lambda log: (to_cutover(log), log.delta(A)),
        [P.INITIAL_SYNC, P.DELTA_SYNC, P.CUTOVER_READY, P.DELTA_SYNC],
    ),
    Journey(
        "an_override_in_initial_sync_jumps_to_cutover_ready",
        lambda log: (log.job().mailboxes(A).initial(A), log.override("urgent")),
        [P.INITIAL_SYNC, P.DELTA_SYNC, P.CUTOVER_READY],
    ),
    Journey(
        "dns_applied_early_is_still_a_fact",
        lambda log: log.job().mailboxes(A).initial(A).dns(),
        [P.INITIAL_SYNC, P.DELTA_SYNC, P.DNS_CUTOVER],
    ),
    Journey(
        "final_sync_without_verification_is_not_verified",
        lambda log: (to_cutover(log), log.dns().final(A, B)),
        [P.INITIAL_SYNC, P.DELTA_SYNC, P.CUTOVER_READY, P.DNS_CUTOVER, P.FINAL_SYNC],
    ),
    Journey(
        "a_short_verification_after_the_final_is_not_verified",
        lambda log: (
            to_cutover(log),
            log.dns().final(A, B).verify(A).verify(B, folders_of(inbox=(120, 60))),
        ),
        [P.INITIAL_SYNC, P.DELTA_SYNC, P.CUTOVER_READY, P.DNS_CUTOVER, P.FINAL_SYNC],
    ),
    Journey(
        "a_final_rerun_after_verified_returns_to_final_sync",
        lambda log: (to_verified(log), log.final(A)),
        [
            P.INITIAL_SYNC,
            P.DELTA_SYNC,
            P.CUTOVER_READY,
            P.DNS_CUTOVER,
            P.FINAL_SYNC,
            P.VERIFIED,
            P.FINAL_SYNC,
        ],
    ),
    Journey(
        "every_initial_failing_fails_the_job",
        initial_failed_everywhere,
        [P.INITIAL_SYNC, P.FAILED],
    ),
    Journey(
        "one_initial_failing_does_not_fail_the_job",
        lambda log: (
            log.job().mailboxes(A, B).initial(A),
            log.run(B, RunType.INITIAL, RunStatus.FAILED),
        ),
        [P.INITIAL_SYNC],
    ),
    Journey(
        "a_manual_retry_returns_to_the_failed_phase",
        lambda log: (initial_failed_everywhere(log), log.retry_phase()),
        [P.INITIAL_SYNC, P.FAILED, P.INITIAL_SYNC],
    ),
    Journey(
        "after_a_retry_only_new_failures_fail_the_job_again",
        lambda log: (
            initial_failed_everywhere(log),
            log.retry_phase(),
            log.run(A, RunType.INITIAL, RunStatus.FAILED),
            log.run(B, RunType.INITIAL, RunStatus.FAILED),
        ),
        [P.INITIAL_SYNC, P.FAILED, P.INITIAL_SYNC, P.FAILED],
    ),
    Journey(
        "a_retry_after_mailboxes_recovered_moves_on",
        lambda log: (initial_failed_everywhere(log), log.initial(A, B), log.retry_phase()),
        [P.INITIAL_SYNC, P.FAILED, P.INITIAL_SYNC, P.DELTA_SYNC],
    ),
    Journey(
        "every_preflight_failing_fails_the_job",
        lambda log: (
            log.job().mailboxes(A),
            log.request_preflight(),
            log.preflighted(A, ok=False, error_class="auth_failed_source"),
        ),
        [P.PREFLIGHT, P.FAILED],
    ),
    Journey(
        "a_failed_job_can_be_closed",
        lambda log: (initial_failed_everywhere(log), log.close()),
        [P.INITIAL_SYNC, P.FAILED, P.CLOSED],
    ),
]


@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.id for j in JOURNEYS])
def test_phase_journey(journey: Journey) -> None:
    log = GateLog()
    journey.given(log)
    assert phases(log) == journey.phases
    assert log.job_state.phase == journey.phases[-1]


class TestCauses:
    def test_delta_sync_is_caused_by_the_last_initial_to_finish(self):
        log = GateLog().job().mailboxes(A, B).initial(A, B)
        [change] = [
            e.payload for e in log.of_type("PhaseChanged") if e.payload.to_phase == P.DELTA_SYNC
        ]
        finished = log.of_type("RunFinished")
        assert change.cause_event_id == finished[-1].id
        assert "every mailbox completed its initial sync" in change.cause

    def test_cutover_ready_is_caused_by_the_ready_evaluation(self):
        log = GateLog()
        to_cutover(log)
        change: PhaseChanged = log.of_type("PhaseChanged")[-1].payload
        ready = [e for e in log.of_type("GateEvaluated") if e.payload.gate == "ready_for_dns"]
        assert change.cause_event_id == ready[-1].id

    def test_failure_names_every_mailbox_and_its_error(self):
        log = GateLog()
        initial_failed_everywhere(log)
        change: PhaseChanged = log.of_type("PhaseChanged")[-1].payload
        assert change.cause == (
            "every mailbox failed: initial sync of alice@example.com (auth_failed_source), "
            "bob@example.com (connection_failed)"
        )

    def test_every_phase_change_is_caused_by_an_event_of_the_log(self):
        log = GateLog()
        to_verified(log)
        ids = {e.id for _, e in log.entries}
        for change in log.of_type("PhaseChanged"):
            assert change.payload.cause_event_id in ids
            assert change.causation_id == change.payload.cause_event_id
