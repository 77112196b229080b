import uuid
from datetime import UTC, datetime, timedelta

from mailferry_api.realtime.coalesce import Coalescer
from mailferry_api.realtime.signals import EventSignal, ProgressSignal, event_signal
from mailferry_contracts.common import RunType
from mailferry_contracts.runs import RunProgress

T0 = datetime(2026, 1, 1, tzinfo=UTC)
JOB = uuid.uuid4()


def progress(mailbox: uuid.UUID, done: int, seconds: float = 0) -> ProgressSignal:
    report = RunProgress(
        run_id=uuid.uuid4(), job_id=JOB, mailbox_id=mailbox, run_type=RunType.INITIAL,
        messages_done=done, messages_total=10, percent=done * 10.0,
    )  # fmt: skip
    return ProgressSignal(report, T0 + timedelta(seconds=seconds))


class TestCoalescer:
    def test_a_burst_becomes_one_batch_with_the_latest_report_per_mailbox(self):
        c, a, b = Coalescer(0.5), uuid.uuid4(), uuid.uuid4()
        for step in range(10):
            c.add(progress(a, step, step))
            c.add(progress(b, step, step))
        batch = c.take(0, now=100.0)
        assert batch is not None
        assert sorted(p.progress.messages_done for p in batch.progress) == [9, 9]
        assert not c.pending

    def test_nothing_goes_before_the_interval_has_passed(self):
        c, a = Coalescer(0.5), uuid.uuid4()
        c.add(progress(a, 1))
        assert c.take(0, now=100.0) is not None
        c.add(progress(a, 2, 1))
        assert c.take(0, now=100.3) is None
        assert abs(c.delay(100.3) - 0.2) < 1e-9
        assert c.take(0, now=100.5) is not None

    def test_an_older_report_never_replaces_a_newer_one(self):
        c, a = Coalescer(0.5), uuid.uuid4()
        c.add(progress(a, 5, 10))
        c.add(progress(a, 3, 5))
        [kept] = c.take(0, now=1.0).progress  # type: ignore[union-attr]
        assert kept.progress.messages_done == 5

    def test_events_wait_until_the_projector_applied_them(self):
        c = Coalescer(0.5)
        c.add(EventSignal(str(JOB), "RunFinished", 12))
        c.add(EventSignal(str(JOB), "RunStarted", 10))
        assert c.take(11, now=1.0) is None
        assert c.waits_for_projection
        batch = c.take(12, now=1.0)
        assert batch is not None
        assert batch.changed == {str(JOB): frozenset({"RunFinished", "RunStarted"})}
        assert batch.position == 12


class TestEventSignal:
    def test_run_events_name_their_job_and_user_events_are_ignored(self):
        run = b'{"type": "RunFinished", "aggregate_type": "run", "aggregate_id": "r", '
        run += b'"payload": {"job_id": "%s"}}' % str(JOB).encode()
        user = b'{"type": "UserCreated", "aggregate_type": "user", "aggregate_id": "u"}'
        assert event_signal(run, 3) == EventSignal(str(JOB), "RunFinished", 3)
        assert event_signal(user, 4) is None
        assert event_signal(b"not json", 5) is None
