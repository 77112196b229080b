"""The projector's ``GET /healthz``: the shared endpoint, with the lag and the role as details."""

import httpx
import pytest

from mailferry_projector.main import ProjectorApp
from tests.fixtures.waiting import wait_for
from tests.integration.projector import journey
from tests.integration.projector.conftest import RunningProjector, append_all

pytestmark = pytest.mark.integration


async def healthz(app: ProjectorApp) -> httpx.Response:
    assert app.health is not None
    async with httpx.AsyncClient() as client:
        return await client.get(f"http://127.0.0.1:{app.health.port}/healthz")


@pytest.fixture
def with_health(settings):
    return settings.model_copy(update={"health_port": 0})


class TestHealthz:
    async def test_the_active_projector_answers_200_with_its_lag_and_role(
        self, log_bus, with_health
    ):
        projector = RunningProjector(with_health)
        try:
            app = await projector.start()
            last = await append_all(log_bus, journey.build().envelopes)
            await projector.wait_applied(last)
            response = await healthz(app)
        finally:
            await projector.stop()

        assert response.status_code == 200
        assert response.json() == {
            "status": "ok",
            "checks": {"nats": True},
            "stream_last_seq": last,
            "applied_seq": last,
            "lag": 0,
            "role": "active",
        }

    async def test_a_standby_is_healthy_and_says_it_stands_by(self, with_health):
        active, second = RunningProjector(with_health), RunningProjector(with_health)
        try:
            await active.start()
            standby = second.launch()
            await wait_for(lambda: standby.health is not None, what="the standby's endpoint")
            response = await healthz(standby)
        finally:
            await second.stop()
            await active.stop()

        assert response.status_code == 200
        assert response.json()["role"] == "standby"

    async def test_without_a_health_port_nothing_listens(self, projector):
        app = await projector.start()

        assert app.health is not None
        assert app.health.port is None
