"""The upcasting mechanism, shown with a test-only v1 -> v2 -> v3 history."""

import json
from typing import Literal

import pytest
from pydantic import Field

from mailferry_contracts import decode
from mailferry_contracts.base import Event
from mailferry_contracts.upcasters import UpcastError, Upcasters


class NoteAdded(Event):
    """v3: ``text`` was ``body`` in v1; ``pinned`` came in v3."""

    AGGREGATE = "job"
    type: Literal["NoteAdded"] = "NoteAdded"
    schema_version: Literal[3] = 3
    text: str = Field(description="Note text")
    pinned: bool = Field(description="Shown on top")


def _example_table() -> Upcasters:
    table = Upcasters()

    @table.register("NoteAdded", 1)
    def rename_body(data):
        data = dict(data)
        data["text"] = data.pop("body")
        return data

    @table.register("NoteAdded", 2)
    def add_pinned(data):
        return {**data, "pinned": False}

    return table


def _v1_envelope() -> str:
    return json.dumps(
        {
            "id": "00000000-0000-4000-8000-000000000001",
            "type": "NoteAdded",
            "schema_version": 1,
            "aggregate_type": "job",
            "aggregate_id": "j",
            "correlation_id": "00000000-0000-4000-8000-000000000001",
            "occurred_at": "2026-11-21T12:00:00Z",
            "actor": {"kind": "user", "user": "u"},
            "payload": {"type": "NoteAdded", "schema_version": 1, "body": "hello"},
        }
    )


def test_v1_is_upcast_through_each_step_to_the_current_version():
    envelope = decode(_v1_envelope(), registry={"NoteAdded": NoteAdded}, upcasters=_example_table())
    assert envelope.payload == NoteAdded(text="hello", pinned=False)
    assert envelope.schema_version == 3


def test_a_missing_step_is_an_error_naming_it():
    table = Upcasters()
    with pytest.raises(UpcastError, match="NoteAdded v1 -> v2"):
        decode(_v1_envelope(), registry={"NoteAdded": NoteAdded}, upcasters=table)


def test_registering_a_step_twice_is_refused():
    table = _example_table()
    with pytest.raises(ValueError, match="twice"):
        table.register("NoteAdded", 1)(lambda d: d)
