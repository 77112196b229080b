import uuid

import pytest

from mailferry_contracts.common import GateState, Phase
from mailferry_contracts.gate import GateEvaluated
from mailferry_contracts.jobs import PhaseChanged
from mailferry_devstack.demo_gate import change_line
from tests.fixtures.factories import envelope_of, example


def _evaluated(gate: GateState, previous: GateState | None, reason: str = "why") -> GateEvaluated:
    return GateEvaluated(
        evaluation_id=uuid.uuid4(), gate=gate, previous_gate=previous, checks=[], reason=reason
    )


class TestChangeLine:
    def test_a_phase_change_with_its_cause(self):
        event = PhaseChanged(
            from_phase=Phase.DNS_CUTOVER, to_phase=Phase.FINAL_SYNC, cause="the final sync started"
        )
        assert change_line(envelope_of(event)) == (
            "phase dns_cutover -> final_sync: the final sync started"
        )

    @pytest.mark.parametrize(
        ("previous", "expected"),
        [(None, "gate (new) -> blocked: why"), (GateState.WARNING, "gate warning -> blocked: why")],
        ids=["first", "drop"],
    )
    def test_a_gate_change(self, previous, expected):
        assert change_line(envelope_of(_evaluated(GateState.BLOCKED, previous))) == expected

    def test_a_long_reason_is_cut(self):
        line = change_line(envelope_of(_evaluated(GateState.WARNING, None, "x" * 500)))
        assert line is not None
        assert len(line) < 200
        assert line.endswith("...")

    def test_an_evaluation_that_keeps_the_gate_and_other_events_say_nothing(self):
        same = _evaluated(GateState.BLOCKED, GateState.BLOCKED)
        assert change_line(envelope_of(same)) is None
        assert change_line(envelope_of(example("JobNotesUpdated"))) is None
