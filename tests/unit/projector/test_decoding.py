import json

import pytest

from mailferry_contracts import Event, decode, encode
from mailferry_contracts.registry import REGISTRY
from mailferry_projector import decoding
from mailferry_projector.decoding import Decoded, Rejected, read
from tests.fixtures.factories import envelope_of, example

EVENT_TYPES = sorted(name for name, cls in REGISTRY.items() if issubclass(cls, Event))

SUBJECT = "migration.events.job.x.y"


def _raw(type_name, **changes):
    data = json.loads(encode(envelope_of(example(type_name))))
    return json.dumps({**data, **changes}).encode()


class TestRead:
    def test_an_event_decodes_with_its_sequence(self):
        item = read(7, SUBJECT, _raw("RunFinished"))
        assert isinstance(item, Decoded)
        assert (item.seq, item.envelope.type) == (7, "RunFinished")

    @pytest.mark.parametrize("type_name", EVENT_TYPES)
    def test_the_fast_path_reads_exactly_what_the_contracts_decode(self, type_name):
        raw = encode(envelope_of(example(type_name)))
        item = read(1, SUBJECT, raw)
        assert isinstance(item, Decoded)
        assert item.envelope == decode(raw)
        assert type(item.envelope) is type(decode(raw))

    @pytest.mark.parametrize("type_name", EVENT_TYPES)
    def test_current_events_are_read_in_one_pass(self, type_name):
        raw = encode(envelope_of(example(type_name)))
        assert decoding.CURRENT_EVENT.validate_json(raw) == decode(raw)

    def test_an_envelope_newer_than_its_payload_claims_is_still_refused(self):
        item = read(3, SUBJECT, _raw("RunFinished", schema_version=2))
        assert isinstance(item, Rejected)
        assert "newer than the v1" in item.reason

    def test_a_newer_schema_version_is_rejected_naming_type_and_version(self):
        data = json.loads(_raw("RunFinished"))
        data["schema_version"] = data["payload"]["schema_version"] = 2
        item = read(3, SUBJECT, json.dumps(data).encode())
        assert isinstance(item, Rejected)
        assert (item.event_type, item.schema_version) == ("RunFinished", 2)
        assert "RunFinished v2 is newer than the v1" in item.reason

    def test_an_unknown_type_is_rejected(self):
        item = read(3, SUBJECT, _raw("RunFinished", type="RunTeleported"))
        assert isinstance(item, Rejected)
        assert "unknown message type 'RunTeleported'" in item.reason

    def test_a_command_on_the_event_log_is_rejected(self):
        item = read(3, SUBJECT, _raw("StartSync"))
        assert isinstance(item, Rejected)
        assert item.reason == "StartSync is a command, not an event"

    def test_an_invalid_payload_is_rejected(self):
        item = read(3, SUBJECT, _raw("RunFinished", payload={"run_id": "nope"}))
        assert isinstance(item, Rejected)
        assert item.reason.startswith("ValidationError")

    def test_bytes_that_are_not_json_are_rejected_without_identity(self):
        item = read(3, SUBJECT, b"\xff\x00")
        assert isinstance(item, Rejected)
        assert (item.event_type, item.schema_version, item.subject) == (None, None, SUBJECT)
