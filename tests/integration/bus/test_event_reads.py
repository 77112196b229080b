"""Reading aggregates back: batched direct gets, and what a process keeps of them."""

import uuid

import pytest
from nats.errors import TimeoutError as NatsTimeoutError

from mailferry_bus import direct_read
from mailferry_bus.event_store import EventStore
from mailferry_bus.read_cache import ReadCache
from mailferry_contracts import subjects
from mailferry_contracts.jobs import JobCreated, JobNotesUpdated
from tests.fixtures.factories import EXAMPLES, envelope_of

pytestmark = pytest.mark.integration


def _created(job_id: uuid.UUID):
    return envelope_of(JobCreated(**{**EXAMPLES["JobCreated"], "job_id": job_id}), str(job_id))


async def _job_with_notes(bus, count: int) -> uuid.UUID:
    job = uuid.uuid4()
    await bus.events.append([_created(job)])
    for index in range(count):
        await bus.events.append([envelope_of(JobNotesUpdated(notes=f"n{index}"), str(job))])
    return job


def _notes(events) -> list[str]:
    return [e.envelope.payload.notes for e in events[1:]]


class TestDirectRead:
    async def test_a_read_spans_pages_and_skips_other_aggregates(self, bus, monkeypatch):
        monkeypatch.setattr(direct_read, "PAGE", 7)
        job = await _job_with_notes(bus, 30)
        await _job_with_notes(bus, 3)  # another job's events in the same stream
        _, head = await bus.events.load("job", str(job))
        store = EventStore(bus.nc, bus.js)

        events = await store.read(subjects.aggregate_subjects("job", str(job)), head.sequence)

        assert _notes(events) == [f"n{i}" for i in range(30)]
        assert {e.envelope.aggregate_id for e in events} == {str(job)}
        assert [e.sequence for e in events] == sorted(e.sequence for e in events)

    async def test_a_read_stops_at_the_sequence_asked_for(self, bus):
        job = await _job_with_notes(bus, 5)
        events, _ = await EventStore(bus.nc, bus.js).load("job", str(job))
        store = EventStore(bus.nc, bus.js)

        early = await store.read(subjects.aggregate_subjects("job", str(job)), events[3].sequence)

        assert _notes(early) == ["n0", "n1", "n2"]

    async def test_a_sequence_that_never_comes_is_a_timeout(self, bus):
        job = await _job_with_notes(bus, 1)
        _, head = await bus.events.load("job", str(job))
        store = EventStore(bus.nc, bus.js, timeout=0.3)

        with pytest.raises(NatsTimeoutError):
            await store.read(subjects.aggregate_subjects("job", str(job)), head.sequence + 10**6)


class TestReadCache:
    async def test_a_cached_aggregate_reads_what_came_since_and_serves_earlier_views(self, bus):
        job = await _job_with_notes(bus, 3)
        cache = ReadCache()
        store = EventStore(bus.nc, bus.js, cache=cache)
        first, head = await store.load("job", str(job))
        for index in range(3, 6):
            await bus.events.append([envelope_of(JobNotesUpdated(notes=f"n{index}"), str(job))])

        later, _ = await store.load("job", str(job))
        earlier = await store.read(subjects.aggregate_subjects("job", str(job)), head.sequence)

        assert _notes(first) == ["n0", "n1", "n2"] == _notes(earlier)
        assert _notes(later) == [f"n{i}" for i in range(6)]
        assert later[: len(first)] == first
        assert cache.get(subjects.aggregate_subjects("job", str(job))) == later


class TestDirectReadErrors:
    async def test_a_stream_without_direct_gets_is_named_with_the_fix(self, bus):
        name = f"NODIRECT_{uuid.uuid4().hex[:8]}"
        await bus.js.add_stream(name=name, subjects=[f"{name.lower()}.>"], allow_direct=False)
        await bus.js.publish(f"{name.lower()}.x", b"{}", stream=name)
        try:
            with pytest.raises(RuntimeError, match=f"stream {name} answers no direct get"):
                await direct_read.read_until(bus.nc, name, f"{name.lower()}.>", 1, 2.0)
        finally:
            await bus.js.delete_stream(name)
