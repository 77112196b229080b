import uuid

import pytest

from mailferry_contracts import Event
from mailferry_contracts.registry import REGISTRY
from mailferry_projector.projection import HANDLERS, job_id_of, moves_totals
from tests.fixtures.factories import JOB, envelope_of, example


class TestHandlers:
    def test_every_event_type_of_the_registry_has_an_explicit_entry(self):
        events = {cls for cls in REGISTRY.values() if issubclass(cls, Event)}
        assert set(HANDLERS) == events

    def test_commands_and_measurements_never_reach_the_views(self):
        assert not {c for c in HANDLERS if not issubclass(c, Event)}


class TestJobIdOf:
    @pytest.mark.parametrize(
        "type_name", ["JobNotesUpdated", "MailboxVerified", "RunFinished", "GateApproved"]
    )
    def test_every_kind_of_event_names_its_job(self, type_name):
        payload = example(type_name)
        aggregate = str(uuid.uuid4()) if not type_name.startswith(("Job", "Gate")) else None
        assert job_id_of(envelope_of(payload, aggregate)) == JOB

    def test_a_job_event_with_a_malformed_aggregate_id_has_no_job(self):
        assert job_id_of(envelope_of(example("JobNotesUpdated"), "not-a-uuid")) is None


class TestMovesTotals:
    @pytest.mark.parametrize(
        ("type_name", "changes", "expected"),
        [
            ("MailboxesImported", {}, True),
            ("MailboxVerified", {}, True),
            ("RunFinished", {}, True),
            ("RunFinished", {"run_type": "verify"}, False),
            ("RunStarted", {"run_type": "preflight"}, False),
            ("JobNotesUpdated", {}, False),
        ],
        ids=str,
    )
    def test_only_mailbox_counters_and_copy_runs_move_the_totals(
        self, type_name, changes, expected
    ):
        event = example(type_name).model_copy(update=changes)
        assert isinstance(event, Event)
        assert moves_totals(event) is expected
