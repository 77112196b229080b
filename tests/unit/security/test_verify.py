import json
import uuid

from mailferry_api.audit.eventlog import RawEvent
from mailferry_api.audit.verify import unexplained_gaps, verify_chain
from mailferry_contracts import encode, event_hash, subjects
from mailferry_contracts.jobs import JobNotesUpdated
from tests.fixtures.factories import envelope_of


def _chain(
    aggregate_id: str, count: int, first_seq: int = 1, step: int = 1, *, headers: bool = False
) -> list[RawEvent]:
    events, prev = [], None
    for n in range(count):
        env = envelope_of(JobNotesUpdated(notes=f"n{n}"), aggregate_id).model_copy(
            update={"prev_hash": prev, "id": uuid.uuid4()}
        )
        data = encode(env)
        subject = subjects.event_subject("job", aggregate_id, "JobNotesUpdated")
        stored_hash = event_hash(data) if headers else None
        events.append(RawEvent(first_seq + n * step, subject, data, stored_hash))
        prev = event_hash(data)
    return events


def _altered(event: RawEvent) -> RawEvent:
    data = json.loads(event.data)
    data["payload"]["notes"] = "changed"
    return RawEvent(event.seq, event.subject, json.dumps(data).encode(), event.stored_hash)


class TestVerifyChain:
    def test_an_intact_log(self):
        verdict = verify_chain(_chain("a", 4) + _chain("b", 3, first_seq=5))
        assert (verdict.intact, verdict.events, verdict.aggregates) == (True, 7, 2)

    def test_an_altered_event_is_named_by_its_successor(self):
        events = _chain("a", 4)
        events[1] = _altered(events[1])
        [problem] = verify_chain(events).problems
        assert (problem.kind, problem.seq, problem.aggregate, problem.event_type) == (
            "altered", 2, "job/a", "JobNotesUpdated",
        )  # fmt: skip

    def test_the_last_event_of_an_aggregate_vouches_for_itself(self):
        events = _chain("a", 3, headers=True) + _chain("b", 2, first_seq=4, headers=True)
        events[2] = _altered(events[2])
        [problem] = verify_chain(events).problems
        assert (problem.kind, problem.seq, problem.aggregate) == ("altered", 3, "job/a")
        assert "hash stored with it" in problem.message

    def test_an_altered_event_with_its_header_is_named_once(self):
        events = _chain("a", 4, headers=True)
        events[1] = _altered(events[1])
        [problem] = verify_chain(events).problems
        assert (problem.kind, problem.seq) == ("altered", 2)

    def test_without_headers_the_last_event_is_not_vouched_for(self):
        # Events stored before the header existed: only the chain speaks for them.
        events = _chain("a", 3)
        events[2] = _altered(events[2])
        assert verify_chain(events).intact

    def test_a_deleted_event_is_named_by_its_sequence(self):
        events = _chain("a", 4)
        del events[2]
        [problem] = verify_chain(events, missing={3}).problems
        assert (problem.kind, problem.seq, problem.aggregate) == ("missing", 3, "job/a")

    def test_a_deleted_first_event(self):
        [problem] = verify_chain(_chain("a", 3)[1:], missing={1}).problems
        assert (problem.kind, problem.seq) == ("missing", 1)

    def test_garbage_and_misfiled_events(self):
        events = _chain("a", 2)
        events.append(RawEvent(3, events[0].subject, b"not json"))
        moved = RawEvent(4, subjects.event_subject("job", "b", "JobNotesUpdated"), events[0].data)
        kinds = [p.kind for p in verify_chain([*events, moved]).problems]
        assert kinds == ["undecodable", "misfiled"]

    def test_gaps_no_chain_accounts_for(self):
        verdict = verify_chain(_chain("a", 2))
        assert [p.seq for p in unexplained_gaps(verdict, {9})] == [9]
