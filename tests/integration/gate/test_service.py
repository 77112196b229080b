"""The gate service against a real nats-server: it evaluates once, survives restarts without
repeating itself, announces gate_ready on NATS and to signed webhooks, and stays single."""

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from itertools import pairwise
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from mailferry_bus import Bus, BusSettings, open_bus, utc_now
from mailferry_contracts import Envelope, subjects
from mailferry_contracts.common import GateState, Phase
from mailferry_contracts.gate import GateApproved, GateReady
from mailferry_contracts.jobs import JobNotesUpdated
from mailferry_gate.main import Edges, GateApp, create_app
from mailferry_gate.settings import Settings, WebhookTarget
from tests.fixtures.waiting import wait_for
from tests.unit.gate.scenario import JOB, LEAD, GateLog

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

SECRET = "a-webhook-secret-for-tests"


async def until(probe: Callable[[], Any], *, what: str, timeout: float = 10.0) -> Any:
    """``wait_for`` for sync and async probes alike (its union signature defeats mypy)."""
    return await wait_for(probe, timeout=timeout, what=what)


@pytest.fixture
async def log_bus(private_nats) -> AsyncIterator[Bus]:
    bus = await open_bus(BusSettings(nats_url=private_nats.url), "gate-tests")
    yield bus
    await bus.close()


@pytest.fixture
def settings(private_nats) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        fields: dict[str, Any] = {
            "nats_url": private_nats.url,
            "gate_lease_ttl_s": 1.5,
            "gate_webhook_base_delay_s": 0.05,
            "gate_webhook_max_delay_s": 0.2,
            **overrides,
        }
        return Settings(**fields)

    return make


@pytest.fixture
async def apps() -> AsyncIterator[Callable[..., Any]]:
    running: list[GateApp] = []

    async def start(settings: Settings, edges: Edges | None = None) -> GateApp:
        app = create_app(settings, edges)
        await app.start()
        running.append(app)
        return app

    yield start
    for app in running:
        await app.stop()


async def append_all(bus: Bus, envelopes: list[Envelope[Any]]) -> None:
    for envelope in envelopes:
        await bus.events.append([envelope])


def healthy_facts() -> GateLog:
    log = GateLog(acting=False)
    log.healthy()
    return log


async def job_events(bus: Bus) -> list[Envelope[Any]]:
    events, _ = await bus.events.load("job", str(JOB))
    return [e.envelope for e in events]


async def gate_events(bus: Bus) -> list[Envelope[Any]]:
    return [e for e in await job_events(bus) if e.actor.user == "gate"]


async def latest_gate(bus: Bus) -> GateState | None:
    evaluated = [e for e in await gate_events(bus) if e.type == "GateEvaluated"]
    return evaluated[-1].payload.gate if evaluated else None


async def settled(app: GateApp) -> bool:
    return app.session is not None and app.session.idle


async def approve(bus: Bus, log: GateLog) -> None:
    evaluated = [e for e in await gate_events(bus) if e.type == "GateEvaluated"]
    approval = GateApproved(evaluation_id=evaluated[-1].payload.evaluation_id)
    await bus.events.append([log.envelope(approval, JOB, LEAD)])


async def make_ready(bus: Bus, app: GateApp) -> GateLog:
    log = healthy_facts()
    await append_all(bus, [e for _, e in log.entries])
    await until(lambda: latest_gate(bus), what="a first evaluation")
    await until(lambda: _is(bus, GateState.WARNING), what="gate warning after the verifications")
    await approve(bus, log)
    await until(lambda: _is(bus, GateState.READY_FOR_DNS), what="gate ready_for_dns")
    return log


async def _is(bus: Bus, gate: GateState) -> bool:
    return await latest_gate(bus) == gate


class TestEvaluation:
    async def test_facts_are_evaluated_and_phases_changed_once(self, log_bus, settings, apps):
        app = await apps(settings())
        await until(lambda: app.caught_up, what="gate caught up")
        await append_all(log_bus, [e for _, e in healthy_facts().entries])
        await until(lambda: _is(log_bus, GateState.WARNING), what="gate warning")
        await until(lambda: settled(app), what="gate idle")
        produced = await gate_events(log_bus)
        phases = [e.payload.to_phase for e in produced if e.type == "PhaseChanged"]
        assert phases == [Phase.INITIAL_SYNC, Phase.DELTA_SYNC]
        evaluations = [e.payload for e in produced if e.type == "GateEvaluated"]
        for before, after in pairwise(evaluations):
            assert (before.gate, before.checks) != (after.gate, after.checks)
        assert len({e.id for e in produced}) == len(produced)

    async def test_a_restarted_gate_republishes_nothing(self, log_bus, settings, apps):
        first = await apps(settings())
        await append_all(log_bus, [e for _, e in healthy_facts().entries])
        await until(lambda: _is(log_bus, GateState.WARNING), what="gate warning")
        await until(lambda: settled(first), what="first gate idle")
        before = await gate_events(log_bus)
        await first.stop()

        second = await apps(settings())
        await until(lambda: settled(second), what="second gate rebuilt and idle")
        marker = healthy_facts().envelope(JobNotesUpdated(notes="marker"), JOB, LEAD)
        await log_bus.events.append([marker])
        await until(
            lambda: second.state is not None and marker.id in second.state.jobs[JOB].event_ids,
            what="the marker folded",
        )
        await until(lambda: settled(second), what="second gate idle after the marker")
        assert [e.id for e in await gate_events(log_bus)] == [e.id for e in before]


class TestGateReady:
    async def test_ready_reaches_nats_and_a_signed_webhook(
        self, log_bus, settings, apps, webhook_receiver
    ):
        receiver = await webhook_receiver(SECRET)
        hooks = [WebhookTarget(url=receiver.url, secret=SecretStr(SECRET))]
        app = await apps(settings(gate_webhooks=hooks))
        heard: list[GateReady] = []

        async def hear(msg: Any) -> None:
            heard.append(GateReady.model_validate_json(msg.data))

        sub = await log_bus.nc.subscribe(subjects.GATE_READY, cb=hear)
        await make_ready(log_bus, app)
        await until(lambda: heard, what="gate_ready on NATS")
        await until(lambda: receiver.delivered, what="the webhook delivery")
        await sub.unsubscribe()

        [notification] = heard
        [delivery] = receiver.received
        assert delivery.verified, delivery.error
        assert GateReady.model_validate_json(delivery.body) == notification
        assert (notification.domain, notification.gate) == ("example.com", "ready_for_dns")
        assert notification.approved_by == "lead@example.com"
        assert delivery.headers["x-mailferry-notification-id"] == str(notification.notification_id)
        await until(lambda: _attempts(log_bus, 1), what="the attempt recorded")
        announced = [e for e in await gate_events(log_bus) if e.type == "GateReadyAnnounced"]
        assert [a.payload.notification_id for a in announced] == [notification.notification_id]

    async def test_a_failing_receiver_is_retried_and_every_attempt_recorded(
        self, log_bus, settings, apps, webhook_receiver
    ):
        receiver = await webhook_receiver(SECRET, fail_first=2)
        hooks = [WebhookTarget(url=receiver.url, secret=SecretStr(SECRET))]
        app = await apps(settings(gate_webhooks=hooks))
        await make_ready(log_bus, app)
        attempts = await until(lambda: _attempts(log_bus, 3), what="three attempts")
        assert [(a.attempt, a.delivered, a.status_code) for a in attempts] == [
            (1, False, 500),
            (2, False, 500),
            (3, True, 204),
        ]
        assert all(a.next_attempt_at is not None for a in attempts[:2])
        assert attempts[2].next_attempt_at is None
        assert attempts[0].url == receiver.url
        assert len(receiver.received) == 3
        assert SECRET not in json.dumps([a.model_dump(mode="json") for a in attempts])

    async def test_a_pending_delivery_resumes_after_a_restart(
        self, log_bus, settings, apps, webhook_receiver
    ):
        receiver = await webhook_receiver(SECRET, fail_first=1)
        hooks = [WebhookTarget(url=receiver.url, secret=SecretStr(SECRET))]
        # The retry falls due 100-200 s later: the restarted gate's clock runs 250 s ahead,
        # still inside the receiver's 300 s replay window.
        patient = settings(
            gate_webhooks=hooks, gate_webhook_base_delay_s=200.0, gate_webhook_max_delay_s=200.0
        )
        first = await apps(patient)
        await make_ready(log_bus, first)
        [failed] = await until(lambda: _attempts(log_bus, 1), what="the first attempt")
        assert not failed.delivered
        await first.stop()

        later = Edges(clock=lambda: utc_now() + timedelta(seconds=250))
        await apps(patient, later)
        attempts = await until(lambda: _attempts(log_bus, 2), what="the resumed attempt")
        assert [(a.attempt, a.delivered) for a in attempts] == [(1, False), (2, True)]
        assert len(receiver.received) == 2


class TestLeadership:
    async def test_a_second_replica_stays_passive_until_the_first_stops(
        self, log_bus, settings, apps
    ):
        one = await apps(settings(gate_instance_id="one"))
        await until(lambda: one.caught_up, what="first replica leading")
        two = await apps(settings(gate_instance_id="two"))
        await until(lambda: two.lease_attempts >= 2, what="second replica trying")
        assert not two.is_leader
        await append_all(log_bus, [e for _, e in healthy_facts().entries])
        await until(lambda: _is(log_bus, GateState.WARNING), what="gate warning")
        await until(lambda: settled(one), what="leader idle")
        before = await gate_events(log_bus)

        await one.stop()
        await until(lambda: settled(two), timeout=15, what="second replica took over")
        assert [e.id for e in await gate_events(log_bus)] == [e.id for e in before]

    async def test_a_dead_leader_is_replaced_after_its_lease_expires(self, log_bus, settings, apps):
        one = await apps(settings(gate_instance_id="one"))
        await until(lambda: one.caught_up, what="first replica leading")
        two = await apps(settings(gate_instance_id="two"))
        await one._bus.nc.close()  # the process "dies": no release, no renewal
        await until(lambda: two.caught_up, timeout=15, what="second replica took over")
        await append_all(log_bus, [e for _, e in healthy_facts().entries])
        await until(lambda: _is(log_bus, GateState.WARNING), what="the new leader evaluates")


class TestHealth:
    async def test_the_leader_and_a_standby_are_healthy_and_say_which_they_are(
        self, settings, apps
    ):
        one = await apps(settings(gate_instance_id="one", health_port=0))
        await until(lambda: one.caught_up, what="first replica leading")
        two = await apps(settings(gate_instance_id="two", health_port=0))

        leader, standby = await healthz(one), await healthz(two)

        assert leader.status_code == standby.status_code == 200
        assert leader.json() == {
            "status": "ok",
            "checks": {"nats": True},
            "role": "leader",
            "caught_up": True,
        }
        assert standby.json()["role"] == "standby"

    async def test_a_gate_cut_off_from_nats_is_unhealthy(self, settings, apps):
        app = await apps(settings(health_port=0))
        assert app._bus is not None
        await app._bus.nc.close()

        response = await healthz(app)

        assert response.status_code == 503
        assert response.json()["checks"] == {"nats": False}

    async def test_without_a_health_port_nothing_listens(self, settings, apps):
        app = await apps(settings())

        assert app.health is not None
        assert app.health.port is None


async def healthz(app: GateApp) -> httpx.Response:
    assert app.health is not None
    async with httpx.AsyncClient() as client:
        return await client.get(f"http://127.0.0.1:{app.health.port}/healthz")


async def _attempts(bus: Bus, count: int) -> list[Any]:
    found = [e.payload for e in await gate_events(bus) if e.type == "WebhookDeliveryAttempted"]
    return found if len(found) >= count else []
