import asyncio
import os
import subprocess
import sys

import httpx
import pytest

from mailferry_bus.health import HealthServer, probe
from mailferry_devstack.ports import free_port

pytestmark = pytest.mark.integration


async def get(server: HealthServer, path: str = "/healthz", method: str = "GET") -> httpx.Response:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
        return await client.request(method, path)


async def test_all_checks_holding_answer_200_with_the_checks():
    async with HealthServer(lambda: {"nats": True, "db": True}, port=0) as server:
        response = await get(server)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"nats": True, "db": True}}


async def test_one_failing_check_answers_503_naming_it():
    async with HealthServer(lambda: {"nats": False, "db": True}, port=0) as server:
        response = await get(server)

    assert response.status_code == 503
    assert response.json()["checks"]["nats"] is False


async def test_checks_may_be_a_coroutine():
    async def checks():
        return {"nats": True}

    async with HealthServer(checks, port=0) as server:
        response = await get(server)

    assert response.status_code == 200


async def test_a_check_that_raises_is_unhealthy_not_a_crash():
    def checks():
        raise ConnectionError("gone")

    async with HealthServer(checks, port=0) as server:
        first = await get(server)
        second = await get(server)

    assert first.status_code == 503
    assert first.json()["checks"] == {"error: ConnectionError": False}
    assert second.status_code == 503


async def test_details_are_added_to_the_answer_but_cannot_replace_status_or_checks():
    async def details():
        return {"lag": 0, "role": "active", "status": "fine", "checks": {}}

    async with HealthServer(lambda: {"nats": True}, port=0, details=details) as server:
        response = await get(server)

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"nats": True},
        "lag": 0,
        "role": "active",
    }


async def test_details_that_raise_answer_503_naming_only_the_error_type():
    async def details():
        raise ConnectionRefusedError("postgres at db.internal:5432 is down")

    async with HealthServer(lambda: {"nats": True}, port=0, details=details) as server:
        response = await get(server)

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"nats": True, "details: ConnectionRefusedError": False},
    }


async def test_a_check_that_never_answers_is_unhealthy():
    async def checks():
        await asyncio.Event().wait()
        return {"nats": True}

    async with HealthServer(checks, port=0) as server:
        response = await get(server)

    assert response.status_code == 503
    assert response.json()["checks"] == {"error: TimeoutError": False}


async def test_no_checks_at_all_is_not_healthy():
    async with HealthServer(dict, port=0) as server:
        response = await get(server)

    assert response.status_code == 503


async def test_other_paths_and_methods_are_refused():
    async with HealthServer(lambda: {"nats": True}, port=0) as server:
        missing = await get(server, "/metrics")
        post = await get(server, "/healthz", method="POST")
        query = await get(server, "/healthz?verbose=1")

    assert missing.status_code == 404
    assert post.status_code == 405
    assert query.status_code == 200


async def test_without_a_port_nothing_listens():
    server = HealthServer(lambda: {"nats": True}, port=None)

    async with server:
        assert server.port is None


async def test_probe_tells_healthy_from_unhealthy_and_from_nothing():
    healthy = HealthServer(lambda: {"nats": True}, port=0)
    unhealthy = HealthServer(lambda: {"nats": False}, port=0)
    async with healthy, unhealthy:
        assert await probe(f"http://127.0.0.1:{healthy.port}/healthz")
        assert not await probe(f"http://127.0.0.1:{unhealthy.port}/healthz")
    assert not await probe(f"http://127.0.0.1:{free_port()}/healthz")


async def test_the_module_probe_exits_0_only_when_healthy():
    async with HealthServer(lambda: {"nats": True}, port=0) as server:
        env = {**os.environ, "MIGRATION_HEALTH_PORT": str(server.port)}
        ok = await _run_probe(env)
    down = await _run_probe({**os.environ, "MIGRATION_HEALTH_PORT": str(free_port())})

    assert ok == 0
    assert down == 1


async def _run_probe(env: dict[str, str]) -> int:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mailferry_bus.health", env=env, stdout=subprocess.DEVNULL
    )
    return await process.wait()
