import asyncio
import uuid

import pytest

from mailferry_bus import ConcurrencyConflictError
from mailferry_contracts import event_hash, subjects
from mailferry_contracts.jobs import JobCreated, JobNotesUpdated, MailboxesImported, MailboxSpec
from tests.fixtures.factories import EXAMPLES, envelope_of

pytestmark = pytest.mark.integration


def _created(job_id: uuid.UUID):
    return envelope_of(JobCreated(**{**EXAMPLES["JobCreated"], "job_id": job_id}), str(job_id))


def _notes(job_id: uuid.UUID, text: str):
    return envelope_of(JobNotesUpdated(notes=text), str(job_id))


class TestAppend:
    async def test_appended_events_load_back_in_order_with_a_hash_chain(self, bus):
        job = uuid.uuid4()
        await bus.events.append([_created(job)])
        await bus.events.append([_notes(job, "a")])
        events, head = await bus.events.load("job", str(job))
        assert [e.envelope.type for e in events] == ["JobCreated", "JobNotesUpdated"]
        assert events[0].envelope.prev_hash is None
        assert events[1].envelope.prev_hash == event_hash(events[0].raw)
        assert head.sequence == events[1].sequence

    async def test_a_stale_expected_head_is_a_conflict(self, bus):
        job = uuid.uuid4()
        await bus.events.append([_created(job)])
        _, stale = await bus.events.load("job", str(job))
        await bus.events.append([_notes(job, "first")], expected=stale)
        with pytest.raises(ConcurrencyConflictError):
            await bus.events.append([_notes(job, "second")], expected=stale)

    async def test_other_aggregates_do_not_conflict(self, bus):
        one, two = uuid.uuid4(), uuid.uuid4()
        await bus.events.append([_created(one)])
        head_two = await bus.events.head("job", str(two))
        await bus.events.append([_notes(one, "x")])
        await bus.events.append([_created(two)], expected=head_two)

    async def test_retrying_the_same_envelope_appends_it_once(self, bus):
        job = uuid.uuid4()
        envelope = _created(job)
        first = await bus.events.append([envelope])
        again = await bus.events.append([envelope])
        events, _ = await bus.events.load("job", str(job))
        assert first == again
        assert len(events) == 1

    async def test_a_batch_is_appended_whole_and_retried_whole(self, bus):
        job = uuid.uuid4()
        specs = [
            MailboxSpec(
                mailbox_id=uuid.uuid4(),
                source_email=f"u{i}@example.com",
                source_user=f"u{i}",
                target_email=f"u{i}@example.com",
                target_user=f"u{i}",
            )
            for i in range(3)
        ]
        batch = [_created(job)] + [
            envelope_of(
                MailboxesImported(
                    import_id=job, origin="json", batch=i + 1, batch_count=3, mailboxes=[spec]
                ),
                str(job),
            )
            for i, spec in enumerate(specs)
        ]
        sequences = await bus.events.append(batch, expected=await bus.events.head("job", str(job)))
        assert await bus.events.append(batch) == sequences
        events, _ = await bus.events.load("job", str(job))
        assert [e.sequence for e in events] == sequences

    async def test_a_conflicting_batch_appends_nothing(self, bus):
        job = uuid.uuid4()
        await bus.events.append([_created(job)])
        stale = await bus.events.head("job", str(job))
        await bus.events.append([_notes(job, "winner")])
        with pytest.raises(ConcurrencyConflictError):
            await bus.events.append([_notes(job, "a"), _notes(job, "b")], expected=stale)
        events, _ = await bus.events.load("job", str(job))
        assert [e.envelope.payload.notes for e in events[1:]] == ["winner"]


class TestUpdate:
    async def test_concurrent_decisions_on_one_job_all_land_exactly_once(self, bus):
        job = uuid.uuid4()
        await bus.events.append([_created(job)])

        def decide_for(text):
            return lambda _state: [_notes(job, text)]

        results = await asyncio.gather(
            *(
                bus.events.update("job", str(job), len, decide_for(f"n{i}"), attempts=20)
                for i in range(8)
            )
        )
        events, _ = await bus.events.load("job", str(job))
        assert sorted(e.envelope.payload.notes for e in events[1:]) == [f"n{i}" for i in range(8)]
        assert len(results) == 8


class TestTopology:
    async def test_the_event_log_refuses_deletion(self, bus):
        job = uuid.uuid4()
        [seq] = await bus.events.append([_created(job)])
        with pytest.raises(Exception, match="not permitted"):
            await bus.js.delete_msg(subjects.EVENTS_STREAM, seq)
