"""The fold converges whatever the arrival order across aggregates, ignores repeats, and a gate
restarted anywhere in the log continues exactly as one that never stopped."""

import random
from typing import Any

import pytest

from mailferry_contracts import Envelope
from mailferry_contracts.common import RunType
from mailferry_gate.checks import GatePolicy
from mailferry_gate.evaluation import evaluate
from mailferry_gate.state import State, evolve
from tests.unit.gate.scenario import JOB, GateLog, folders_of

A, B = "alice@example.com", "bob@example.com"
Entry = tuple[int, Envelope[Any]]


def facts() -> list[Entry]:
    """A job's facts only (no gate output): two mailboxes, syncs, verifications, a quarantine."""
    log = GateLog(acting=False)
    log.healthy(A, B)
    run_id = log.quarantine(B, count=2, folder="Sent")
    log.review(B, run_id, "accept")
    log.verify(B, folders_of(sent=(42, 41)))
    log.start(A, log.queue(A, RunType.DELTA), RunType.DELTA)
    return log.entries


def fold(entries: list[Entry]) -> State:
    state = State()
    for sequence, envelope in entries:
        evolve(state, envelope, sequence)
    return state


def verdict(state: State) -> tuple[object, ...]:
    result = evaluate(state.jobs[JOB], GatePolicy())
    return result.gate, result.checks, result.ratios


def interleaved(entries: list[Entry], seed: int) -> list[Entry]:
    """A random arrival order that keeps each aggregate's own order (as JetStream does)."""
    streams: dict[str, list[Entry]] = {}
    for entry in entries:
        streams.setdefault(entry[1].aggregate_id, []).append(entry)
    rng = random.Random(seed)
    order: list[Entry] = []
    while streams:
        key = rng.choice(sorted(streams))
        order.append(streams[key].pop(0))
        if not streams[key]:
            del streams[key]
    return order


class TestArrivalOrder:
    @pytest.mark.parametrize("seed", range(12))
    def test_any_interleaving_of_aggregates_gives_the_same_verdict(self, seed):
        entries = facts()
        assert verdict(fold(interleaved(entries, seed))) == verdict(fold(entries))

    def test_mailbox_and_run_facts_before_the_job_exists_give_the_same_verdict(self):
        entries = facts()
        late_job = [e for e in entries if e[1].aggregate_type != "job"]
        late_job += [e for e in entries if e[1].aggregate_type == "job"]
        assert verdict(fold(late_job)) == verdict(fold(entries))

    def test_the_log_read_backwards_gives_the_same_verdict(self):
        entries = facts()
        assert verdict(fold(list(reversed(entries)))) == verdict(fold(entries))

    def test_a_run_finished_before_its_queued_is_not_running(self):
        entries = facts()
        runs = [e for e in entries if e[1].aggregate_type == "run"]
        swapped = [e for e in entries if e[1].aggregate_type != "run"] + runs[::-1]
        assert verdict(fold(swapped)) == verdict(fold(entries))


class TestRepeats:
    def test_every_event_delivered_twice_changes_nothing(self):
        entries = facts()
        assert verdict(fold(entries + entries)) == verdict(fold(entries))

    def test_an_event_applied_twice_in_a_row_is_ignored(self):
        entries = facts()
        doubled = [e for entry in entries for e in (entry, entry)]
        state = fold(doubled)
        assert verdict(state) == verdict(fold(entries))
        assert len(state.jobs[JOB].event_ids) == len(entries)


def journey(log: GateLog) -> None:
    log.healthy(A, B)
    log.approve()
    log.dns()
    log.final(A, B)
    log.verify_all(A, B)
    log.close()


class TestRestart:
    def test_a_gate_rebuilt_from_any_prefix_of_the_log_continues_identically(self):
        whole = GateLog()
        journey(whole)
        gate_ids = {env.id for _, env in whole.entries if env.actor.user == "gate"}
        for cut in range(1, len(whole.entries)):
            restarted = GateLog()
            for sequence, envelope in whole.entries[:cut]:
                restarted.append(envelope)
                assert sequence == len(restarted.entries)
            restarted.settle()
            for _, envelope in whole.entries[cut:]:
                if (
                    envelope.id not in gate_ids
                    and envelope.id not in restarted.state.jobs[JOB].event_ids
                ):
                    restarted.append(envelope)
                    restarted.settle()
            assert [e.id for _, e in restarted.entries] == [e.id for _, e in whole.entries], cut

    def test_a_restart_after_everything_was_decided_publishes_nothing(self):
        whole = GateLog()
        journey(whole)
        rebuilt = GateLog()
        for _, envelope in whole.entries:
            rebuilt.append(envelope)
        rebuilt.settle()
        assert len(rebuilt.entries) == len(whole.entries)


class TestMalformed:
    def test_a_mailbox_event_without_a_mailbox_id_is_ignored(self):
        log = GateLog(acting=False)
        log.healthy(A)
        verified = next(e for _, e in log.entries if e.type == "MailboxVerified")
        broken = verified.model_copy(update={"aggregate_id": "not-a-uuid", "id": JOB})
        state = fold(log.entries)
        evolve(state, broken, len(log.entries) + 1)
        assert verdict(state) == verdict(fold(log.entries))
