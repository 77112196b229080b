import json
import uuid

import pytest

from mailferry_contracts import (
    UndecodableMessageError,
    UnknownMessageTypeError,
    UnsupportedSchemaVersionError,
    decode,
    encode,
    event_hash,
)
from mailferry_contracts.jobs import JobCreated
from mailferry_contracts.registry import REGISTRY
from tests.fixtures.factories import envelope_of, example


class TestDecode:
    @pytest.mark.parametrize("type_name", sorted(REGISTRY))
    def test_round_trip_keeps_every_field(self, type_name):
        envelope = envelope_of(example(type_name))
        assert decode(encode(envelope)) == envelope

    def test_unknown_type_is_refused_by_name(self):
        raw = json.loads(encode(envelope_of(example("JobCreated"))))
        raw["type"] = "JobTeleported"
        with pytest.raises(UnknownMessageTypeError, match="JobTeleported"):
            decode(json.dumps(raw))

    def test_newer_version_is_refused_not_guessed(self):
        raw = json.loads(encode(envelope_of(example("JobCreated"))))
        raw["schema_version"] = 2
        with pytest.raises(UnsupportedSchemaVersionError, match="JobCreated v2"):
            decode(json.dumps(raw))

    def test_garbage_is_undecodable(self):
        with pytest.raises(UndecodableMessageError):
            decode(b"not json")

    def test_unknown_fields_from_a_newer_producer_are_ignored(self):
        raw = json.loads(encode(envelope_of(example("JobCreated"))))
        raw["payload"]["added_later"] = 1
        raw["added_later_too"] = 2
        assert isinstance(decode(json.dumps(raw)).payload, JobCreated)


class TestEnvelope:
    def test_non_utc_time_is_refused(self):
        raw = json.loads(encode(envelope_of(example("JobCreated"))))
        raw["occurred_at"] = "2026-11-21T12:00:00+02:00"
        with pytest.raises(ValueError, match="UTC"):
            decode(json.dumps(raw))

    def test_hash_changes_with_any_byte(self):
        data = encode(envelope_of(example("JobCreated")))
        assert event_hash(data) != event_hash(data.replace(b"example.com", b"examp1e.com"))

    def test_type_and_version_come_from_the_payload(self):
        envelope = envelope_of(example("RunFinished"), aggregate_id=str(uuid.uuid4()))
        assert (envelope.type, envelope.schema_version, envelope.aggregate_type) == (
            "RunFinished",
            1,
            "run",
        )
