import uuid
from datetime import timedelta

import pytest

from mailferry_contracts.common import RunType
from mailferry_gate.webhooks import (
    AttemptResult,
    Delivery,
    RetryPolicy,
    attempt_envelope,
    backoff,
    next_attempt_at,
    payload_of,
    pending_deliveries,
    redact,
)
from tests.unit.gate.scenario import JOB, START, GateLog

URL = "https://wizard.example/hooks/gate"
POLICY = RetryPolicy(max_attempts=3, base_delay_s=2.0, max_delay_s=5.0)


def ready() -> GateLog:
    log = GateLog()
    log.healthy()
    log.approve()
    return log


def pending(log: GateLog) -> list[Delivery]:
    return list(pending_deliveries(log.state, [URL], POLICY))


def record(log: GateLog, delivery: Delivery, delivered: bool) -> None:
    result = AttemptResult(delivered=delivered, status_code=200 if delivered else 500)
    at = next_attempt_at(POLICY, delivery, result, log.now(), jitter=0.5)
    log.append(attempt_envelope(log.job_state, delivery, result, at, log.now()))


class TestBackoff:
    @pytest.mark.parametrize(
        ("attempt", "low", "high"), [(1, 1.0, 2.0), (2, 2.0, 4.0), (3, 2.5, 5.0), (9, 2.5, 5.0)]
    )
    def test_grows_exponentially_to_a_cap_with_half_of_it_random(self, attempt, low, high):
        assert backoff(POLICY, attempt, 0.0) == low
        assert backoff(POLICY, attempt, 0.999999) == pytest.approx(high, rel=1e-5)


class TestPendingDeliveries:
    def test_a_ready_announcement_is_owed_to_every_url_at_once(self):
        log = ready()
        [delivery] = pending(log)
        assert (delivery.job_id, delivery.url, delivery.attempt, delivery.due_at) == (
            JOB,
            URL,
            1,
            None,
        )

    def test_a_failed_attempt_is_due_again_after_its_backoff(self):
        log = ready()
        [first] = pending(log)
        record(log, first, delivered=False)
        [second] = pending(log)
        assert second.attempt == 2
        assert second.due_at is not None
        assert second.due_at > log.now() - timedelta(minutes=1)

    def test_nothing_is_owed_once_delivered(self):
        log = ready()
        record(log, pending(log)[0], delivered=True)
        assert pending(log) == []

    def test_nothing_is_owed_after_the_last_attempt(self):
        log = ready()
        for _ in range(POLICY.max_attempts):
            record(log, pending(log)[0], delivered=False)
        assert pending(log) == []

    def test_a_gate_that_dropped_back_stops_delivering_its_old_ready(self):
        log = ready()
        log.delta("alice@example.com")
        assert pending(log) == []

    def test_nothing_is_owed_before_ready(self):
        log = GateLog()
        log.healthy()
        assert pending(log) == []

    def test_each_attempt_has_its_own_stable_id(self):
        log = ready()
        [delivery] = pending(log)
        result = AttemptResult(delivered=False, error="ConnectError")
        one = attempt_envelope(log.job_state, delivery, result, None, START)
        two = attempt_envelope(log.job_state, delivery, result, None, START)
        assert one.id == two.id
        assert one.payload.url == URL


class TestPayload:
    def test_the_payload_is_the_same_after_the_job_moved_on(self):
        log = ready()
        [delivery] = pending(log)
        before = payload_of(log.job_state, delivery.notification_id)
        log.dns()
        log.run("alice@example.com", RunType.FINAL)
        after = payload_of(log.job_state, delivery.notification_id)
        assert before == after
        assert before is not None
        assert before.phase == "cutover_ready"

    def test_an_unknown_notification_has_no_payload(self):
        assert payload_of(ready().job_state, uuid.uuid4()) is None


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://user:pw@wizard.example:8443/hook?token=abc#x",
            "https://wizard.example:8443/hook",
        ),
        ("http://127.0.0.1:9000/", "http://127.0.0.1:9000/"),
    ],
)
def test_recorded_urls_carry_no_credentials(url, shown):
    assert redact(url) == shown
